using System.Text.Json;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests;

/// <summary>What a machine needs to run the tool: the .NET runtime only, never the ASP.NET Core runtime.</summary>
public sealed class ToolRuntimeTests
{
    [Fact]
    public void RuntimeConfig_NamesOnlyMicrosoftNetCoreApp()
    {
        // The tool's own runtimeconfig.json, copied beside the tests with modernauth-mail.dll.
        var path = Path.ChangeExtension(CliRunner.ExecutablePath, ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var options = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = options.TryGetProperty("frameworks", out var many)
            ? many.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList()
            : [options.GetProperty("framework").GetProperty("name").GetString()];

        Assert.Equal(["Microsoft.NETCore.App"], frameworks);
    }

    [Fact]
    public void Dependencies_HaveNoAspNetCoreAssembly()
    {
        // Nothing the tool loads may come from the ASP.NET Core shared framework (Kestrel, HttpContext, hosting).
        var deps = File.ReadAllText(Path.ChangeExtension(CliRunner.ExecutablePath, ".deps.json"));

        Assert.DoesNotContain("Microsoft.AspNetCore", deps, StringComparison.Ordinal);
    }
}
