using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

/// <summary>
/// <c>--flow managed-identity</c> and <c>--flow workload-identity</c> against the sandbox: it answers IMDS in place of
/// Azure and writes a federated token file as a Kubernetes pod would have; the tokens log in at the real Dovecot and Postfix.
/// </summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class AzureIdentityFlowCommandTests
{
    [Theory]
    [InlineData("managed-identity", "smtp", "SMTP.SendAsApp")]
    [InlineData("managed-identity", "graph", "Mail.Send")]
    [InlineData("workload-identity", "imap", "IMAP.AccessAsApp")]
    [InlineData("workload-identity", "ews", "full_access_as_app")]
    public async Task Token_SandboxFlow_PrintsAppOnlySummaryWithoutTheToken(string flow, string protocol, string role)
    {
        var cli = new CliRunner();
        var show = await cli.RunAsync("--sandbox", "token", "--protocol", protocol, "--flow", flow, "--show");
        Assert.True(show.ExitCode == 0, show.ToString());

        var result = await cli.RunAsync("--sandbox", "token", "--protocol", protocol, "--flow", flow);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{flow} (app-only)", result.Out, StringComparison.Ordinal);
        Assert.Contains(role, result.Out, StringComparison.Ordinal);
        TokenCommandTests.NeverShows(result, show.Out.Trim());
    }

    [Theory]
    [InlineData("managed-identity")]
    [InlineData("workload-identity")]
    public async Task Test_ImapAndSmtpAtTheRealServers_LogInWithTheFlowsToken(string flow)
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "imap", "--flow", flow);
        var smtp = await new CliRunner().RunAsync("--sandbox", "test", "smtp", "--flow", flow);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(smtp.ExitCode == 0, smtp.ToString());
        Assert.Contains(flow, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ManagedIdentityNotAssigned_ExitsWithCodeAndRemedy()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "managed-identity",
            "--managed-identity-client-id", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("managed_identity_not_assigned", result.All, StringComparison.Ordinal);
        Assert.Contains("ManagedIdentityClientId", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_WorkloadIdentityFileMissing_ConfigurationErrorNamingTheOption()
    {
        var cli = new CliRunner();
        var result = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "workload-identity",
            "--federated-token-file", Path.Combine(cli.Home, "no-such-token"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--federated-token-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ManagedIdentityWithClientId_ConfigurationErrorPointingToTheRightOption()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "managed-identity",
            "--client-id", "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--managed-identity-client-id", result.Error, StringComparison.Ordinal);
    }
}
