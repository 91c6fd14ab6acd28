using Azure.Core;

namespace ModernAuth.Mail.AzureIdentity;

/// <summary>Turns an Azure.Identity <see cref="TokenCredential"/> into a <see cref="MailTokenProvider"/>.</summary>
public static class TokenCredentialExtensions
{
    /// <summary>
    /// Wraps <paramref name="credential"/> as a <see cref="MailTokenProvider"/> (a <see cref="TokenCredentialMailTokenProvider"/>):
    /// the protocol's <c>/.default</c> scope for the cloud, the cache gate, and errors with a code and a remedy. Keep the
    /// provider (one per credential) for the life of the application, so its cache serves every connection.
    /// </summary>
    /// <param name="credential">The credential, for example <c>new DefaultAzureCredential()</c>.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (global cloud, app-only).</param>
    /// <returns>The provider.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is <see langword="null"/>.</exception>
    public static TokenCredentialMailTokenProvider AsMailTokenProvider(this TokenCredential credential, TokenCredentialMailTokenProviderOptions? options = null) =>
        new(credential, options);
}
