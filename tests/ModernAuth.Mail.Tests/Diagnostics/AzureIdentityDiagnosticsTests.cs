using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Tests.Diagnostics;

/// <summary>Token inspection of managed identity tokens, and the catalog (<c>explain</c>) for the managed and workload identity errors.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AzureIdentityDiagnosticsTests : IDisposable
{
    private const string Tenant = "72f988bf-0000-4000-8000-0000000000aa";
    private readonly FakeEntraId _entra = new();
    private readonly EnvironmentScope _environment = new();

    public void Dispose()
    {
        _environment.Dispose();
        _entra.Dispose();
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP.AccessAsApp")]
    [InlineData(MailProtocol.Smtp, "SMTP.SendAsApp")]
    public async Task Inspect_ManagedIdentityToken_SaysManagedIdentityAndHowToGrantTheRoleAndTheExchangeSetup(MailProtocol protocol, string role)
    {
        var identity = _entra.AddUserAssignedIdentity(Tenant, "reports");
        var provider = new ManagedIdentityTokenProvider(new ManagedIdentityTokenProviderOptions { ClientId = identity.ClientId, Transport = _entra.CreateHandler() });
        var token = await provider.GetTokenAsync(new MailTokenRequest(protocol, "reports@contoso.test"));

        var result = new TokenInspector(new TokenInspectorOptions { Protocol = protocol, AppOnly = true, Mailbox = "reports@contoso.test" }).Inspect(token.Token);

        var managed = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.ManagedIdentityToken);
        Assert.Contains(identity.ResourceId, managed.Observed, StringComparison.Ordinal);
        Assert.Contains("user-assigned", managed.Observed, StringComparison.Ordinal);
        Assert.Contains("New-MgServicePrincipalAppRoleAssignment", managed.Fix, StringComparison.Ordinal);
        Assert.Contains(role, managed.Fix, StringComparison.Ordinal);
        Assert.Contains(identity.ObjectId, managed.Fix, StringComparison.Ordinal);
        var setup = Assert.Single(result.Findings, f => f.Code == MailFindingCodes.AppOnlyExchangeSetup);
        Assert.Contains("New-ServicePrincipal -AppId " + identity.ClientId + " -ObjectId " + identity.ObjectId, setup.Fix, StringComparison.Ordinal);
        Assert.Contains("Add-MailboxPermission -Identity reports@contoso.test", setup.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_ApplicationToken_NoManagedIdentityFinding()
    {
        _entra.RegisterApplication(Tenant, "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a99").WithSecret("s3cret-for-inspect");
        var provider = new ClientSecretTokenProvider(Tenant, "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a99", "s3cret-for-inspect", new ClientSecretTokenProviderOptions().UseFakeEntraId(_entra));
        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap));

        var result = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Imap, AppOnly = true }).Inspect(token.Token);

        Assert.DoesNotContain(result.Findings, f => f.Code == MailFindingCodes.ManagedIdentityToken);
    }

    [Theory]
    [InlineData("[Managed Identity] Authentication unavailable. Either the requested identity has not been assigned to this resource, or other errors could be present.\nStatus: BadRequest\nContent:\n{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}", MailErrorCodes.ManagedIdentityNotAssigned)]
    [InlineData("{\"statusCode\":400,\"message\":\"Unable to load the proper Managed Identity.\",\"correlationId\":\"7f3c0e4e-8d6b-4f1e-9a55-0f0e6f1d2c3b\"}", MailErrorCodes.ManagedIdentityNotAssigned)]
    [InlineData("managed_identity_unreachable_network: Connection refused (169.254.169.254:80)", MailErrorCodes.ManagedIdentityUnavailable)]
    [InlineData("AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://oidc.prod-aks.azure.com/x/'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", MailErrorCodes.FederatedCredentialMismatch)]
    [InlineData("AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://kubernetes.default.svc.cluster.local'. Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'. Assertion Audience: 'api://AzureADTokenExchange'.", MailErrorCodes.FederatedCredentialMismatch)]
    [InlineData("AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:contoso/mailer:ref:refs/heads/main'.", MailErrorCodes.FederatedCredentialMismatch)]
    public void Explain_ManagedAndWorkloadIdentityErrors_RecognisedWithRemedyAndOtherFlow(string text, string code)
    {
        var explanation = MailResponseCatalog.Default.Explain(text);

        Assert.True(explanation.IsRecognised);
        Assert.Equal(code, explanation.Code);
        Assert.False(explanation.IsRetryable);
        Assert.True(explanation.Remedy.Contains("WorkloadIdentity", StringComparison.Ordinal) || explanation.Remedy.Contains("ManagedIdentity", StringComparison.Ordinal), explanation.Remedy);
    }
}
