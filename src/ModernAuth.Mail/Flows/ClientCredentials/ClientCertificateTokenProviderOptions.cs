namespace ModernAuth.Mail;

/// <summary>Options of <see cref="ClientCertificateTokenProvider"/>. Shared defaults are documented on <see cref="MailTokenProviderOptions"/>.</summary>
public class ClientCertificateTokenProviderOptions : MailTokenProviderOptions
{
    /// <summary>
    /// Sends the certificate chain (<c>x5c</c>) with every assertion, for subject name and issuer (SN/I)
    /// authentication, where the app registration trusts a subject name rather than one uploaded certificate,
    /// so certificates can roll over without updating the app. Default <see langword="false"/>.
    /// </summary>
    public bool SendCertificateChain { get; set; }
}
