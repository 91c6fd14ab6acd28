using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Testing;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Configuration;

/// <summary>The one way from settings to a provider: validation that names each setting, and providers that work.</summary>
public sealed class MailTokenProviderSettingsTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    private const string Secret = "Sup3r~Secret.Value_for-settings-0123456789";
    private readonly FakeEntraId _entra = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-settings-").FullName;

    public MailTokenProviderSettingsTests() => _entra.RegisterApplication(Tenant, ClientId).WithSecret(Secret);

    public void Dispose()
    {
        _entra.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static MailTokenProviderSettings SecretSettings() => new()
    {
        Flow = MailTokenFlow.ClientSecret,
        TenantId = Tenant,
        ClientId = ClientId,
        ClientSecret = Secret,
    };

    private static Dictionary<string, string> Failures(MailTokenProviderSettings settings) =>
        settings.Validate().ToDictionary(f => f.Setting, f => f.Format(name => $"<{name}>"));

    [Theory]
    [InlineData(MailTokenFlow.ClientSecret, true)]
    [InlineData(MailTokenFlow.ClientCertificate, true)]
    [InlineData(MailTokenFlow.ManagedIdentity, true)]
    [InlineData(MailTokenFlow.WorkloadIdentity, true)]
    [InlineData(MailTokenFlow.DeviceCode, false)]
    [InlineData(MailTokenFlow.InteractiveBrowser, false)]
    [InlineData((MailTokenFlow)99, null)]
    [InlineData(null, null)]
    public void IsAppOnlyFlow_AgreesWithTheProviderEachFlowBuilds(MailTokenFlow? flow, bool? expected)
    {
        Assert.Equal(expected, MailTokenProviderSettings.IsAppOnlyFlow(flow));
        if (flow is { } known && expected is { } appOnly)
        {
            // The answer matches what the built provider says of itself (the flows need only a client id and what names it).
            var settings = new MailTokenProviderSettings { Flow = known, PersistTokenCache = false };
            if (known != MailTokenFlow.ManagedIdentity)
            {
                settings.TenantId = "contoso.onmicrosoft.com";
                settings.ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
            }

            settings.ClientSecret = known == MailTokenFlow.ClientSecret ? "s3cret-value" : null;
            settings.Certificate = known == MailTokenFlow.ClientCertificate ? TestCertificates.CreateSelfSigned("CN=flows") : null;
            settings.FederatedTokenCallback = known == MailTokenFlow.WorkloadIdentity ? _ => Task.FromResult("assertion") : null;
            Assert.Equal(appOnly, settings.CreateProvider().IsAppOnly);
        }
    }

    [Fact]
    public void Validate_CompleteSecretSettings_NoFailures()
    {
        Assert.Empty(SecretSettings().Validate());
    }

    [Fact]
    public void Validate_Empty_NamesFlowAndClientId()
    {
        var failures = Failures(new MailTokenProviderSettings());

        Assert.StartsWith("<Flow> is missing", failures["Flow"], StringComparison.Ordinal);
        Assert.StartsWith("<ClientId> is missing", failures["ClientId"], StringComparison.Ordinal);
        Assert.Equal(2, failures.Count);
    }

    [Theory]
    [InlineData("TenantId", "common")]
    [InlineData("TenantId", "")]
    [InlineData("ClientId", "My Mail App")]
    [InlineData("ClientSecret", "0c0ffee0-1111-2222-3333-444444444444")]
    [InlineData("Cloud", "Mars")]
    [InlineData("SmtpServer", "smtp.example.com:99999")]
    [InlineData("ImapServer", "bad host:993")]
    [InlineData("EwsUrl", "ftp://ews.example.com/EWS/Exchange.asmx")]
    [InlineData("Mailbox", "not-an-address")]
    [InlineData("ClientSecretFile", "no-such-file.txt")]
    public void Validate_BadValue_OneFailureNamingThatSetting(string setting, string value)
    {
        var settings = SecretSettings();
        typeof(MailTokenProviderSettings).GetProperty(setting)!.SetValue(settings, value);
        if (setting == "ClientSecretFile")
        {
            settings.ClientSecret = null;
        }

        var failure = Assert.Single(settings.Validate());

        Assert.Equal(setting, failure.Setting);
        Assert.StartsWith($"<{setting}>", failure.Format(name => $"<{name}>"), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SecretLookingLikeAGuid_NeverEchoesIt()
    {
        var settings = SecretSettings();
        settings.ClientSecret = "0c0ffee0-1111-2222-3333-444444444444";

        var message = Assert.Single(settings.Validate()).ToString();

        Assert.Contains("Secret ID", message, StringComparison.Ordinal);
        Assert.DoesNotContain("0c0ffee0", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValueWithLineBreaks_ShownWithoutThem()
    {
        var settings = SecretSettings();
        settings.Mailbox = "x\r\n2026-12-05 INFO forged log line";

        var message = Assert.Single(settings.Validate()).ToString();

        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
    }

    [Fact]
    public void Validate_CertificateFlowWithTwoSources_NamesBothInTheUsersSpelling()
    {
        var settings = new MailTokenProviderSettings
        {
            Flow = MailTokenFlow.ClientCertificate,
            TenantId = Tenant,
            ClientId = ClientId,
            CertificateThumbprint = new string('A', 40),
            Certificate = TestCertificates.CreateSelfSigned("CN=two sources"),
        };

        var message = Assert.Single(settings.Validate()).Format(name => "--" + name.ToLowerInvariant());

        Assert.Contains("--certificatepath and --certificatethumbprint are both given", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AppOnlyWithPersonalAccounts_SaysToUseDeviceCode()
    {
        var settings = SecretSettings();
        settings.Cloud = "Personal";

        var failure = Assert.Single(settings.Validate());

        Assert.Equal("Cloud", failure.Setting);
        Assert.Contains("DeviceCode", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SettingNames_AreTheBindableSettings_NotTheCodeOnlyOnes()
    {
        Assert.Contains("ClientSecretFile", MailTokenProviderSettings.SettingNames);
        Assert.Contains("AuthorityCertificatePath", MailTokenProviderSettings.SettingNames);
        Assert.DoesNotContain("Certificate", MailTokenProviderSettings.SettingNames);
        Assert.DoesNotContain("DeviceCodeCallback", MailTokenProviderSettings.SettingNames);
    }

    [Theory]
    [InlineData("ClientSecret", MailTokenFlow.ClientSecret)]
    [InlineData("client-secret", MailTokenFlow.ClientSecret)]
    [InlineData("secret", MailTokenFlow.ClientSecret)]
    [InlineData("CERTIFICATE", MailTokenFlow.ClientCertificate)]
    [InlineData("client_certificate", MailTokenFlow.ClientCertificate)]
    [InlineData("device-code", MailTokenFlow.DeviceCode)]
    [InlineData(" DeviceCode ", MailTokenFlow.DeviceCode)]
    public void TryParseFlow_EveryFrontEndsSpelling_Parses(string text, MailTokenFlow expected)
    {
        Assert.True(MailTokenProviderSettings.TryParseFlow(text, out var flow));
        Assert.Equal(expected, flow);
    }

    [Fact]
    public void TryParseFlow_Password_IsNotAFlow()
    {
        Assert.False(MailTokenProviderSettings.TryParseFlow("password", out _));
    }

    [Fact]
    public void CreateProvider_Invalid_ThrowsWithEveryFailure()
    {
        var error = Assert.Throws<MailSettingsException>(() => new MailTokenProviderSettings { ClientId = "x" }.CreateProvider());

        Assert.Equal(MailErrorCodes.InvalidConfiguration, error.ErrorCode);
        Assert.False(error.IsRetryable);
        Assert.Equal(new[] { "Flow", "ClientId" }, error.Failures.Select(f => f.Setting));
    }

    [Fact]
    public async Task CreateProvider_SecretFromFile_GetsATokenThroughMsal()
    {
        var file = Path.Combine(_directory, "secret.txt");
        await File.WriteAllTextAsync(file, Secret + "\n");
        var settings = SecretSettings();
        settings.ClientSecret = null;
        settings.ClientSecretFile = file;

        var provider = settings.CreateProvider(o => o.UseFakeEntraId(_entra));
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "sender@contoso.test"));

        Assert.IsType<ClientSecretTokenProvider>(provider);
        Assert.True(token.IsJwt);
        Assert.Equal(1, _entra.TokenRequestCount);
    }

    [Fact]
    public void CreateProvider_EmptySecretFile_NamesTheSetting()
    {
        var file = Path.Combine(_directory, "empty.txt");
        File.WriteAllText(file, "  \n");
        var settings = SecretSettings();
        settings.ClientSecret = null;
        settings.ClientSecretFile = file;

        var error = Assert.Throws<MailSettingsException>(() => settings.CreateProvider());

        Assert.Equal("ClientSecretFile", Assert.Single(error.Failures).Setting);
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateProvider_EachFlow_TheRightProviderWithTheCloudAndItsOverrides()
    {
        var secret = SecretSettings();
        secret.Cloud = "GccHigh";
        secret.SmtpServer = "smtp.relay.example:2587";
        secret.EwsUrl = "https://mail.example/EWS/Exchange.asmx";
        var certificate = new MailTokenProviderSettings
        {
            Flow = MailTokenFlow.ClientCertificate,
            TenantId = Tenant,
            ClientId = ClientId,
            Certificate = TestCertificates.CreateSelfSigned("CN=settings"),
        };
        var deviceCode = new MailTokenProviderSettings { Flow = MailTokenFlow.DeviceCode, ClientId = ClientId, Cloud = "Personal", PersistTokenCache = false };

        var fromSecret = secret.CreateProvider();

        Assert.IsType<ClientSecretTokenProvider>(fromSecret);
        Assert.Equal("UsGovernmentHigh", fromSecret.Cloud.Name);
        Assert.Equal(new MailServerEndpoint("smtp.relay.example", 2587, MailTlsMode.StartTls), fromSecret.Cloud.Smtp);
        Assert.Equal(MailCloud.UsGovernmentHigh.Imap, fromSecret.Cloud.Imap);
        Assert.Equal(new Uri("https://mail.example/EWS/Exchange.asmx"), fromSecret.Cloud.Ews);
        Assert.IsType<ClientCertificateTokenProvider>(certificate.CreateProvider());
        var personal = Assert.IsType<DeviceCodeTokenProvider>(deviceCode.CreateProvider());
        Assert.Equal("consumers", personal.TenantId);
        Assert.True(personal.Cloud.IsPersonalAccounts);
    }

    [Fact]
    public async Task CreateProvider_TestTokenServiceFromSettingsAlone_ReachedWithItsCertificate()
    {
        // What a relay or any config-only front end needs to reach a test token service: its host, no instance
        // discovery, and its self-signed certificate trusted. Without the certificate the same settings fail on TLS.
        await using var server = await _entra.StartHttpsServerAsync();
        var certificateFile = Path.Combine(_directory, "entra.crt");
        await File.WriteAllTextAsync(certificateFile, server.Certificate.ExportCertificatePem());
        var settings = SecretSettings();
        settings.AuthorityHost = server.BaseAddress;
        settings.DisableInstanceDiscovery = true;

        var untrusted = await Assert.ThrowsAsync<MailAuthenticationException>(
            () => settings.CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test")).AsTask());
        settings.AuthorityCertificatePath = certificateFile;
        var token = await settings.CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test"));

        Assert.Equal(MailErrorCodes.TokenServiceUnreachable, untrusted.ErrorCode);
        Assert.False(untrusted.IsRetryable);
        Assert.Contains("AuthorityCertificatePath", untrusted.Remedy, StringComparison.Ordinal);
        Assert.True(token.IsJwt);
    }

    [Fact]
    public async Task CreateProvider_TokenServiceNotListening_RemedyNamesItsRealPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var settings = SecretSettings();
        settings.AuthorityHost = new Uri($"https://127.0.0.1:{port}");
        settings.DisableInstanceDiscovery = true;
        settings.NetworkTimeout = TimeSpan.FromSeconds(5);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(
            () => settings.CreateProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "a@contoso.test")).AsTask());

        Assert.Equal(MailErrorCodes.TokenServiceUnreachable, error.ErrorCode);
        Assert.Contains($"port {port}", error.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain("port 443", error.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateProvider_UnreadableAuthorityCertificate_NamesTheSetting()
    {
        var file = Path.Combine(_directory, "not-a-certificate.pem");
        File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        var settings = SecretSettings();
        settings.AuthorityCertificatePath = file;

        var error = Assert.Throws<MailSettingsException>(() => settings.CreateProvider());

        Assert.Equal("AuthorityCertificatePath", Assert.Single(error.Failures).Setting);
    }
}
