using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using ModernAuth.Mail.PowerShell.Tokens;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>The rules the module's isolated loading rests on, and the manifest's version.</summary>
public sealed class ModuleLayoutTests
{
    [Fact]
    public void Cmdlets_ReferenceOnlyPowerShellDotNetAndModernAuthMail()
    {
        // The cmdlets load into PowerShell's default context. A reference to MailKit, MimeKit, MSAL, Graph or the logging
        // abstractions there would bind to whatever copy another module loaded first: they are reached through the engine.
        // (Read from the metadata: System.Management.Automation is not in this process.)
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "ModernAuth.Mail.PowerShell.dll"));
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)).ToArray();

        Assert.All(references, name => Assert.True(
            name is "netstandard" or "System.Management.Automation" || name.StartsWith("ModernAuth.Mail", StringComparison.Ordinal) || name.StartsWith("System.", StringComparison.Ordinal),
            $"The cmdlets reference {name}: reach it through ModernAuth.Mail.PowerShell.Engine instead."));
        Assert.Contains("ModernAuth.Mail.PowerShell.Engine", references);
    }

    [Fact]
    public void ModuleProtocol_HasMailProtocolsValues()
    {
        Assert.Equal(Enum.GetNames<MailProtocol>().Order(), Enum.GetNames<ModernAuthMailProtocol>().Order());
        foreach (var name in Enum.GetNames<MailProtocol>())
        {
            Assert.Equal((int)Enum.Parse<MailProtocol>(name), (int)Enum.Parse<ModernAuthMailProtocol>(name));
        }
    }

    [Fact]
    public void Manifest_VersionIsTheRepositorysVersion()
    {
        var props = File.ReadAllText(RepositoryRoot.File("Directory.Build.props"));
        var manifest = File.ReadAllText(RepositoryRoot.File("src", "ModernAuth.Mail.PowerShell", "ModernAuth.Mail.psd1"));
        var version = Regex.Match(props, "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        var suffix = Regex.Match(props, "<VersionSuffix>([^<]+)</VersionSuffix>").Groups[1].Value;
        Assert.Equal(version, Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value);
        Assert.Equal(suffix, Regex.Match(manifest, @"Prerelease\s*=\s*'([^']+)'").Groups[1].Value);
    }
}
