using Microsoft.IdentityModel.JsonWebTokens;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Tests.Configuration;

/// <summary>Settings of the managed identity and workload identity flows: validation that names the key, and providers that work.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AzureIdentitySettingsTests : IDisposable
{
    private const string Tenant = "11111111-2222-3333-4444-5555555555aa";
    private readonly FakeEntraId _entra = new();
    private readonly EnvironmentScope _environment = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("modernauth-azid-settings-").FullName;

    public void Dispose()
    {
        _environment.Dispose();
        _entra.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static Dictionary<string, string> Failures(MailTokenProviderSettings settings) =>
        settings.Validate().GroupBy(f => f.Setting).ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(f => f.Format(name => $"<{name}>"))));

    [Theory]
    [InlineData("ManagedIdentity", MailTokenFlow.ManagedIdentity)]
    [InlineData("managed-identity", MailTokenFlow.ManagedIdentity)]
    [InlineData("msi", MailTokenFlow.ManagedIdentity)]
    [InlineData("WorkloadIdentity", MailTokenFlow.WorkloadIdentity)]
    [InlineData("workload-identity", MailTokenFlow.WorkloadIdentity)]
    [InlineData("federated", MailTokenFlow.WorkloadIdentity)]
    public void TryParseFlow_NewFlows_Parsed(string text, MailTokenFlow expected)
    {
        Assert.True(MailTokenProviderSettings.TryParseFlow(text, out var flow));
        Assert.Equal(expected, flow);
    }

    [Fact]
    public void Validate_ManagedIdentityAlone_NoFailuresNoClientIdOrTenantNeeded()
    {
        Assert.Empty(new MailTokenProviderSettings { Flow = MailTokenFlow.ManagedIdentity }.Validate());
    }

    [Fact]
    public void Validate_ManagedIdentityWithBadIds_NamesEachKeyAndWhatToPutThere()
    {
        var failures = Failures(new MailTokenProviderSettings
        {
            Flow = MailTokenFlow.ManagedIdentity,
            ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11",
            ManagedIdentityClientId = "mail-sender",
            ManagedIdentityResourceId = "mail-sender",
        });

        Assert.Contains("<ManagedIdentityClientId>", failures["ClientId"], StringComparison.Ordinal);
        Assert.Contains("is not a GUID", failures["ManagedIdentityClientId"], StringComparison.Ordinal);
        Assert.Contains("userAssignedIdentities", failures["ManagedIdentityResourceId"], StringComparison.Ordinal);
        Assert.Contains("are both given", failures["ManagedIdentityResourceId"], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManagedIdentityWithSecret_SaysItNeedsNone()
    {
        var failures = Failures(new MailTokenProviderSettings { Flow = MailTokenFlow.ManagedIdentity, ClientSecret = "not-needed" });

        Assert.Contains("no secret", failures["Flow"], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkloadIdentityNothingSet_NamesTenantClientAndTokenFileWithTheirVariables()
    {
        var failures = Failures(new MailTokenProviderSettings { Flow = MailTokenFlow.WorkloadIdentity });

        Assert.Contains("AZURE_TENANT_ID", failures["TenantId"], StringComparison.Ordinal);
        Assert.Contains("AZURE_CLIENT_ID", failures["ClientId"], StringComparison.Ordinal);
        Assert.Contains("AZURE_FEDERATED_TOKEN_FILE", failures["FederatedTokenFile"], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkloadIdentityFromEnvironment_NoFailures()
    {
        var file = Path.Combine(_directory, "token");
        File.WriteAllText(file, "x.y.z");
        _environment.Set("AZURE_TENANT_ID", Tenant);
        _environment.Set("AZURE_CLIENT_ID", Guid.NewGuid().ToString());
        _environment.Set("AZURE_FEDERATED_TOKEN_FILE", file);

        Assert.Empty(new MailTokenProviderSettings { Flow = MailTokenFlow.WorkloadIdentity }.Validate());
    }

    [Fact]
    public void Validate_WorkloadIdentityFileMissing_NamesTheKey()
    {
        var failures = Failures(new MailTokenProviderSettings
        {
            Flow = MailTokenFlow.WorkloadIdentity,
            TenantId = Tenant,
            ClientId = Guid.NewGuid().ToString(),
            FederatedTokenFile = Path.Combine(_directory, "missing"),
        });

        Assert.Contains("does not exist", failures["FederatedTokenFile"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateProvider_ManagedIdentitySettings_ProviderGetsTheIdentitysToken()
    {
        var identity = _entra.AddUserAssignedIdentity(Tenant, "settings");
        var settings = new MailTokenProviderSettings { Flow = MailTokenFlow.ManagedIdentity, ManagedIdentityResourceId = identity.ResourceId };

        var provider = settings.CreateProvider(o => o.Transport = _entra.CreateHandler());
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "a@contoso.test"));

        Assert.IsType<ManagedIdentityTokenProvider>(provider);
        Assert.Equal(identity.ClientId, new JsonWebToken(token.Token).GetClaim("appid").Value);
    }

    [Fact]
    public async Task CreateProvider_WorkloadIdentityWithCallback_ProviderGetsTheAppsToken()
    {
        var clientId = Guid.NewGuid().ToString();
        _entra.RegisterApplication(Tenant, clientId).WithFederatedCredential("https://token.actions.githubusercontent.com", "repo:contoso/mailer:ref:refs/heads/main");
        var settings = new MailTokenProviderSettings
        {
            Flow = MailTokenFlow.WorkloadIdentity,
            TenantId = Tenant,
            ClientId = clientId,
            FederatedTokenCallback = _ => Task.FromResult(_entra.MintFederatedToken("https://token.actions.githubusercontent.com", "repo:contoso/mailer:ref:refs/heads/main")),
        };

        var provider = settings.CreateProvider(o => o.UseFakeEntraId(_entra));
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, "a@contoso.test"));

        Assert.IsType<WorkloadIdentityTokenProvider>(provider);
        Assert.Equal(clientId, new JsonWebToken(token.Token).GetClaim("appid").Value);
    }
}
