using Azure.Core;

namespace ModernAuth.Mail.AzureIdentity;

/// <summary>Turns a <see cref="MailTokenProvider"/> into an Azure.Core <see cref="TokenCredential"/>.</summary>
public static class MailTokenProviderExtensions
{
    /// <summary>
    /// Wraps <paramref name="provider"/> as a <see cref="TokenCredential"/> (a <see cref="MailTokenProviderCredential"/>)
    /// for SDKs that take one, such as <c>new GraphServiceClient(provider.AsTokenCredential())</c>. Tokens come through
    /// the provider's cache gate; scopes of a resource other than Microsoft Graph or Exchange Online are refused.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public static MailTokenProviderCredential AsTokenCredential(this MailTokenProvider provider, MailTokenProviderCredentialOptions? options = null) =>
        new(provider, options);
}
