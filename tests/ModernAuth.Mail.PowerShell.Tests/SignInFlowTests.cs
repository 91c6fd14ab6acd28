using MimeKit;
using ModernAuth.Mail.PowerShell.Tests.Support;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>The sign-ins of the core's newer flows in a real pwsh: workload identity, managed identity, the interactive browser.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class SignInFlowTests(PowerShellSandbox sandbox)
{
    [Fact]
    public async Task WorkloadIdentity_ByParametersByEnvironmentAndByProfile_Delivers()
    {
        var tokenFile = sandbox.WriteFederatedToken();
        var federatedToken = await File.ReadAllTextAsync(tokenFile);
        var home = sandbox.NewHome($$"""
            "pod": { "tenantId": "{{sandbox.TenantId}}", "clientId": "{{PowerShellSandbox.WorkloadAppId}}", "flow": "workload-identity", "federatedTokenFile": "{{tokenFile}}",
                     "authorityHost": "{{sandbox.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}}", "disableInstanceDiscovery": true,
                     "authorityCertificatePath": "{{sandbox.AuthorityCertificatePath}}", "smtpServer": "{{sandbox.Host}}:{{sandbox.SubmissionPort}}" }
            """);
        var to = PowerShellSandbox.NewMailbox("wi");
        var subject = "Workload " + Guid.NewGuid().ToString("N")[..8];

        var result = await sandbox.RunAsync($$"""
            $trust = @{ TrustedCertificatePath = '{{sandbox.ServerCertificatePath}}' }
            Send-ModernAuthMailMessage -To '{{to}}' -From reports@contoso.test -Subject '{{subject}} parameters' -Body p -WorkloadIdentity -ClientId {{PowerShellSandbox.WorkloadAppId}} -FederatedTokenFile '{{tokenFile}}' -Profile sandbox @trust -Verbose
            $env:AZURE_CLIENT_ID = '{{PowerShellSandbox.WorkloadAppId}}'; $env:AZURE_FEDERATED_TOKEN_FILE = '{{tokenFile}}'
            Send-ModernAuthMailMessage -To '{{to}}' -From reports@contoso.test -Subject '{{subject}} environment' -Body e -WorkloadIdentity -Profile sandbox @trust
            Remove-Item env:AZURE_CLIENT_ID, env:AZURE_FEDERATED_TOKEN_FILE
            Send-ModernAuthMailMessage -To '{{to}}' -From reports@contoso.test -Subject '{{subject}} profile' -Body f -Profile pod @trust
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var how in new[] { "parameters", "environment", "profile" })
        {
            var message = await sandbox.ReadBackAsync(to, $"{subject} {how}");
            Assert.Equal("reports@contoso.test", ((MailboxAddress)message.From[0]).Address);
        }

        Assert.Contains("Signing in with the WorkloadIdentity flow", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(federatedToken, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedIdentity_GetsATokenAndDelivers_ByParameterAliasAndProfile()
    {
        var home = sandbox.NewHome($$"""
            "azure": { "tenantId": "{{sandbox.TenantId}}", "flow": "managed-identity", "mailbox": "reports@contoso.test",
                       "authorityCertificatePath": "{{sandbox.AuthorityCertificatePath}}", "smtpServer": "{{sandbox.Host}}:{{sandbox.SubmissionPort}}" }
            """);
        var to = PowerShellSandbox.NewMailbox("mi");
        var subject = "Managed " + Guid.NewGuid().ToString("N")[..8];
        var before = sandbox.Entra.ManagedIdentityRequestCount;

        var result = await sandbox.RunAsync($$"""
            $fromProfile = Get-ModernAuthMailToken -Protocol Smtp -Profile azure
            $byAlias = Get-ModernAuthMailToken -Protocol Imap -Identity -ManagedIdentityClientId {{sandbox.UserIdentity.ClientId}} -Mailbox reports@contoso.test -Profile sandbox
            $raw = Get-ModernAuthMailToken -Protocol Smtp -Profile azure -AsPlainText
            $inspection = $raw | Test-ModernAuthMailToken -Protocol Smtp -AccessType AppOnly -Mailbox reports@contoso.test
            Send-ModernAuthMailMessage -To '{{to}}' -From reports@contoso.test -Subject '{{subject}}' -Body m -ManagedIdentity -ManagedIdentityResourceId '{{sandbox.UserIdentity.ResourceId}}' -Profile sandbox -TrustedCertificatePath '{{sandbox.ServerCertificatePath}}'
            [ordered]@{
                ProfileFlow = $fromProfile.Flow; AliasFlow = $byAlias.Flow; ProfileApp = $fromProfile.AppId; AliasApp = $byAlias.AppId; Roles = $fromProfile.Roles; Shown = "$fromProfile"
                InspectionErrors = $inspection.HasErrors
            } | ConvertTo-Json
            """, home, sandbox.ManagedIdentityEnvironment);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        Assert.Equal("ManagedIdentity", report.GetProperty("ProfileFlow").GetString());
        Assert.Equal("ManagedIdentity", report.GetProperty("AliasFlow").GetString());
        Assert.Equal(sandbox.SystemIdentity.ClientId, report.GetProperty("ProfileApp").GetString());
        Assert.Equal(sandbox.UserIdentity.ClientId, report.GetProperty("AliasApp").GetString());
        Assert.Contains("SMTP.SendAsApp", report.GetProperty("Roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(report.GetProperty("InspectionErrors").GetBoolean(), result.ToString());
        Assert.True(sandbox.Entra.ManagedIdentityRequestCount > before, "The managed identity endpoint was not asked.");
        Assert.Equal(subject, (await sandbox.ReadBackAsync(to, subject)).Subject);
        Assert.DoesNotContain(sandbox.Entra.ManagedIdentityHeader, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_WithoutABrowser_AndBadManagedIdentity_AreClearErrors()
    {
        var result = await sandbox.RunAsync($$"""
            function Capture([scriptblock] $block) {
                try { & $block; @{ Id = $null } }
                catch { @{ Id = $_.FullyQualifiedErrorId; Category = $_.CategoryInfo.Category.ToString(); Message = $_.ErrorDetails.Message; Action = $_.ErrorDetails.RecommendedAction } }
            }
            [ordered]@{
                NoBrowser = Capture { Get-ModernAuthMailToken -Protocol Smtp -Interactive -ClientId {{PowerShellSandbox.PublicAppId}} -SignInTimeout 00:00:30 -RedirectUri http://localhost -Profile sandbox }
                BadIdentity = Capture { Get-ModernAuthMailToken -Protocol Smtp -ManagedIdentity -ManagedIdentityClientId reports-identity -Mailbox reports@contoso.test -Profile sandbox }
                BadRedirect = Capture { Get-ModernAuthMailToken -Protocol Smtp -Interactive -ClientId {{PowerShellSandbox.PublicAppId}} -RedirectUri https://contoso.test/signin -Profile sandbox }
            } | ConvertTo-Json
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        var noBrowser = report.GetProperty("NoBrowser");
        Assert.StartsWith("browser_unavailable,", noBrowser.GetProperty("Id").GetString(), StringComparison.Ordinal);
        Assert.Equal("AuthenticationError", noBrowser.GetProperty("Category").GetString());
        Assert.Contains("-DeviceCode", noBrowser.GetProperty("Action").GetString(), StringComparison.Ordinal);
        Assert.Contains("No browser could be started", noBrowser.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Contains("To fix it: On a machine without a desktop browser", noBrowser.GetProperty("Message").GetString(), StringComparison.Ordinal);
        // The library's own fix (its option names, the tool's command line) is not what a script can use.
        Assert.DoesNotContain("Flow=DeviceCode", noBrowser.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("modernauth-mail token", noBrowser.GetProperty("Message").GetString(), StringComparison.Ordinal);

        var badIdentity = report.GetProperty("BadIdentity");
        Assert.StartsWith("invalid_configuration,", badIdentity.GetProperty("Id").GetString(), StringComparison.Ordinal);
        Assert.Contains("-ManagedIdentityClientId 'reports-identity' is not a GUID", badIdentity.GetProperty("Message").GetString(), StringComparison.Ordinal);
        var badRedirect = report.GetProperty("BadRedirect");
        Assert.StartsWith("invalid_configuration,", badRedirect.GetProperty("Id").GetString(), StringComparison.Ordinal);
        Assert.Contains("-RedirectUri", badRedirect.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }
}
