using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Testing;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Flows;

public sealed class ClientCertificateTokenProviderTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "0d6c3a9e-51f4-4c1b-8a77-2f3e4d5c6b7a";
    private readonly FakeEntraId _entra = new();
    private readonly X509Certificate2 _certificate = TestCertificates.CreateSelfSigned();
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-cert-").FullName;

    public ClientCertificateTokenProviderTests() =>
        _entra.RegisterApplication(Tenant, ClientId).WithCertificate(TestCertificates.PublicOnly(_certificate));

    public void Dispose()
    {
        _entra.Dispose();
        _certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private ClientCertificateTokenProvider CreateProvider(ClientCertificateSource source, Action<ClientCertificateTokenProviderOptions>? configure = null)
    {
        var options = new ClientCertificateTokenProviderOptions().UseFakeEntraId(_entra);
        configure?.Invoke(options);
        return new ClientCertificateTokenProvider(Tenant, ClientId, source, options);
    }

    private async Task AssertGetsTokenAsync(ClientCertificateSource source)
    {
        var token = await CreateProvider(source).GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.test"));

        Assert.True(token.IsJwt);
        Assert.Equal("sender@contoso.test", token.Account);
        Assert.Equal("client_credentials", Assert.Single(_entra.Requests, r => r.IsTokenRequest).GrantType);
    }

    [Fact]
    public Task GetTokenAsync_FromCertificateInstance_ReturnsToken() =>
        AssertGetsTokenAsync(ClientCertificateSource.FromCertificate(_certificate));

    [Fact]
    public Task GetTokenAsync_FromPfxFileWithPassword_ReturnsToken()
    {
        var path = Path.Combine(_directory, "app.pfx");
        File.WriteAllBytes(path, _certificate.Export(X509ContentType.Pkcs12, "pfx-pass"));

        return AssertGetsTokenAsync(ClientCertificateSource.FromPfxFile(path, "pfx-pass"));
    }

    [Fact]
    public Task GetTokenAsync_FromPemFiles_ReturnsToken()
    {
        var certPath = Path.Combine(_directory, "app.crt");
        var keyPath = Path.Combine(_directory, "app.key");
        File.WriteAllText(certPath, _certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, _certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        return AssertGetsTokenAsync(ClientCertificateSource.FromPemFiles(certPath, keyPath));
    }

    [Fact]
    public async Task GetTokenAsync_FromStoreByThumbprint_ReturnsToken()
    {
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(_certificate);
        try
        {
            await AssertGetsTokenAsync(ClientCertificateSource.FromStore(_certificate.Thumbprint.ToLowerInvariant()));
        }
        finally
        {
            store.Remove(_certificate);
        }
    }

    [Fact]
    public async Task GetTokenAsync_SubjectNameIssuerWithX5c_ReturnsToken()
    {
        using var rolled = TestCertificates.CreateSelfSigned("CN=mail-app.contoso.test");
        _entra.RegisterApplication(Tenant, "5b0f8a2c-3d4e-4f60-8172-93a4b5c6d7e8").WithSubjectNameIssuer("CN=mail-app.contoso.test", "CN=mail-app.contoso.test");
        var options = new ClientCertificateTokenProviderOptions { SendCertificateChain = true }.UseFakeEntraId(_entra);
        var provider = new ClientCertificateTokenProvider(Tenant, "5b0f8a2c-3d4e-4f60-8172-93a4b5c6d7e8", ClientCertificateSource.FromCertificate(rolled), options);

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        Assert.True(token.IsJwt);
    }

    [Fact]
    public async Task GetTokenAsync_UnregisteredCertificate_InvalidClientCertificate()
    {
        using var other = TestCertificates.CreateSelfSigned("CN=someone else");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(ClientCertificateSource.FromCertificate(other)).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.InvalidClientCertificate, error.ErrorCode);
        Assert.Contains("Certificates & secrets", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_MissingPfxFile_CertificateUnavailableBeforeAnyRequest()
    {
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(ClientCertificateSource.FromPfxFile(Path.Combine(_directory, "missing.pfx"))).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.CertificateUnavailable, error.ErrorCode);
        Assert.Contains("missing.pfx", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _entra.RequestCount);
    }

    [Fact]
    public async Task GetTokenAsync_WrongPfxPassword_CertificateUnavailableWithoutPassword()
    {
        var path = Path.Combine(_directory, "app.pfx");
        File.WriteAllBytes(path, _certificate.Export(X509ContentType.Pkcs12, "right-password"));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(ClientCertificateSource.FromPfxFile(path, "wrong-password-xyz")).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.CertificateUnavailable, error.ErrorCode);
        Assert.Contains("password", error.Remedy, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("wrong-password-xyz", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_CertificateWithoutPrivateKey_CertificateUnavailable()
    {
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(ClientCertificateSource.FromCertificate(TestCertificates.PublicOnly(_certificate))).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.CertificateUnavailable, error.ErrorCode);
        Assert.Contains("private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_ThumbprintNotInStore_CertificateUnavailable()
    {
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            CreateProvider(ClientCertificateSource.FromStore("00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 00 11 22 33")).GetTokenAsync(new MailTokenRequest(MailProtocol.Imap)).AsTask());

        Assert.Equal(MailErrorCodes.CertificateUnavailable, error.ErrorCode);
        Assert.Contains("00112233445566778899AABBCCDDEEFF00112233", error.Message, StringComparison.Ordinal);
    }
}
