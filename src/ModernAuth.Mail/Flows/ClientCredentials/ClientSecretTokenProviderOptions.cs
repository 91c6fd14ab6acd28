namespace ModernAuth.Mail;

/// <summary>Options of <see cref="ClientSecretTokenProvider"/>. Every default is documented on <see cref="MailTokenProviderOptions"/>.</summary>
public class ClientSecretTokenProviderOptions : MailTokenProviderOptions
{
}
