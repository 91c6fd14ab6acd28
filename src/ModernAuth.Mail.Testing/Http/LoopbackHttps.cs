using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// What the fake servers (<see cref="FakeEntraIdServer"/>, <see cref="FakeEwsServer"/>, <see cref="FakeGraphServer"/>) share: HTTPS on 127.0.0.1 with a
/// self-signed certificate (served by <see cref="LoopbackHttpServer"/>), and a client handler that trusts exactly that certificate.
/// </summary>
internal static class LoopbackHttps
{
    /// <summary>
    /// A self-signed TLS server certificate for 127.0.0.1 and localhost, with its private key, loaded from PKCS#12 so
    /// that SslStream can use the key on every platform. TLS checks validity against the real clock, whatever clock the
    /// fake mints tokens with.
    /// </summary>
    public static X509Certificate2 CreateCertificate()
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

        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var pfx = created.Export(X509ContentType.Pkcs12);
        return new X509Certificate2(pfx, (string?)null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>A handler that trusts exactly the certificate <paramref name="certificate"/> (raw bytes) and no other. The caller disposes it.</summary>
    public static HttpMessageHandler CreateTrustingHandler(byte[] certificate) => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(certificate),
        },
    };
}
