namespace ModernAuth.Mail.AzureIdentity;

/// <summary>Options of <see cref="MailTokenProviderCredential"/>.</summary>
public class MailTokenProviderCredentialOptions
{
    /// <summary>
    /// The mailbox the tokens are asked for (<see cref="MailTokenRequest.Mailbox"/>): for a delegated provider the
    /// signed-in account to use; an app-only provider's token serves every mailbox, so it may stay unset. Default
    /// <see langword="null"/>.
    /// </summary>
    public string? Mailbox { get; set; }

    /// <summary>
    /// The cloud whose resources the scopes are matched against. Default <see langword="null"/>: the provider's
    /// <see cref="MailTokenProvider.Cloud"/>.
    /// </summary>
    public MailCloud? Cloud { get; set; }
}
