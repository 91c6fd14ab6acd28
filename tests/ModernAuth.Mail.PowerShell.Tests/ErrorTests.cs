using System.Text.Json;
using ModernAuth.Mail.PowerShell.Tests.Support;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>Bad input gives a clear PowerShell error: the stable code as FullyQualifiedErrorId, a category, the fix, and no secret.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ErrorTests(PowerShellSandbox sandbox)
{
    private const string Command = "ModernAuth.Mail.PowerShell.Sending.SendModernAuthMailMessageCommand";
    private const string LegacyPassword = "Hunter2-legacy-password";

    [Fact]
    public async Task BadInput_GivesClearErrors_WithCodeCategoryAndFix()
    {
        var home = sandbox.NewHome();
        var result = await sandbox.RunAsync($$"""
            function Capture([scriptblock] $block) {
                try { & $block; @{ Id = $null } }
                catch {
                    @{ Id = $_.FullyQualifiedErrorId; Category = $_.CategoryInfo.Category.ToString(); Target = "$($_.TargetObject)"
                       Message = if ($_.ErrorDetails) { $_.ErrorDetails.Message } else { $_.Exception.Message }
                       Action = if ($_.ErrorDetails) { $_.ErrorDetails.RecommendedAction } else { $null } }
                }
            }
            $secret = ConvertTo-SecureString $env:MODERNAUTH_MAIL_TEST_SECRET -AsPlainText -Force
            $wrong = ConvertTo-SecureString 'not-the-secret-value' -AsPlainText -Force
            $app = @{ TenantId = '{{sandbox.TenantId}}'; ClientId = '{{PowerShellSandbox.SecretAppId}}'; Profile = 'sandbox'; TrustedCertificatePath = '{{sandbox.ServerCertificatePath}}' }
            $to = '{{PowerShellSandbox.NewMailbox("er")}}'
            $results = [ordered]@{
                NoRecipient = Capture { Send-ModernAuthMailMessage -From reports@contoso.test -Subject x @app -ClientSecret $secret }
                EmptyRecipient = Capture { Send-ModernAuthMailMessage -To @() -From reports@contoso.test -Subject x @app -ClientSecret $secret }
                MissingAttachment = Capture { Send-ModernAuthMailMessage -To $to -From reports@contoso.test -Subject x -Attachments ./no-such-report.pdf @app -ClientSecret $secret }
                WrongSecret = Capture { Send-ModernAuthMailMessage -To $to -From reports@contoso.test -Subject x @app -ClientSecret $wrong }
                Credential = Capture {
                    $credential = [pscredential]::new('reports@contoso.test', (ConvertTo-SecureString '{{LegacyPassword}}' -AsPlainText -Force))
                    Send-ModernAuthMailMessage -To $to -From reports@contoso.test -Subject x -SmtpServer smtp.office365.com -Port 587 -UseSsl -Credential $credential }
                BadAddress = Capture { Send-ModernAuthMailMessage -To 'not an address' -From reports@contoso.test -Subject x @app -ClientSecret $secret }
                BadClientId = Capture { Send-ModernAuthMailMessage -To $to -From reports@contoso.test -Subject x -TenantId contoso.onmicrosoft.com -ClientId 'My App' -ClientSecret $secret }
                NoSignIn = Capture { Send-ModernAuthMailMessage -To $to -From reports@contoso.test -Subject x -ProfilePath ./no-profiles.json }
            }
            $results | ConvertTo-Json -Depth 3
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        var errors = result.Json();
        void Expect(string name, string id, string category, string messagePart, string? actionPart = null)
        {
            var error = errors.GetProperty(name);
            Assert.True(error.GetProperty("Id").ValueKind == JsonValueKind.String, $"{name}: no error. {result}");
            Assert.Equal($"{id},{Command}", error.GetProperty("Id").GetString());
            Assert.Equal(category, error.GetProperty("Category").GetString());
            Assert.Contains(messagePart, error.GetProperty("Message").GetString(), StringComparison.Ordinal);
            if (actionPart is not null)
            {
                Assert.Contains(actionPart, error.GetProperty("Action").GetString(), StringComparison.Ordinal);
            }
        }

        Expect("NoRecipient", "MissingMandatoryParameter", "InvalidArgument", "missing mandatory parameters: To");
        Expect("EmptyRecipient", "ParameterArgumentValidationError", "InvalidData", "'To'");
        Expect("MissingAttachment", "attachment_not_found", "ObjectNotFound", "no-such-report.pdf", "-Attachments");
        Expect("WrongSecret", MailErrorCodes.InvalidClientSecret, "AuthenticationError", "secret", "secret");
        Expect("Credential", "smtp_basic_auth_removed", "InvalidArgument", "no longer accepts passwords", "-ClientSecret, -CertificateThumbprint or -CertificatePath");
        Expect("BadAddress", "invalid_address", "InvalidArgument", "'not an address' (-To) is not an email address");
        Expect("BadClientId", MailErrorCodes.InvalidConfiguration, "InvalidArgument", "-ClientId 'My App' is not a GUID");
        Expect("NoSignIn", "profile_invalid", "InvalidData", "no-profiles.json does not exist");
        Assert.Equal("reports@contoso.test", errors.GetProperty("Credential").GetProperty("Target").GetString());

        // Neither the legacy password nor the client secret reaches any output.
        Assert.DoesNotContain(LegacyPassword, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(sandbox.Secret, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-value", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoSignInAtAll_SaysWhichParametersToGive()
    {
        var home = Directory.CreateTempSubdirectory("home-empty-").FullName;
        var before = sandbox.Entra.RequestCount;
        var result = await sandbox.RunAsync("""
            $errors = foreach ($call in { Send-ModernAuthMailMessage -To someone@contoso.test -From reports@contoso.test -Subject x },
                                       { Send-ModernAuthMailMessage -To someone@contoso.test -From reports@contoso.test -Subject x -TenantId contoso.onmicrosoft.com -ClientId 6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11 }) {
                try { & $call; @{ Id = $null } } catch { @{ Id = $_.FullyQualifiedErrorId; Message = $_.ErrorDetails.Message } }
            }
            ConvertTo-Json @($errors)
            """, home);

        // Neither guesses a device code sign-in (it would wait for a person, and a scheduled task has none).
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var error in result.Json().EnumerateArray())
        {
            Assert.StartsWith("invalid_configuration,", error.GetProperty("Id").GetString(), StringComparison.Ordinal);
            Assert.Contains("-TenantId and -ClientId plus -ClientSecret, -CertificateThumbprint or -CertificatePath", error.GetProperty("Message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(2, result.Json().GetArrayLength());
        Assert.Equal(before, sandbox.Entra.RequestCount);
    }
}
