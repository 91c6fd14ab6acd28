using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>Certificate chores: public copies, name comparison, and the loopback server's self-signed certificate.</summary>
internal static class CertificateHelper
{
    /// <summary>A copy holding only the public part, independent of the caller's instance (which they may dispose).</summary>
    public static X509Certificate2 PublicCopy(X509Certificate2 certificate) => new(certificate.RawData);

    /// <summary>A distinguished name in one canonical text form, so <c>CN=a, O=b</c> and <c>CN=a,O=b</c> compare equal.</summary>
    public static string NormalizeName(string distinguishedName)
    {
        try
        {
            return new X500DistinguishedName(distinguishedName).Format(multiLine: false);
        }
        catch (CryptographicException)
        {
            return distinguishedName.Trim();
        }
    }

    /// <summary>The base64url SHA-256 of the certificate, as in an <c>x5t#S256</c> header.</summary>
    public static string Sha256Thumbprint(X509Certificate2 certificate) => Base64Url.Encode(SHA256.HashData(certificate.RawData));

    /// <summary>The base64url SHA-1 of the certificate, as in an <c>x5t</c> header.</summary>
    public static string Sha1Thumbprint(X509Certificate2 certificate) => Base64Url.Encode(certificate.GetCertHash());

    /// <summary>
    /// A self-signed TLS server certificate for 127.0.0.1 and localhost, with its private key, loaded from PKCS#12 so
    /// that SslStream can use the key on every platform.
    /// </summary>
    public static X509Certificate2 CreateLoopbackServerCertificate(TimeProvider timeProvider)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail.Testing fake Entra ID", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        // TLS checks validity against the real clock, whatever clock the fake mints tokens with.
        var now = timeProvider.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var pfx = created.Export(X509ContentType.Pkcs12);
        return new X509Certificate2(pfx, (string?)null, X509KeyStorageFlags.Exportable);
    }
}
