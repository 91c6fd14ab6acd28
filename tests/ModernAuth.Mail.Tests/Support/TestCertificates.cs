using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Tests.Support;

public static class TestCertificates
{
    public static X509Certificate2 CreateSelfSigned(string subject = "CN=ModernAuth.Mail test app")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        // Round-trip through PKCS#12 so the private key is usable on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    public static X509Certificate2 PublicOnly(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
}
