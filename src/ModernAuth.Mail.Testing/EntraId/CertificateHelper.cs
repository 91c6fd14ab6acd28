using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>Certificate chores of the fake Entra ID: public copies, name comparison, thumbprints.</summary>
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
}
