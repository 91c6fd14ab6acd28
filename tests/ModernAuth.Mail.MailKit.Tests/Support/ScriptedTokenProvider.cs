namespace ModernAuth.Mail.MailKit.Tests.Support;

/// <summary>
/// A provider that hands out given tokens in order (the last one again once they run out) and records every request:
/// the tiny custom <see cref="MailTokenProvider"/> a user would write for tokens from elsewhere.
/// </summary>
public sealed class ScriptedTokenProvider : MailTokenProvider
{
    private readonly string[] _tokens;
    private readonly bool _appOnly;
    private readonly List<MailTokenRequest> _requests = new();

    public ScriptedTokenProvider(bool appOnly, params string[] tokens)
    {
        _appOnly = appOnly;
        _tokens = tokens;
    }

    public override bool IsAppOnly => _appOnly;

    public IReadOnlyList<MailTokenRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Set to make the provider wait until the caller cancels.</summary>
    public bool WaitForCancellation { get; set; }

    public override async ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default)
    {
        int index;
        lock (_requests)
        {
            _requests.Add(request);
            index = Math.Min(_requests.Count, _tokens.Length) - 1;
        }

        if (WaitForCancellation)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return new MailAccessToken(_tokens[index], DateTimeOffset.UtcNow.AddHours(1), request.Mailbox);
    }
}
