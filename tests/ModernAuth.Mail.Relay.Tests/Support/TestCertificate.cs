using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>A self-signed server certificate written as a PFX file, for the relay's STARTTLS and implicit TLS.</summary>
public static class TestCertificate
{
    public static string WritePfx(string directory, string password = "pfx-password")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=relay.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("relay.test");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(directory, $"relay-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }
}
