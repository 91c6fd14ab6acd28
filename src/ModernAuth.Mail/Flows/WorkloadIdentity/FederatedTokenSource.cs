using System.Text;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// Where a workload's federated token comes from on each token request: the token file (re-read every time, so a
/// rotated token is picked up at once) or a callback. The token is a secret: it never reaches a log or a message.
/// </summary>
internal sealed class FederatedTokenSource
{
    private readonly string? _path;
    private readonly Func<CancellationToken, Task<string>>? _callback;

    private FederatedTokenSource(string? path, Func<CancellationToken, Task<string>>? callback)
    {
        _path = path;
        _callback = callback;
    }

    /// <summary>What the token comes from, for messages: the file's path or "the token callback".</summary>
    public string Description => _path is null ? "the token callback" : $"the token file '{_path}'";

    public static FederatedTokenSource FromFile(string path) => new(path, null);

    public static FederatedTokenSource FromCallback(Func<CancellationToken, Task<string>> callback) => new(null, callback);

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        string? token;
        if (_callback is not null)
        {
            try
            {
                token = await _callback(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception error)
            {
                throw Unavailable($"The federated token callback failed ({error.GetType().Name}; the inner exception has its message).",
                    "Check what the callback calls (for GitHub Actions: the job needs 'permissions: id-token: write', and ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN must be set).", error);
            }
        }
        else
        {
            try
            {
                token = await ReadFileAsync(_path!, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw Unavailable($"The federated token file '{_path}' could not be read ({error.GetType().Name}).",
                    "In Kubernetes, label the pod 'azure.workload.identity/use: \"true\"' and give it a service account annotated with 'azure.workload.identity/client-id', so the webhook projects the token and sets AZURE_FEDERATED_TOKEN_FILE; elsewhere, point FederatedTokenFile at a file this account may read.", error);
            }
        }

        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            throw Unavailable($"{Capitalized(Description)} gave an empty token.", "The file or callback must hold the workload's OIDC token (a JWT) and nothing else.", null);
        }

        return token!;
    }

    private static async Task<string> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        cancellationToken.ThrowIfCancellationRequested();
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }

    private static MailAuthenticationException Unavailable(string message, string remedy, Exception? inner) =>
        new(MailErrorCodes.FederatedTokenUnavailable, message, remedy, false, inner);

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);
}
