using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

/// <summary>Options, environment variables and profiles: precedence, missing values, bad usage.</summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class ConfigurationTests
{
    [Fact]
    public async Task MissingClientId_ExitsWith3AndNamesWhatToSet()
    {
        var result = await new CliRunner().RunAsync("token", "--protocol", "imap");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--client-id", result.Error, StringComparison.Ordinal);
        Assert.Contains("MODERNAUTH_MAIL_CLIENT_ID", result.Error, StringComparison.Ordinal);
        Assert.Contains("\"clientId\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppOnlyFlowWithoutTenant_ExitsWith3AndNamesWhatToSet()
    {
        var result = await new CliRunner().With("MODERNAUTH_MAIL_CLIENT_ID", "00000000-1111-2222-3333-444444444444").RunAsync("token", "--flow", "secret");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("MODERNAUTH_MAIL_TENANT_ID", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretFlowWithoutSecretAndNoTerminal_ExitsWith3AndNamesTheSafeWays()
    {
        var result = await new CliRunner().RunAsync("token", "--flow", "secret", "--tenant", "contoso.com", "--client-id", "00000000-1111-2222-3333-444444444444");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("MODERNAUTH_MAIL_CLIENT_SECRET", result.Error, StringComparison.Ordinal);
        Assert.Contains("--client-secret-file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretOnTheCommandLine_IsRefusedWithExit2AndNotEchoed()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--client-secret", "p4ss-w0rd-on-the-command-line");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("MODERNAUTH_MAIL_CLIENT_SECRET", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("p4ss-w0rd-on-the-command-line", result.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token", "--protocol", "gopher")]
    [InlineData("token", "--flow", "password")]
    [InlineData("test")]
    [InlineData("test", "imap4")]
    [InlineData("send", "--subject", "no recipient")]
    [InlineData("frobnicate")]
    [InlineData("token", "--no-such-option")]
    public async Task BadUsage_ExitsWith2AndPointsToHelp(params string[] args)
    {
        var result = await new CliRunner().RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public async Task NoCommand_ExitsWith2()
    {
        var result = await new CliRunner().RunAsync();

        Assert.Equal(2, result.ExitCode);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("token", "--help")]
    [InlineData("inspect", "--help")]
    [InlineData("explain", "--help")]
    [InlineData("test", "--help")]
    [InlineData("send", "--help")]
    public async Task Help_ExitsWith0AndShowsExamples(params string[] args)
    {
        var result = await new CliRunner().RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Out, StringComparison.Ordinal);
        Assert.Contains("modernauth-mail", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Precedence_OptionBeatsEnvironmentWhichBeatsProfile()
    {
        var cli = new CliRunner();
        var config = cli.TempFile("profiles.json", """
            {
              "defaultProfile": "lab",
              "profiles": {
                "lab": { "mailbox": "from-profile@contoso.test", "flow": "certificate" }
              }
            }
            """);

        var profileOnly = await cli.RunAsync("--sandbox", "--config", config, "token", "--protocol", "imap");
        var withEnvironment = await new CliRunner().With("MODERNAUTH_MAIL_MAILBOX", "from-env@contoso.test").RunAsync("--sandbox", "--config", config, "token", "--protocol", "imap");
        var withOption = await new CliRunner().With("MODERNAUTH_MAIL_MAILBOX", "from-env@contoso.test").RunAsync("--sandbox", "--config", config, "token", "--protocol", "imap", "--mailbox", "from-option@contoso.test");

        Assert.True(profileOnly.ExitCode == 0, profileOnly.ToString());
        Assert.Contains("from-profile@contoso.test", profileOnly.Out, StringComparison.Ordinal);
        Assert.Contains("certificate (app-only)", profileOnly.Out, StringComparison.Ordinal);
        Assert.Contains("from-env@contoso.test", withEnvironment.Out, StringComparison.Ordinal);
        Assert.Contains("from-option@contoso.test", withOption.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultProfileFile_IsReadFromTheConfigFolderAndANamedProfileIsPicked()
    {
        var cli = new CliRunner();
        Directory.CreateDirectory(Path.Combine(cli.Home, ".config", "modernauth-mail"));
        File.WriteAllText(Path.Combine(cli.Home, ".config", "modernauth-mail", "profiles.json"), """
            { "profiles": { "work": { "tenantId": "contoso.com", "clientId": "00000000-1111-2222-3333-444444444444", "flow": "secret" } } }
            """);

        var result = await cli.RunAsync("--profile", "work", "token");

        // The profile supplied tenant, client id and flow: what is missing now is only the secret.
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("MODERNAUTH_MAIL_CLIENT_SECRET", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileKeySpeltTheOldWay_ExitsWith3AndSuggestsTheSettingsName()
    {
        var cli = new CliRunner();
        var config = cli.TempFile("profiles.json", """{ "profiles": { "work": { "clientId": "00000000-1111-2222-3333-444444444444", "tokenCache": "cache.bin" } } }""");

        var result = await cli.RunAsync("--config", config, "--profile", "work", "token");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("\"tokenCache\"", result.Error, StringComparison.Ordinal);
        Assert.Contains("did you mean \"tokenCachePath\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadValueFromTheEnvironment_ExitsWith3AndNamesItsSource()
    {
        var result = await new CliRunner().With("MODERNAUTH_MAIL_NETWORK_TIMEOUT", "thirty seconds").RunAsync("--sandbox", "token");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("MODERNAUTH_MAIL_NETWORK_TIMEOUT", result.Error, StringComparison.Ordinal);
        Assert.Contains("00:00:30", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidSettingFromAnOption_ExitsWith3AndNamesEveryWayToSetIt()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--smtp-server", "smtp.example.com:99999");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--smtp-server (MODERNAUTH_MAIL_SMTP_SERVER, \"smtpServer\" in the profile)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownProfile_ExitsWith3AndListsTheProfiles()
    {
        var cli = new CliRunner();
        var config = cli.TempFile("profiles.json", """{ "profiles": { "work": { "clientId": "x" }, "lab": { "clientId": "y" } } }""");

        var result = await cli.RunAsync("--config", config, "--profile", "home", "token");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("'home'", result.Error, StringComparison.Ordinal);
        Assert.Contains("lab, work", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileWithASecret_IsRefusedAndTheSecretNotShown()
    {
        var cli = new CliRunner();
        var config = cli.TempFile("profiles.json", """{ "profiles": { "work": { "clientId": "x", "clientSecret": "s3cr3t-in-a-profile" } } }""");

        var result = await cli.RunAsync("--config", config, "--profile", "work", "token");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("never hold secrets", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-in-a-profile", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SandboxWithoutServersJson_ExitsWith3AndSaysToStartTheServers()
    {
        var cli = new CliRunner().With("MODERNAUTH_MAIL_SERVERS_DIR", Path.Combine(Path.GetTempPath(), "no-servers-here-" + Guid.NewGuid().ToString("N")));

        var result = await cli.RunAsync("--sandbox", "token");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("eng/test-servers.sh start", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCloud_ExitsWith3()
    {
        var result = await new CliRunner().With("MODERNAUTH_MAIL_CLOUD", "Mars").RunAsync("token", "--client-id", "x");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("'Mars'", result.Error, StringComparison.Ordinal);
    }
}
