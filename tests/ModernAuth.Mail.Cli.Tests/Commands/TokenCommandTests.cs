using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class TokenCommandTests
{
    [Theory]
    [InlineData("secret", "smtp", "SMTP.SendAsApp")]
    [InlineData("certificate", "imap", "IMAP.AccessAsApp")]
    [InlineData("secret", "pop", "POP.AccessAsApp")]
    [InlineData("certificate", "ews", "full_access_as_app")]
    [InlineData("secret", "graph", "Mail.ReadWrite")]
    [InlineData("certificate", "graph", "Mail.Send")]
    public async Task Token_AppOnlyFlow_PrintsRedactedSummaryWithRoles(string flow, string protocol, string role)
    {
        var cli = new CliRunner();
        var show = await cli.RunAsync("--sandbox", "token", "--protocol", protocol, "--flow", flow, "--show");
        Assert.Equal(0, show.ExitCode);
        var token = show.Out.Trim();

        var result = await cli.RunAsync("--sandbox", "token", "--protocol", protocol, "--flow", flow);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{flow} (app-only)", result.Out, StringComparison.Ordinal);
        Assert.Contains("adele@contoso.test", result.Out, StringComparison.Ordinal);
        Assert.Contains(role, result.Out, StringComparison.Ordinal);
        Assert.Contains("fingerprint", result.Out, StringComparison.Ordinal);
        Assert.Contains("expires", result.Out, StringComparison.Ordinal);
        NeverShows(result, token);
    }

    [Fact]
    public async Task Token_Show_PrintsTheRawTokenAloneOnStdout()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--protocol", "imap", "--show");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Equal(3, lines[0].Split('.').Length);
        Assert.StartsWith("eyJ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_DeviceCode_ShowsTheCodeOnceThenLaterRunsAreSilentFromTheCache()
    {
        var cli = new CliRunner();
        var cache = cli.TempFile("token-cache.bin");

        var first = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "device-code", "--token-cache", cache);
        var second = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "device-code", "--token-cache", cache);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Sign in with a device code", first.Error, StringComparison.Ordinal);
        Assert.Contains("enter the code", first.Error, StringComparison.Ordinal);
        Assert.Contains("IMAP.AccessAsUser.All", first.Out, StringComparison.Ordinal);
        Assert.Contains("device-code (delegated)", first.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(cache));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain("device code", second.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Fingerprint(first.Out), Fingerprint(second.Out));
    }

    [Fact]
    public async Task Token_Interactive_SignsInInTheScriptedBrowserOnceThenSilentFromTheCache()
    {
        var cli = new CliRunner();
        var cache = cli.TempFile("browser-cache.bin");

        var first = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "interactive", "--token-cache", cache);
        var second = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "interactive", "--token-cache", cache, "--disable-interactive-sign-in", "true");
        var personal = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "interactive", "--cloud", "personal", "--token-cache", cli.TempFile("browser-personal.bin"));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("interactive (delegated)", first.Out, StringComparison.Ordinal);
        Assert.Contains("IMAP.AccessAsUser.All", first.Out, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(Fingerprint(first.Out), Fingerprint(second.Out));
        Assert.True(personal.ExitCode == 0, personal.ToString());
        Assert.Contains("megan@outlook.test", personal.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MODERNAUTH_MAIL_SANDBOX_BROWSER", "decline", "interactive", "sign_in_canceled")]
    [InlineData("MODERNAUTH_MAIL_SANDBOX_BROWSER", "never", "interactive", "sign_in_timed_out")]
    [InlineData("MODERNAUTH_MAIL_SANDBOX_BROWSER", "blocked", "interactive", "conditional_access_blocked")]
    [InlineData("MODERNAUTH_MAIL_SANDBOX_DEVICE_CODE", "blocked", "device-code", "--flow interactive")]
    public async Task Token_BrowserOrDeviceCodeFault_ExitsWith4WithTheCodeAndRemedy(string knob, string value, string flow, string expected)
    {
        var cli = new CliRunner().With(knob, value);
        var result = await cli.RunAsync("--sandbox", "token", "--flow", flow, "--sign-in-timeout", "00:00:01", "--token-cache", cli.TempFile("fault.bin"));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public async Task Token_DeviceCodeForPersonalAccount_IsOpaqueAndThatIsNormal()
    {
        var cli = new CliRunner();
        var result = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--flow", "device-code", "--cloud", "personal", "--token-cache", cli.TempFile("personal.bin"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("opaque (normal for personal accounts", result.Out, StringComparison.Ordinal);
        Assert.Contains("megan@outlook.test", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("problem", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Json_HasTheSummaryAndNoToken()
    {
        var cli = new CliRunner();
        var token = (await cli.RunAsync("--sandbox", "token", "--protocol", "smtp", "--show")).Out.Trim();
        var result = await cli.RunAsync("--sandbox", "token", "--protocol", "smtp", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("token", root.GetProperty("kind").GetString());
        Assert.Equal("smtp", root.GetProperty("protocol").GetString());
        Assert.Equal("secret", root.GetProperty("flow").GetString());
        Assert.Equal("jwt", root.GetProperty("tokenKind").GetString());
        Assert.Contains(root.GetProperty("roles").EnumerateArray(), r => r.GetString() == "SMTP.SendAsApp");
        Assert.Equal(8, root.GetProperty("fingerprint").GetString()!.Length);
        Assert.Equal(string.Empty, result.Error);
        NeverShows(result, token);
    }

    [Fact]
    public async Task Token_WrongSecret_ExitsWith4AndShowsTheRemedyButNotTheSecret()
    {
        const string WrongSecret = "Wr0ng~secret-value-that-must-never-be-printed";
        var result = await new CliRunner().With("MODERNAUTH_MAIL_CLIENT_SECRET", WrongSecret).RunAsync("--sandbox", "token", "--protocol", "smtp");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("invalid_client_secret", result.Error, StringComparison.Ordinal);
        Assert.Contains("New client secret", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_SecretFromFile_IsUsedAndAWrongOneIsRefused()
    {
        var cli = new CliRunner();
        var file = cli.TempFile("secret.txt", "not-the-sandbox-secret\n");

        var result = await cli.RunAsync("--sandbox", "token", "--protocol", "imap", "--client-secret-file", file);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("AADSTS7000215", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-sandbox-secret", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_DeclinedDeviceCode_ExitsWith4AndSaysToSignInAgain()
    {
        var cli = new CliRunner().With("MODERNAUTH_MAIL_SANDBOX_DEVICE_CODE", "decline");
        var result = await cli.RunAsync("--sandbox", "token", "--flow", "device-code", "--token-cache", cli.TempFile("declined.bin"));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("device_code_declined", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run the sign-in again", result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public async Task Token_ExpiredDeviceCode_ExitsWith4()
    {
        var cli = new CliRunner().With("MODERNAUTH_MAIL_SANDBOX_DEVICE_CODE", "expire");
        var result = await cli.RunAsync("--sandbox", "token", "--flow", "device-code", "--token-cache", cli.TempFile("expired.bin"));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("device_code_expired", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_CancelledWhileTheTokenServiceHangs_ExitsWith130()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var result = await new CliRunner().With("MODERNAUTH_MAIL_SANDBOX_FAULT", "hang").RunAsync(["--sandbox", "token", "--protocol", "smtp"], null, cancellation.Token);

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("Cancelled", result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Token_TokenServiceUnavailable_ExitsWith4AndSaysItIsRetryable()
    {
        var result = await new CliRunner().With("MODERNAUTH_MAIL_SANDBOX_FAULT", "unavailable").RunAsync("--sandbox", "token", "--protocol", "smtp");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("token_service_unavailable", result.Error, StringComparison.Ordinal);
    }

    private static string Fingerprint(string output) =>
        output.Split('\n').Single(l => l.StartsWith("fingerprint", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    internal static void NeverShows(CliResult result, string token)
    {
        Assert.DoesNotContain(token, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[^1], result.All, StringComparison.Ordinal);
    }
}
