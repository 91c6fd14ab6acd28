using ModernAuth.Mail.PowerShell.Tests.Support;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>The other cmdlets in a real pwsh: the token (redacted, and raw for piping), the inspector, the catalog, the mailbox test.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class CmdletTests(PowerShellSandbox sandbox)
{
    [Fact]
    public async Task TokenInspectorCatalogAndMailboxTest_WorkAsObjects_AndTheTokenShowsOnlyWhenAskedFor()
    {
        var result = await sandbox.RunAsync($$"""
            $env:MODERNAUTH_MAIL_CLIENT_SECRET = $env:MODERNAUTH_MAIL_TEST_SECRET
            $token = Get-ModernAuthMailToken -Protocol Imap -Profile reports
            $shown = $token | Format-List * | Out-String
            $raw = Get-ModernAuthMailToken -Protocol Smtp -Profile reports -AsPlainText
            $inspection = $raw | Test-ModernAuthMailToken -Protocol Smtp -AccessType AppOnly -Mailbox reports@contoso.test
            $wrong = $raw | Test-ModernAuthMailToken -Protocol Graph
            $explained = Resolve-ModernAuthMailError '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.'
            $steps = Test-ModernAuthMail -Protocol Smtp -Profile reports -TrustedCertificatePath '{{sandbox.ServerCertificatePath}}'
            $imapSteps = Test-ModernAuthMail Imap -Profile reports -Mailbox reports@contoso.test -TrustedCertificatePath '{{sandbox.ServerCertificatePath}}'
            [ordered]@{
                Token = @{ Account = $token.Account; Protocol = "$($token.Protocol)"; Flow = $token.Flow; Roles = $token.Roles; Fingerprint = $token.Fingerprint; Text = "$token"; Shown = $shown }
                RawIsJwt = $raw -like 'eyJ*.*.*'
                InspectionErrors = $inspection.HasErrors
                WrongProtocolCodes = @($wrong.Findings | Where-Object Severity -eq 'Error' | ForEach-Object Code)
                Explained = @{ Code = $explained.Code; Remedy = $explained.Remedy; Recognised = $explained.IsRecognised }
                Steps = @($steps + $imapSteps | ForEach-Object { @{ Protocol = "$($_.Protocol)"; Step = $_.Step; Result = $_.Result; Code = $_.Code } })
            } | ConvertTo-Json -Depth 4
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        var token = report.GetProperty("Token");
        Assert.Equal("Imap", token.GetProperty("Protocol").GetString());
        Assert.Equal("ClientSecret", token.GetProperty("Flow").GetString());
        Assert.Contains("IMAP.AccessAsApp", token.GetProperty("Roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains(token.GetProperty("Fingerprint").GetString()!, token.GetProperty("Text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", token.GetProperty("Shown").GetString(), StringComparison.Ordinal);
        Assert.True(report.GetProperty("RawIsJwt").GetBoolean());
        Assert.False(report.GetProperty("InspectionErrors").GetBoolean(), result.ToString());
        Assert.Contains("wrong_audience", report.GetProperty("WrongProtocolCodes").EnumerateArray().Select(c => c.GetString()));
        var explained = report.GetProperty("Explained");
        Assert.Equal("smtp_auth_disabled", explained.GetProperty("Code").GetString());
        Assert.Contains("Set-TransportConfig", explained.GetProperty("Remedy").GetString(), StringComparison.Ordinal);
        var steps = report.GetProperty("Steps").EnumerateArray().Select(s => (s.GetProperty("Protocol").GetString(), s.GetProperty("Step").GetString(), s.GetProperty("Result").GetString())).ToArray();
        Assert.Equal(
            [("Smtp", "token", "Passed"), ("Smtp", "inspect", "Passed"), ("Smtp", "connect", "Passed"), ("Smtp", "authenticate", "Passed"), ("Smtp", "NOOP", "Passed"),
             ("Imap", "token", "Passed"), ("Imap", "inspect", "Passed"), ("Imap", "connect", "Passed"), ("Imap", "authenticate", "Passed"), ("Imap", "select INBOX", "Passed")],
            steps);
    }

    [Fact]
    public async Task CertificateThumbprint_CurrentUserStoreSignsIn_LocalMachineOnLinuxIsAClearError()
    {
        // The certificate goes into the CurrentUser\My store of the run's own HOME (.NET keeps it there on Linux).
        var home = sandbox.NewHome($$"""
            "machine": { "tenantId": "{{sandbox.TenantId}}", "clientId": "{{PowerShellSandbox.CertificateAppId}}", "certificateThumbprint": "{{sandbox.CertificateThumbprint}}",
                         "certificateStoreLocation": "LocalMachine", "mailbox": "reports@contoso.test" }
            """);
        await sandbox.StoreCertificateAsync(home);
        var before = sandbox.Entra.TokenRequestCount;

        var result = await sandbox.RunAsync($$"""
            function Capture([scriptblock] $block) {
                try { & $block | Out-Null; @{ Id = $null } }
                catch { @{ Id = $_.FullyQualifiedErrorId; Category = $_.CategoryInfo.Category.ToString(); Message = $_.ErrorDetails.Message; Action = $_.ErrorDetails.RecommendedAction } }
            }
            $signIn = @{ ClientId = '{{PowerShellSandbox.CertificateAppId}}'; CertificateThumbprint = '{{sandbox.CertificateThumbprint}}'; Profile = 'sandbox'; Mailbox = 'reports@contoso.test' }
            $token = Get-ModernAuthMailToken -Protocol Smtp @signIn -CertificateStoreLocation CurrentUser
            [ordered]@{
                Flow = $token.Flow; AppId = $token.AppId
                LocalMachine = Capture { Get-ModernAuthMailToken -Protocol Smtp @signIn -CertificateStoreLocation LocalMachine }
                LocalMachineProfile = Capture { Get-ModernAuthMailToken -Protocol Smtp -Profile machine }
            } | ConvertTo-Json
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        Assert.Equal("ClientCertificate", report.GetProperty("Flow").GetString());
        Assert.Equal(PowerShellSandbox.CertificateAppId, report.GetProperty("AppId").GetString());
        Assert.Equal(before + 1, sandbox.Entra.TokenRequestCount);
        foreach (var name in new[] { "LocalMachine", "LocalMachineProfile" })
        {
            var error = report.GetProperty(name);
            Assert.Equal("certificate_unavailable,ModernAuth.Mail.PowerShell.Tokens.GetModernAuthMailTokenCommand", error.GetProperty("Id").GetString());
            Assert.Equal("ResourceUnavailable", error.GetProperty("Category").GetString());
            Assert.Contains("LocalMachine cannot be read on Linux", error.GetProperty("Message").GetString(), StringComparison.Ordinal);
            Assert.Contains("-CertificateStoreLocation CurrentUser", error.GetProperty("Action").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OtherModulesOlderMsalAndIdentityModel_LoadedFirst_DoNotBreakTheModule()
    {
        // PowerShell 7.6 ships PSResourceGet with MSAL 4.73 and IdentityModel.Abstractions 6.35; the module needs MSAL 4.92
        // and IdentityModel 8.23. Loaded first into the default context, they must not be what the module gets.
        var result = await sandbox.RunAsync("""
            $psResourceGet = Join-Path $PSHOME 'Modules/Microsoft.PowerShell.PSResourceGet/dependencies'
            Add-Type -Path (Join-Path $psResourceGet 'Microsoft.IdentityModel.Abstractions.dll'), (Join-Path $psResourceGet 'Microsoft.Identity.Client.dll')
            $env:MODERNAUTH_MAIL_CLIENT_SECRET = $env:MODERNAUTH_MAIL_TEST_SECRET
            $token = Get-ModernAuthMailToken -Protocol Smtp -Profile reports
            $msal = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Identity.Client' } |
                ForEach-Object { @{ Version = $_.GetName().Version.ToString(); Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).GetType().Name } }
            @{ Account = $token.Account; Msal = @($msal) } | ConvertTo-Json -Depth 3
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json();
        Assert.Equal("reports@contoso.test", report.GetProperty("Account").GetString());
        var msal = report.GetProperty("Msal").EnumerateArray().Select(m => (m.GetProperty("Version").GetString(), m.GetProperty("Context").GetString())).ToArray();
        Assert.Contains(("4.73.1.0", "DefaultAssemblyLoadContext"), msal);
        Assert.Contains(("4.92.0.0", "ModuleLoadContext"), msal);
    }
}
