using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using ModernAuth.Mail;

namespace QuickStart;

/// <summary>The README's quick starts. Each method body is shown verbatim in README.md (a test checks it).</summary>
public static class QuickStartSnippets
{
    public static async Task ClientSecretImapAsync(string tenantId, string clientId, string clientSecret)
    {
        // snippet: client-secret
        var provider = new ClientSecretTokenProvider(tenantId, clientId, clientSecret);
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.com"));
        using var imap = new ImapClient();
        await imap.ConnectAsync("outlook.office365.com", 993, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(new SaslMechanismOAuth2(token.Account, token.Token));
        // end-snippet
    }

    public static async Task CertificateSmtpAsync(string tenantId, string clientId, string pfxPassword)
    {
        // snippet: client-certificate
        var certificate = ClientCertificateSource.FromPfxFile("mail-app.pfx", pfxPassword);
        var provider = new ClientCertificateTokenProvider(tenantId, clientId, certificate);
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.com"));
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("smtp.office365.com", 587, SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync(new SaslMechanismOAuth2(token.Account, token.Token));
        // end-snippet
    }

    public static async Task DeviceCodePersonalImapAsync(string clientId)
    {
        // snippet: device-code
        var options = new DeviceCodeTokenProviderOptions { Cloud = MailCloud.PersonalAccounts };
        var provider = new DeviceCodeTokenProvider(clientId, options);
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));
        using var imap = new ImapClient();
        await imap.ConnectAsync("outlook.office365.com", 993, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(new SaslMechanismOAuth2(token.Account, token.Token));
        // end-snippet
    }

    public static ClientCertificateSource[] CertificateSources(X509Certificate2 certificate, string password)
    {
        // snippet: certificate-sources
        return new[]
        {
            ClientCertificateSource.FromPfxFile("mail-app.pfx", password),
            ClientCertificateSource.FromPemFiles("mail-app.crt", "mail-app.key"),
            ClientCertificateSource.FromStore("1F2E3D4C5B6A79881726354413F2E1D0C9B8A796", StoreLocation.LocalMachine),
            ClientCertificateSource.FromCertificate(certificate),
        };
        // end-snippet
    }
}
