using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.PowerShell.Engine.Failures;

namespace ModernAuth.Mail.PowerShell.Engine.Tls;

/// <summary>
/// The mail server's TLS certificate the user pinned with <c>-TrustedCertificatePath</c> (a test server's self-signed
/// certificate, or an on-premises server's): accepted besides every certificate the system trusts, and nothing else is
/// loosened. Without a pin, only the system's trust counts.
/// </summary>
internal sealed class ServerTrust
{
    private readonly byte[] _pinned;

    private ServerTrust(byte[] pinned) => _pinned = pinned;

    /// <exception cref="MailOperationException">The file is missing or not a certificate.</exception>
    public static ServerTrust? FromFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            const string Begin = "-----BEGIN CERTIFICATE-----";
            var start = text.IndexOf(Begin, StringComparison.Ordinal);
            if (start >= 0)
            {
                var end = text.IndexOf("-----END CERTIFICATE-----", start, StringComparison.Ordinal);
                bytes = end < 0 ? throw new FormatException("no END line") : Convert.FromBase64String(text.Substring(start + Begin.Length, end - start - Begin.Length));
            }

            using var certificate = new X509Certificate2(bytes);
            return new ServerTrust(certificate.RawData);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or CryptographicException or FormatException)
        {
            throw new MailOperationException(
                "trusted_certificate_unreadable",
                $"-TrustedCertificatePath '{path}' is not a readable certificate ({error.GetType().Name}).",
                "Give the mail server's certificate as a PEM or DER file (for the test servers: the tls.crt in their state folder).",
                MailFailureKind.InvalidInput);
        }
    }

    /// <summary>Accepts what the system trusts, or exactly the pinned certificate.</summary>
    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || (certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(_pinned));

    /// <summary>An HTTP handler with the same rule, for Microsoft Graph and EWS.</summary>
    public HttpMessageHandler CreateHandler() => new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors),
    };
}
