using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ModernAuth.Mail.Testing.Tests;

/// <summary>Shared keys, certificates and MSAL builders for the tests.</summary>
internal static class TestSupport
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    public const string Secret = "fake-secret-value-Q~1234567890";
    public const string ExchangeAppOnlyScope = "https://outlook.office365.com/.default";
    public const string ImapDelegatedScope = "https://outlook.office.com/IMAP.AccessAsUser.All";

    // Generating a 2048-bit key costs ~100 ms: tests share one unless they test key handling.
    private static readonly Lazy<RSA> s_signingKey = new(() => RSA.Create(2048));
    private static readonly Lazy<X509Certificate2> s_clientCertificate = new(() => CreateSelfSigned("CN=mail-app.contoso.test"));
    private static readonly Lazy<X509Certificate2> s_otherCertificate = new(() => CreateSelfSigned("CN=someone-else.contoso.test"));
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Leaf)> s_issuedCertificate = new(CreateIssued);

    public static RSA SharedSigningKey => s_signingKey.Value;

    /// <summary>A self-signed client certificate with its private key.</summary>
    public static X509Certificate2 ClientCertificate => s_clientCertificate.Value;

    /// <summary>Another self-signed certificate, never registered.</summary>
    public static X509Certificate2 OtherCertificate => s_otherCertificate.Value;

    /// <summary>A leaf certificate (with key) issued by a test CA, for subject name and issuer authentication.</summary>
    public static X509Certificate2 IssuedCertificate => s_issuedCertificate.Value.Leaf;

    public static X509Certificate2 IssuingCa => s_issuedCertificate.Value.Ca;

    public static FakeEntraId CreateFake(TimeProvider? timeProvider = null, TimeSpan? lifetime = null) => new(new FakeEntraIdOptions
    {
        SigningKey = SharedSigningKey,
        TimeProvider = timeProvider ?? TimeProvider.System,
        AccessTokenLifetime = lifetime ?? TimeSpan.FromMinutes(60),
    });

    public static string Authority(Uri host, string tenant) => $"{host.GetLeftPart(UriPartial.Authority)}/{tenant}";

    public static ConfidentialClientApplicationBuilder Confidential(FakeEntraId fake, string tenant = Tenant, string clientId = ClientId) =>
        Confidential(fake.AuthorityHost, fake.CreateHandler(), tenant, clientId);

    /// <summary>A confidential client that reaches the fake at <paramref name="authorityHost"/> (its in-memory host or an HTTPS server) through <paramref name="handler"/>.</summary>
    public static ConfidentialClientApplicationBuilder Confidential(Uri authorityHost, HttpMessageHandler handler, string tenant = Tenant, string clientId = ClientId) =>
        ConfidentialClientApplicationBuilder.Create(clientId)
            .WithAuthority(Authority(authorityHost, tenant))
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new TestHttpClientFactory(handler));

    public static PublicClientApplicationBuilder Public(FakeEntraId fake, string tenant = Tenant, string clientId = ClientId) =>
        Public(fake.AuthorityHost, fake.CreateHandler(), tenant, clientId);

    /// <summary>A public client that reaches the fake at <paramref name="authorityHost"/> (its in-memory host or an HTTPS server) through <paramref name="handler"/>.</summary>
    public static PublicClientApplicationBuilder Public(Uri authorityHost, HttpMessageHandler handler, string tenant = Tenant, string clientId = ClientId) =>
        PublicClientApplicationBuilder.Create(clientId)
            .WithAuthority(Authority(authorityHost, tenant))
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new TestHttpClientFactory(handler));

    public static Task<AuthenticationResult> DeviceCodeAsync(IPublicClientApplication app, string scope = ImapDelegatedScope, CancellationToken cancellationToken = default) =>
        app.AcquireTokenWithDeviceCode([scope], _ => Task.CompletedTask).ExecuteAsync(cancellationToken);

    public static JsonWebToken Read(string jwt) => new(jwt);

    public static X509Certificate2 CreateSelfSigned(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static (X509Certificate2, X509Certificate2) CreateIssued()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Contoso Test Issuing CA, O=Contoso", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddDays(-2), now.AddDays(60));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=mail-app.contoso.com, O=Contoso", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var leaf = leafRequest.Create(ca, now.AddDays(-1), now.AddDays(30), [1, 2, 3, 4]);
        using var leafWithKey = leaf.CopyWithPrivateKey(leafKey);
        return (ca, X509CertificateLoader.LoadPkcs12(leafWithKey.Export(X509ContentType.Pkcs12), null));
    }

    /// <summary>Posts a form to the fake, as a client other than MSAL would.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpMessageHandler handler, string url, params (string Name, string Value)[] fields)
    {
        using var client = new HttpClient(handler, disposeHandler: false);
        using var content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return await client.PostAsync(new Uri(url), content);
    }

    public static async Task<HttpResponseMessage> GetAsync(HttpMessageHandler handler, string url)
    {
        using var client = new HttpClient(handler, disposeHandler: false);
        return await client.GetAsync(new Uri(url));
    }

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;
}
