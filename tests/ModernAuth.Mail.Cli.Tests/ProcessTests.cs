using System.Diagnostics;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests;

/// <summary>The built executable as a user runs it: a real process, real pipes, a real SIGINT.</summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class ProcessTests
{
    [Fact]
    public async Task Executable_Help_ExitsWith0()
    {
        var result = await new CliRunner().RunProcessAsync(["--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("modernauth-mail", result.Out, StringComparison.Ordinal);
        Assert.Contains("Exit codes", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_TokenShowPipedIntoInspect_WorksAndNeverEchoesTheToken()
    {
        var cli = new CliRunner();
        var token = await cli.RunProcessAsync(["--sandbox", "token", "--protocol", "smtp", "--show"]);
        Assert.True(token.ExitCode == 0, token.ToString());

        var inspect = await cli.RunProcessAsync(["--sandbox", "inspect", "-", "--protocol", "smtp", "--flow", "app"], stdin: token.Out);

        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("JWT v1.0", inspect.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Out.Trim(), inspect.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_SandboxTestAll_ExitsWith0()
    {
        var result = await new CliRunner().RunProcessAsync(["--sandbox", "test", "all"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("All 22 steps passed.", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_CtrlC_ExitsWith130WithAClearMessage()
    {
        var cli = new CliRunner().With("MODERNAUTH_MAIL_SANDBOX_FAULT", "hang");

        var result = await cli.RunProcessAsync(["--sandbox", "token", "--protocol", "imap"], afterStart: async process =>
        {
            // Long enough for the sandbox to start and the token request to hang.
            await Task.Delay(TimeSpan.FromSeconds(3));
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        });

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("Cancelled (Ctrl+C)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_UnreachableServer_ExitsWith1()
    {
        var result = await new CliRunner().RunProcessAsync(["--sandbox", "test", "pop", "--pop-server", "127.0.0.1:1"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Connection refused", result.Out, StringComparison.Ordinal);
    }
}
