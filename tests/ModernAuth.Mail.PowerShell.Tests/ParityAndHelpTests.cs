using System.Text.Json;
using ModernAuth.Mail.PowerShell.Tests.Support;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>Send-ModernAuthMailMessage has Send-MailMessage's parameters exactly, and every cmdlet has real help.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ParityAndHelpTests(PowerShellSandbox sandbox)
{
    [Fact]
    public async Task SendModernAuthMailMessage_HasSendMailMessagesParameters_SameTypesAliasesPositionsAndPipeline()
    {
        var result = await sandbox.RunAsync("""
            function Describe($command, $name) {
                $parameter = $command.Parameters[$name]
                # Send-MailMessage has one parameter set; its parameters are in all of ours.
                $attribute = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ParameterSetName -eq '__AllParameterSets' }
                @{
                    Present = $true
                    Type = $parameter.ParameterType.FullName
                    Aliases = @($parameter.Aliases | Sort-Object) -join ','
                    Mandatory = $attribute.Mandatory
                    Position = $attribute.Position
                    ByValue = $attribute.ValueFromPipeline
                    ByPropertyName = $attribute.ValueFromPipelineByPropertyName
                    Validation = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateArgumentsAttribute] -or $_ -is [System.Management.Automation.CredentialAttribute] } |
                        ForEach-Object { $_.GetType().Name + $(if ($_ -is [System.Management.Automation.ValidateRangeAttribute]) { "($($_.MinRange),$($_.MaxRange))" }) } | Sort-Object) -join ','
                }
            }
            $old = Get-Command Send-MailMessage
            $new = Get-Command Send-ModernAuthMailMessage
            $common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name
            $report = [ordered]@{}
            foreach ($name in $old.Parameters.Keys | Where-Object { $common -notcontains $_ } | Sort-Object) {
                $report[$name] = @{ Old = (Describe $old $name); New = $(if ($new.Parameters.ContainsKey($name)) { Describe $new $name } else { @{ Present = $false } }) }
            }
            $report | ConvertTo-Json -Depth 4
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        var names = report.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(
            ["Attachments", "Bcc", "Body", "BodyAsHtml", "Cc", "Credential", "DeliveryNotificationOption", "Encoding", "From", "Port", "Priority", "ReplyTo", "SmtpServer", "Subject", "To", "UseSsl"],
            names);
        foreach (var parameter in report.EnumerateObject())
        {
            var old = parameter.Value.GetProperty("Old");
            var @new = parameter.Value.GetProperty("New");
            Assert.True(@new.GetProperty("Present").GetBoolean(), $"-{parameter.Name} is missing");
            foreach (var aspect in new[] { "Type", "Aliases", "Mandatory", "Position", "ByValue", "ByPropertyName", "Validation" })
            {
                Assert.True(
                    JsonElement.DeepEquals(old.GetProperty(aspect), @new.GetProperty(aspect)),
                    $"-{parameter.Name} {aspect}: Send-MailMessage has {old.GetProperty(aspect)}, Send-ModernAuthMailMessage has {@new.GetProperty(aspect)}");
            }
        }

        Assert.Equal("PsPath", report.GetProperty("Attachments").GetProperty("New").GetProperty("Aliases").GetString());
        Assert.Equal(0, report.GetProperty("To").GetProperty("New").GetProperty("Position").GetInt32());
    }

    [Fact]
    public async Task GetHelpFull_ShowsRealTextForEveryCmdletAndParameter()
    {
        var result = await sandbox.RunAsync("""
            $report = [ordered]@{}
            foreach ($command in Get-Command -Module ModernAuth.Mail) {
                $help = Get-Help $command.Name -Full
                $report[$command.Name] = @{
                    Synopsis = $help.Synopsis
                    Description = ($help.description | ForEach-Object Text) -join ' '
                    Examples = @($help.examples.example).Count
                    Parameters = @($help.parameters.parameter | ForEach-Object { @{ Name = $_.name; Text = ($_.description | ForEach-Object Text) -join ' ' } })
                    Full = ($help | Out-String -Width 300)
                }
            }
            $report | ConvertTo-Json -Depth 4
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        Assert.Equal(
            ["Get-ModernAuthMailToken", "Resolve-ModernAuthMailError", "Send-ModernAuthMailMessage", "Test-ModernAuthMail", "Test-ModernAuthMailToken"],
            report.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var command in report.EnumerateObject())
        {
            var help = command.Value;
            Assert.True(help.GetProperty("Synopsis").GetString()!.Length > 40, $"{command.Name}: {help.GetProperty("Synopsis")}");
            Assert.True(help.GetProperty("Description").GetString()!.Length > 100, $"{command.Name} has no description");
            Assert.True(help.GetProperty("Examples").GetInt32() >= 2, $"{command.Name} has fewer than two examples");
            foreach (var parameter in help.GetProperty("Parameters").EnumerateArray())
            {
                Assert.True(parameter.GetProperty("Text").GetString()!.Length > 10, $"{command.Name} -{parameter.GetProperty("Name")} has no help text");
            }
        }

        var full = report.GetProperty("Send-ModernAuthMailMessage").GetProperty("Full").GetString()!;
        Assert.Contains("takes every parameter of Send-MailMessage with the same name", full, StringComparison.Ordinal);
        Assert.Contains("-Credential <PSCredential>", full, StringComparison.Ordinal);
        Assert.Contains("Exchange Online no longer takes passwords", full, StringComparison.Ordinal);
        Assert.Contains("-------------------------- Example 1 --------------------------", full, StringComparison.Ordinal);
        Assert.Contains("Get-ChildItem C:\\Exports\\*.xlsx | Send-ModernAuthMailMessage", full, StringComparison.Ordinal);
        var sendParameters = report.GetProperty("Send-ModernAuthMailMessage").GetProperty("Parameters").EnumerateArray().Select(p => p.GetProperty("Name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "ManagedIdentity", "ManagedIdentityClientId", "ManagedIdentityResourceId", "WorkloadIdentity", "FederatedTokenFile", "Interactive", "RedirectUri", "SignInTimeout" }, sendParameters);
        Assert.Contains("Alias -Identity, as Connect-AzAccount", full, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsTable_PowerShellColumn_NamesTheModulesParametersBySettingName()
    {
        var result = await sandbox.RunAsync("""
            @(Get-Command -Module ModernAuth.Mail | ForEach-Object { $_.Parameters.Keys } | Sort-Object -Unique) | ConvertTo-Json
            """);
        Assert.True(result.ExitCode == 0, result.ToString());
        var parameters = result.Json().EnumerateArray().Select(p => p.GetString()!).ToHashSet(StringComparer.Ordinal);

        foreach (var setting in MailTokenProviderSettings.SettingNames)
        {
            var cell = SettingsTable.Cell(setting, "PowerShell parameter");
            if (parameters.Contains(setting))
            {
                // A parameter named as a setting sets that setting: the table must say so.
                Assert.StartsWith($"`-{setting}`", cell, StringComparison.Ordinal);
            }
            else if (setting == "Flow")
            {
                Assert.StartsWith("(the parameter set: `-ClientSecret`, `-CertificateThumbprint`, `-CertificatePath`, `-ManagedIdentity` (alias `-Identity`), `-WorkloadIdentity`, `-DeviceCode` or `-Interactive`)", cell, StringComparison.Ordinal);
                Assert.Superset(new HashSet<string> { "ClientSecret", "CertificateThumbprint", "CertificatePath", "ManagedIdentity", "WorkloadIdentity", "DeviceCode", "Interactive" }, parameters);
            }
            else
            {
                Assert.Equal("(profile)", cell);
            }
        }
    }
}
