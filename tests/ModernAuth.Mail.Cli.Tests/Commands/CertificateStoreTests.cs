using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

/// <summary><c>--certificate-thumbprint</c> with the CurrentUser or LocalMachine store, from the option, the environment or a profile.</summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class CertificateStoreTests
{
    private const string Thumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";

    public static TheoryData<string> Sources => ["option", "environment", "profile"];

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task LocalMachine_FromEachSource_IsTheStoreSearched(string source)
    {
        // LocalMachine\Root opens on every platform, so the search itself proves the location arrived: the thumbprint
        // is in no store, and the message names the store that was searched.
        var (cli, args) = Configure(source, "LocalMachine", "Root");

        var result = await cli.RunAsync(["--sandbox", "token", "--protocol", "imap", "--flow", "certificate", "--certificate-thumbprint", Thumbprint, .. args]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"No certificate with thumbprint {Thumbprint} is in the LocalMachine/Root store", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalMachineMy_OffWindows_ClearErrorThatNamesWhatWorksInstead()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--protocol", "imap", "--certificate-thumbprint", Thumbprint, "--certificate-store-location", "LocalMachine");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("(certificate_unavailable)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        if (OperatingSystem.IsWindows())
        {
            // There the store opens: the search itself fails.
            Assert.Contains($"No certificate with thumbprint {Thumbprint} is in the LocalMachine/My store", result.Error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("The LocalMachine/My certificate store exists only on Windows", result.Error, StringComparison.Ordinal);
            Assert.Contains("--certificate-path", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnknownStoreLocation_ExitsWith3AndNamesTheChoices()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "token", "--protocol", "imap", "--certificate-thumbprint", Thumbprint, "--certificate-store-location", "Machine");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("CurrentUser, LocalMachine", result.Error, StringComparison.Ordinal);
    }

    private static (CliRunner Cli, string[] Args) Configure(string source, string location, string storeName)
    {
        var cli = new CliRunner();
        switch (source)
        {
            case "option":
                return (cli, ["--certificate-store-location", location, "--certificate-store-name", storeName]);
            case "environment":
                cli.With("MODERNAUTH_MAIL_CERTIFICATE_STORE_LOCATION", location).With("MODERNAUTH_MAIL_CERTIFICATE_STORE_NAME", storeName);
                return (cli, []);
            default:
                var config = cli.TempFile("profiles.json", $$"""{ "profiles": { "lab": { "certificateStoreLocation": "{{location}}", "certificateStoreName": "{{storeName}}" } } }""");
                return (cli, ["--config", config, "--profile", "lab"]);
        }
    }
}
