using System.Text.Json;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class TestCommandTests
{
    [Fact]
    public async Task TestAll_Sandbox_PrintsATableWhereEveryStepPasses()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "all");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var expected in new[] { "protocol", "step", "result", "time", "finding", "fix", "IMAP", "POP", "SMTP", "EWS", "select INBOX", "GetFolder inbox", "STAT", "NOOP", "authenticate", "Graph", "list one message" })
        {
            Assert.Contains(expected, result.Out, StringComparison.Ordinal);
        }

        Assert.Contains("All 22 steps passed.", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("certificate")]
    [InlineData("device-code")]
    [InlineData("interactive")]
    public async Task TestAll_Json_EachFlowPassesEveryStep(string flow)
    {
        var cli = new CliRunner();
        var result = await cli.RunAsync("--sandbox", "test", "all", "--json", "--flow", flow, "--token-cache", cli.TempFile("cache.bin"));

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("mailbox_test", root.GetProperty("kind").GetString());
        Assert.True(root.GetProperty("success").GetBoolean());
        var steps = root.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(22, steps.Count);
        Assert.All(steps, s => Assert.Equal("passed", s.GetProperty("result").GetString()));
        Assert.Equal(["imap", "pop", "smtp", "ews", "graph"], steps.Select(s => s.GetProperty("protocol").GetString()).Distinct());
    }

    [Fact]
    public async Task Test_UnreachableServer_FailsTheConnectStepWithExit1AndSaysWhy()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "imap", "--imap-server", "127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED", result.Out, StringComparison.Ordinal);
        Assert.Contains("IMAP connect failed", result.Out, StringComparison.Ordinal);
        Assert.Contains("Connection refused", result.Out, StringComparison.Ordinal);
        Assert.Contains("skipped", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_UnreachableServerFromTheEnvironment_JsonNamesTheFailedStep()
    {
        var result = await new CliRunner().With("MODERNAUTH_MAIL_SMTP_SERVER", "127.0.0.1:1").RunAsync("--sandbox", "test", "smtp", "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
        var connect = json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "connect");
        Assert.Equal("failed", connect.GetProperty("result").GetString());
        Assert.Contains("Could not connect", connect.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_MailboxOutsideTheTenant_FailsAuthenticationWithExit4AndTheServersWords()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "imap", "--mailbox", "someone@elsewhere.example");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("authenticate", result.Out, StringComparison.Ordinal);
        Assert.Contains("FAILED", result.Out, StringComparison.Ordinal);
        Assert.Contains("mailbox_refused", result.Out, StringComparison.Ordinal);
        Assert.Contains("Get-EXOMailbox -Identity someone@elsewhere.example", result.Out.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_WrongSecret_FailsTheTokenStepWithExit4()
    {
        var result = await new CliRunner().With("MODERNAUTH_MAIL_CLIENT_SECRET", "wrong-one").RunAsync("--sandbox", "test", "pop", "--json");

        Assert.Equal(4, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var token = json.RootElement.GetProperty("steps")[0];
        Assert.Equal("token", token.GetProperty("step").GetString());
        Assert.Equal("invalid_client_secret", token.GetProperty("code").GetString());
        Assert.DoesNotContain("wrong-one", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestEws_Sandbox_PassesAgainstTheSandboxsEwsServer()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "ews", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["token", "inspect", "GetFolder inbox"], steps.Select(s => s.GetProperty("step").GetString()));
        Assert.All(steps, s => Assert.Equal("passed", s.GetProperty("result").GetString()));
    }

    [Fact]
    public async Task TestEws_SandboxPersonalAccounts_HaveNoEwsAndExitWith3()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "ews", "--cloud", "personal");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("IMAP", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestEws_UnreachableEndpoint_GetsATokenThenFailsTheGetFolderStepWithExit1()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "ews", "--json", "--ews-url", "http://127.0.0.1:1/EWS/Exchange.asmx");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["token", "inspect", "GetFolder inbox"], steps.Select(s => s.GetProperty("step").GetString()));
        Assert.Equal("passed", steps[0].GetProperty("result").GetString());
        Assert.Equal("failed", steps[2].GetProperty("result").GetString());
        Assert.Equal("ews_http_error", steps[2].GetProperty("code").GetString());
    }

    [Fact]
    public async Task TestGraph_UnreachableGraphUrl_GetsATokenThenFailsTheGetFolderStepWithExit1()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "test", "graph", "--json", "--graph-url", "https://127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["token", "inspect", "GetFolder inbox", "list one message"], steps.Select(s => s.GetProperty("step").GetString()));
        Assert.Equal("passed", steps[0].GetProperty("result").GetString());
        Assert.Equal("failed", steps[2].GetProperty("result").GetString());
        Assert.Equal("graph_http_error", steps[2].GetProperty("code").GetString());
        Assert.Contains("127.0.0.1:1", steps[2].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("skipped", steps[3].GetProperty("result").GetString());
    }
}
