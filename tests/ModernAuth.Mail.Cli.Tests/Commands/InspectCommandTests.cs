using System.Text.Json;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class InspectCommandTests
{
    [Fact]
    public async Task Inspect_TokenAsArgument_NoErrorExitsWith0AndNeverEchoesTheToken()
    {
        var cli = new CliRunner();
        var token = await TokenAsync(cli, "smtp", "secret");

        var result = await cli.RunAsync("--sandbox", "inspect", token, "--protocol", "smtp", "--flow", "app", "--mailbox", "adele@contoso.test");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("app_only_exchange_setup", result.Out, StringComparison.Ordinal);
        Assert.Contains("New-ServicePrincipal", result.Out, StringComparison.Ordinal);
        TokenCommandTests.NeverShows(result, token);
    }

    [Fact]
    public async Task Inspect_TokenOnStdin_WrongProtocolScopeIsAnErrorAndExitsWith1()
    {
        var cli = new CliRunner();
        var token = await TokenAsync(cli, "imap", "device-code", cli.TempFile("cache.bin"));

        var result = await cli.RunAsync(["inspect", "-", "--protocol", "smtp", "--flow", "delegated"], token + "\n", CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("missing_scope", result.Out, StringComparison.Ordinal);
        TokenCommandTests.NeverShows(result, token);
    }

    [Fact]
    public async Task Inspect_Json_HasTheDocumentedSchemaFields()
    {
        var cli = new CliRunner();
        var token = await TokenAsync(cli, "imap", "certificate");

        var result = await cli.RunAsync(["--sandbox", "inspect", "-", "--protocol", "imap", "--flow", "app", "--json"], token, CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("token_inspection", root.GetProperty("kind").GetString());
        Assert.False(root.GetProperty("hasErrors").GetBoolean());
        var summary = root.GetProperty("token");
        Assert.Equal("jwt", summary.GetProperty("kind").GetString());
        Assert.Equal("https://outlook.office365.com", summary.GetProperty("audience").GetString());
        Assert.True(summary.GetProperty("appOnly").GetBoolean());
        Assert.Equal(8, summary.GetProperty("fingerprint").GetString()!.Length);
        Assert.Contains(summary.GetProperty("roles").EnumerateArray(), r => r.GetString() == "IMAP.AccessAsApp");
        foreach (var finding in root.GetProperty("findings").EnumerateArray())
        {
            foreach (var field in new[] { "code", "severity", "claim", "observed", "explanation", "fix" })
            {
                Assert.True(finding.TryGetProperty(field, out _), $"finding without {field}");
            }
        }

        TokenCommandTests.NeverShows(result, token);
    }

    [Fact]
    public async Task Inspect_TruncatedJwt_IsAnErrorAndExitsWith1()
    {
        var cli = new CliRunner();
        var token = await TokenAsync(cli, "imap", "secret");
        var truncated = token[..(token.LastIndexOf('.') - 40)];

        var result = await cli.RunAsync(["inspect", "-"], truncated, CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("token_malformed", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(truncated, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_PersonalAccountOpaqueToken_IsNotAnErrorAndExitsWith0()
    {
        var cli = new CliRunner();
        var token = await TokenAsync(cli, "imap", "device-code", cli.TempFile("personal.bin"), "--cloud", "personal");

        var result = await cli.RunAsync(["inspect", "-", "--protocol", "imap", "--flow", "delegated", "--cloud", "personal"], token, CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("opaque_token", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_EmptyInput_IsTokenEmptyAndExitsWith1()
    {
        var result = await new CliRunner().RunAsync(["inspect", "-"], "", CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("token_empty", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_BadUsage_ExitsWith2()
    {
        var badFlow = await new CliRunner().RunAsync("inspect", "abc", "--flow", "sideways");
        var badProtocol = await new CliRunner().RunAsync("inspect", "abc", "--protocol", "nntp");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var terminal = new CliConsole { Out = output, Error = error, In = new StringReader(""), IsInputRedirected = false, GetEnvironmentVariable = _ => null };
        var noToken = await CliApp.RunAsync(["inspect"], terminal, CancellationToken.None);

        Assert.Equal(2, badFlow.ExitCode);
        Assert.Equal(2, badProtocol.ExitCode);
        Assert.Equal(2, noToken);
        Assert.Contains("'-'", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_VerifySignatureInSandbox_SignatureValidAgainstTheFakeEntraIdKeys()
    {
        var cli = new CliRunner();
        var token = await TokenAsync(cli, "ews", "secret");

        var result = await cli.RunAsync(["--sandbox", "inspect", "-", "--protocol", "ews", "--flow", "app", "--verify-signature", "--json"], token, CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var codes = json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToList();
        Assert.Contains("signature_valid", codes);
        Assert.DoesNotContain("issuer_mismatch", codes);
        TokenCommandTests.NeverShows(result, token);
    }

    [Fact]
    public async Task Inspect_VerifySignatureOnTamperedToken_SignatureInvalidAndExitsWith1()
    {
        var cli = new CliRunner();
        var imap = await TokenAsync(cli, "imap", "secret");
        var smtp = await TokenAsync(cli, "smtp", "certificate");
        var parts = imap.Split('.');
        var tampered = parts[0] + "." + smtp.Split('.')[1] + "." + parts[2]; // the SMTP token's claims under the IMAP token's signature

        var result = await cli.RunAsync(["--sandbox", "inspect", "-", "--protocol", "smtp", "--verify-signature"], tampered, CancellationToken.None);
        var unverified = await cli.RunAsync(["--sandbox", "inspect", "-", "--protocol", "smtp"], tampered, CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("signature_invalid", result.Out, StringComparison.Ordinal);
        Assert.True(unverified.ExitCode == 0, unverified.ToString()); // without the option nothing checks the signature
        Assert.DoesNotContain("signature_", unverified.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(tampered, result.All, StringComparison.Ordinal);
    }

    internal static async Task<string> TokenAsync(CliRunner cli, string protocol, string flow, string? cache = null, params string[] extra)
    {
        var args = new List<string> { "--sandbox", "token", "--protocol", protocol, "--flow", flow, "--show" };
        if (cache is not null)
        {
            args.AddRange(["--token-cache", cache]);
        }

        args.AddRange(extra);
        var result = await cli.RunAsync([.. args]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Out.Trim();
    }
}
