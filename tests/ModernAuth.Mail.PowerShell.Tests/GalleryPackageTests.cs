using System.IO.Compression;
using System.Xml.Linq;
using ModernAuth.Mail.PowerShell.Tests.Support;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>
/// The packed module as the PowerShell Gallery takes it: a valid manifest, packed by PSResourceGet's own
/// Compress-PSResource into a .nupkg with the cmdlets, their dependencies and the help, then installed from that package
/// with Install-PSResource and used.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class GalleryPackageTests(PowerShellSandbox sandbox)
{
    [Fact]
    public async Task PackedModule_PassesTestModuleManifest_PacksAsAGalleryPackage_AndWorksInstalledFromIt()
    {
        var home = sandbox.NewHome();
        var feed = Path.Combine(home, "feed");
        var result = await sandbox.RunAsync($$"""
            $manifest = Test-ModuleManifest -Path (Join-Path '{{sandbox.ModulePath}}' 'ModernAuth.Mail.psd1')
            $null = New-Item -ItemType Directory '{{feed}}'
            $package = Compress-PSResource -Path '{{sandbox.ModulePath}}' -DestinationPath '{{feed}}' -PassThru
            Register-PSResourceRepository -Name LocalGallery -Uri '{{feed}}' -Trusted
            Install-PSResource -Name ModernAuth.Mail -Repository LocalGallery -Prerelease -Scope CurrentUser -TrustRepository -Quiet
            $installed = Get-InstalledPSResource -Name ModernAuth.Mail -Scope CurrentUser
            $psd1 = Get-ChildItem -Path (Join-Path $installed.InstalledLocation 'ModernAuth.Mail') -Recurse -Filter ModernAuth.Mail.psd1 | Select-Object -First 1
            Import-Module $psd1.FullName
            $explained = Resolve-ModernAuthMailError '535 5.7.3 Authentication unsuccessful'
            $help = Get-Help Send-ModernAuthMailMessage -Parameter CertificateStoreLocation
            [ordered]@{
                Name = $manifest.Name; Version = "$($manifest.Version)"; Prerelease = $manifest.PrivateData.PSData.Prerelease
                Editions = @($manifest.CompatiblePSEditions); PowerShellVersion = "$($manifest.PowerShellVersion)"
                Cmdlets = @($manifest.ExportedCmdlets.Keys | Sort-Object)
                Package = $package.FullName
                Installed = $psd1.DirectoryName
                LoadedFrom = (Get-Command Resolve-ModernAuthMailError).Module.ModuleBase
                Explained = $explained.Code
                Help = ($help.description | ForEach-Object Text) -join ' '
            } | ConvertTo-Json
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        Assert.Equal("ModernAuth.Mail", report.GetProperty("Name").GetString());
        Assert.Equal(["Core", "Desktop"], report.GetProperty("Editions").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("5.1", report.GetProperty("PowerShellVersion").GetString());
        Assert.Equal(
            ["Get-ModernAuthMailToken", "Resolve-ModernAuthMailError", "Send-ModernAuthMailMessage", "Test-ModernAuthMail", "Test-ModernAuthMailToken"],
            report.GetProperty("Cmdlets").EnumerateArray().Select(c => c.GetString()));

        // The package: the manifest and the cmdlets at the root, everything else under dependencies/, the help under en-US/.
        var version = $"{report.GetProperty("Version").GetString()}-{report.GetProperty("Prerelease").GetString()}";
        var package = report.GetProperty("Package").GetString()!;
        Assert.Equal($"ModernAuth.Mail.{version}.nupkg", Path.GetFileName(package));
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(
                ["ModernAuth.Mail.PowerShell.dll", "ModernAuth.Mail.nuspec", "ModernAuth.Mail.psd1"],
                entries.Where(e => !e.Contains('/', StringComparison.Ordinal) && !e.StartsWith('[')).Order(StringComparer.Ordinal));
            Assert.Contains("en-US/ModernAuth.Mail.PowerShell.dll-Help.xml", entries);
            foreach (var dependency in new[] { "ModernAuth.Mail.PowerShell.Engine", "ModernAuth.Mail", "ModernAuth.Mail.MailKit", "ModernAuth.Mail.Graph", "ModernAuth.Mail.Ews", "Microsoft.Identity.Client", "MailKit", "MimeKit", "Microsoft.Graph" })
            {
                Assert.Contains($"dependencies/{dependency}.dll", entries);
            }

            using var nuspec = zip.GetEntry("ModernAuth.Mail.nuspec")!.Open();
            var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            Assert.Equal("ModernAuth.Mail", metadata.Elements().Single(e => e.Name.LocalName == "id").Value);
            Assert.Equal(version, metadata.Elements().Single(e => e.Name.LocalName == "version").Value);
            Assert.Contains("PSModule", metadata.Elements().Single(e => e.Name.LocalName == "tags").Value.Split(' '));
        }

        // Installed from the package (not the build folder), it loads and works, help included.
        var installed = report.GetProperty("Installed").GetString()!;
        Assert.StartsWith(home, installed, StringComparison.Ordinal);
        Assert.Equal(Path.TrimEndingDirectorySeparator(installed), Path.TrimEndingDirectorySeparator(report.GetProperty("LoadedFrom").GetString()!));
        Assert.Equal("smtp_authentication_unsuccessful", report.GetProperty("Explained").GetString());
        Assert.Contains("CurrentUser", report.GetProperty("Help").GetString(), StringComparison.Ordinal);
    }
}
