using System.Text.Json;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

public sealed class ExplainCommandTests
{
    [Fact]
    public async Task Explain_ImapTaggedReply_IsRecognisedWithTheFix()
    {
        var result = await new CliRunner().RunAsync("explain", "A1 NO AUTHENTICATE failed.");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("imap_authenticate_failed", result.Out, StringComparison.Ordinal);
        Assert.Contains("New-ServicePrincipal", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_MultiLineSmtpWithExchangeTrace_IsRecognisedAndTheTraceKept()
    {
        const string Reply = "535-5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n" +
            "535 5.7.139 Visit https://aka.ms/smtp_auth_disabled for more information. [BN9PR03CA0123.namprd03.prod.outlook.com 2026-03-02T10:00:01.234Z 08DE3A1B2C3D4E5F]";

        var result = await new CliRunner().RunAsync(["explain", "-", "--json"], Reply, CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var reply = json.RootElement.GetProperty("reply");
        Assert.Equal("smtp_auth_disabled", reply.GetProperty("code").GetString());
        Assert.Equal("5.7.139", reply.GetProperty("enhancedStatusCode").GetString());
        Assert.Contains("08DE3A1B2C3D4E5F", reply.GetProperty("serverTrace").GetString(), StringComparison.Ordinal);
        Assert.Contains("Set-TransportConfig", reply.GetProperty("remedy").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_PopErr_IsRecognised()
    {
        var result = await new CliRunner().RunAsync("explain", "-ERR Authentication failure: unknown user name or bad password.");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("pop_authentication_failure", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_AadstsWithTraceIds_IsRecognisedWithTheIds()
    {
        const string Error = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11'.\n" +
            "Trace ID: 0b5e6f7a-1c2d-4e3f-9a8b-7c6d5e4f3a2b\nCorrelation ID: 3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c\nTimestamp: 2026-03-02 10:00:01Z";

        var result = await new CliRunner().RunAsync(["explain", "--json"], Error, CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var reply = json.RootElement.GetProperty("reply");
        Assert.Equal("invalid_client_secret", reply.GetProperty("code").GetString());
        Assert.Equal(7000215, reply.GetProperty("aadstsCode").GetInt32());
        Assert.Equal("0b5e6f7a-1c2d-4e3f-9a8b-7c6d5e4f3a2b", reply.GetProperty("traceId").GetString());
        Assert.Equal("3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", reply.GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task Explain_Unrecognised_ExitsWith1AndSaysWhatItNeeds()
    {
        var result = await new CliRunner().RunAsync("explain", "something went wrong");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Not recognised", result.Out, StringComparison.Ordinal);
        Assert.Contains("complete reply", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_UnknownAadstsCode_ExitsWith1AndShowsTheCodeTextAndWhereToLookItUp()
    {
        var result = await new CliRunner().RunAsync("explain", "AADSTS9999999: Something new happened.");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("token_service_error", result.Out, StringComparison.Ordinal);
        Assert.Contains("AADSTS9999999: Something new happened", result.Out, StringComparison.Ordinal);
        Assert.Contains("https://login.microsoftonline.com/error?code=9999999", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("complete reply", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_NothingGivenAtATerminal_ExitsWith2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole { Out = output, Error = error, In = new StringReader(""), IsInputRedirected = false, GetEnvironmentVariable = _ => null };

        var code = await CliApp.RunAsync(["explain"], console, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("standard input", error.ToString(), StringComparison.Ordinal);
    }
}
