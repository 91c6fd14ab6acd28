using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// What the fake servers (<see cref="FakeEntraIdServer"/>, <see cref="FakeEwsServer"/>, <see cref="FakeGraphServer"/>) share: Kestrel over HTTPS on
/// 127.0.0.1 with a self-signed certificate, and a client handler that trusts exactly that certificate.
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

    /// <summary>Builds (does not start) an app on 127.0.0.1, a free port, HTTPS with <paramref name="certificate"/>, no Kestrel logging.</summary>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="shutdownTimeout">How long a request hanging on purpose may hold up shutdown.</param>
    /// <param name="maxRequestBodySize">The largest request body, in bytes; <see langword="null"/> for Kestrel's default (about 28 MB).</param>
    public static WebApplication Build(X509Certificate2 certificate, TimeSpan shutdownTimeout, long? maxRequestBodySize = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (maxRequestBodySize is { } max)
            {
                kestrel.Limits.MaxRequestBodySize = max;
            }

            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
        return builder.Build();
    }

    /// <summary>The address a started app listens on, for example <c>https://127.0.0.1:41234</c>.</summary>
    public static Uri Address(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).GetLeftPart(UriPartial.Authority));
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
