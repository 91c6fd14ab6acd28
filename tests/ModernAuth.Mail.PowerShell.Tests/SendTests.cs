using MimeKit;
using ModernAuth.Mail.PowerShell.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>Send-ModernAuthMailMessage in a real pwsh: a Send-MailMessage script with only the cmdlet name and sign-in changed.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class SendTests(PowerShellSandbox sandbox)
{
    /// <summary>A scheduled-task script as admins write it for Send-MailMessage (a password, the old way).</summary>
    private const string LegacyScript = """
        $password = ConvertTo-SecureString 'P@ssw0rd-test' -AsPlainText -Force
        $credential = [pscredential]::new('reports@contoso.test', $password)
        $html = "<html><body><h1>Nightly report</h1><p>All jobs ran. Ünïcödé ✓</p></body></html>"
        Get-Item $files | Send-MailMessage -From 'Reports <reports@contoso.test>' -To $to -Cc $cc -Subject $subject -Body $html -BodyAsHtml -Priority High -Encoding utf8 -SmtpServer $server -Port $port -UseSsl -Credential $credential
        """;

    [Fact]
    public async Task LegacyScript_WithOnlyTheCmdletNameAndSignInChanged_DeliversHtmlAttachmentsAndPriority()
    {
        var to = PowerShellSandbox.NewMailbox("ps");
        var cc = PowerShellSandbox.NewMailbox("cc");
        var subject = "Nightly report " + Guid.NewGuid().ToString("N")[..8];
        var csv = Path.Combine(sandbox.WorkDirectory, $"report-{Guid.NewGuid():N}.csv");
        var pdf = Path.Combine(sandbox.WorkDirectory, $"summary-{Guid.NewGuid():N}.pdf");
        await File.WriteAllTextAsync(csv, "job,result\nbackup,ok\n");
        var pdfBytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(pdf, pdfBytes);

        // The change an admin makes: the cmdlet's name, and -Credential becomes the sign-in (plus the test server's certificate).
        var migrated = LegacyScript
            .Replace("Send-MailMessage", "Send-ModernAuthMailMessage", StringComparison.Ordinal)
            .Replace("-Credential $credential", "-TenantId $tenant -ClientId $client -ClientSecret $secret -Profile sandbox -TrustedCertificatePath $serverCertificate", StringComparison.Ordinal);
        Assert.Equal(
            LegacyScript.Split('\n').Where(l => !l.Contains("Send-MailMessage", StringComparison.Ordinal)),
            migrated.Split('\n').Where(l => !l.Contains("Send-ModernAuthMailMessage", StringComparison.Ordinal)));

        var result = await sandbox.RunAsync($"""
            $files = '{csv}', '{pdf}'
            $to = '{to}'; $cc = '{cc}'; $subject = '{subject}'
            $server = '{sandbox.Host}'; $port = {sandbox.SubmissionPort}
            $tenant = '{sandbox.TenantId}'; $client = '{PowerShellSandbox.SecretAppId}'
            $secret = ConvertTo-SecureString $env:MODERNAUTH_MAIL_TEST_SECRET -AsPlainText -Force
            $serverCertificate = '{sandbox.ServerCertificatePath}'
            {migrated} -Verbose
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = await sandbox.ReadBackAsync(to, subject);
        Assert.Equal("reports@contoso.test", ((MailboxAddress)message.From[0]).Address);
        Assert.Equal("Reports", message.From[0].Name);
        Assert.Contains(message.Cc.Mailboxes, m => m.Address == cc);
        Assert.Contains("<h1>Nightly report</h1>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Ünïcödé ✓", message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(MessagePriority.Urgent, message.Priority);
        Assert.Equal(MessageImportance.High, message.Importance);
        var attachments = message.Attachments.OfType<MimePart>().ToDictionary(a => a.FileName ?? string.Empty);
        Assert.Equal([Path.GetFileName(csv), Path.GetFileName(pdf)], attachments.Keys.Order(StringComparer.Ordinal));
        using (var content = new MemoryStream())
        {
            await attachments[Path.GetFileName(pdf)].Content!.DecodeToAsync(content);
            Assert.Equal(pdfBytes, content.ToArray());
        }

        // -Verbose shows each step, and no run output holds the secret or a token.
        Assert.Contains("VERBOSE: Signing in with the ClientSecret flow", result.Out, StringComparison.Ordinal);
        Assert.Contains($"VERBOSE: Connecting to {sandbox.Host}:{sandbox.SubmissionPort} (STARTTLS).", result.Out, StringComparison.Ordinal);
        Assert.Contains("VERBOSE: Authenticating with XOAUTH2 as reports@contoso.test.", result.Out, StringComparison.Ordinal);
        Assert.Contains("VERBOSE: Acquired a", result.Out, StringComparison.Ordinal);
        Assert.Contains("VERBOSE: Sent <", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(sandbox.Secret, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatIf_ShowsTheMessageAndSendsNothing_NotEvenSigningIn()
    {
        var subject = "WhatIf " + Guid.NewGuid().ToString("N")[..8];
        var before = sandbox.Entra.TokenRequestCount;

        var result = await sandbox.RunAsync($"""
            Send-ModernAuthMailMessage -To '{PowerShellSandbox.NewMailbox("wi")}' -From reports@contoso.test -Subject '{subject}' -Body hi -Profile reports -WhatIf
            """, environment: new Dictionary<string, string> { ["MODERNAUTH_MAIL_CLIENT_SECRET"] = sandbox.Secret });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"What if: Performing the operation \"Send over Smtp ({sandbox.Host}:{sandbox.SubmissionPort})\" on target \"Message '{subject}' from reports@contoso.test to 1 recipient(s)", result.Out, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Entra.TokenRequestCount);
    }

    [Fact]
    public async Task Confirm_AsksBeforeSigningIn_AndConfirmFalseSends()
    {
        var to = PowerShellSandbox.NewMailbox("cf");
        var subject = "Confirm " + Guid.NewGuid().ToString("N")[..8];
        var before = sandbox.Entra.TokenRequestCount;

        // -Confirm asks the host before anything happens; a non-interactive pwsh (a scheduled task) cannot answer, so it stops there.
        var asked = await sandbox.RunAsync($"""
            Send-ModernAuthMailMessage -To '{to}' -From reports@contoso.test -Subject '{subject} asked' -Body hi -Profile reports -TrustedCertificatePath '{sandbox.ServerCertificatePath}' -Confirm
            """, environment: new Dictionary<string, string> { ["MODERNAUTH_MAIL_CLIENT_SECRET"] = sandbox.Secret });

        Assert.NotEqual(0, asked.ExitCode);
        Assert.Contains("NonInteractive", asked.All, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.Entra.TokenRequestCount);

        var sent = await sandbox.RunAsync($"""
            $ConfirmPreference = 'Low'
            Send-ModernAuthMailMessage -To '{to}' -From reports@contoso.test -Subject '{subject} sent' -Body hi -Profile reports -TrustedCertificatePath '{sandbox.ServerCertificatePath}' -Confirm:$false
            """, environment: new Dictionary<string, string> { ["MODERNAUTH_MAIL_CLIENT_SECRET"] = sandbox.Secret });

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Equal(subject + " sent", (await sandbox.ReadBackAsync(to, subject)).Subject);
    }

    [Fact]
    public async Task Profile_SignsInWithTheProfileAndASecretFromTheEnvironment_PassThruReturnsTheMessageId()
    {
        var to = PowerShellSandbox.NewMailbox("pr");
        var subject = "Profile " + Guid.NewGuid().ToString("N")[..8];

        var result = await sandbox.RunAsync($"""
            $sent = Send-ModernAuthMailMessage '{to}' '{subject}' 'Plain body' -From reports@contoso.test -Profile reports -TrustedCertificatePath '{sandbox.ServerCertificatePath}' -PassThru
            $sent | Select-Object MessageId, From, Recipients, Via, Server | ConvertTo-Json
            """, environment: new Dictionary<string, string> { ["MODERNAUTH_MAIL_CLIENT_SECRET"] = sandbox.Secret });

        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = result.Json();
        var message = await sandbox.ReadBackAsync(to, subject);
        Assert.Equal(message.MessageId, sent.GetProperty("MessageId").GetString());
        Assert.Equal("Plain body", message.TextBody?.Trim());
        Assert.Equal(1, sent.GetProperty("Recipients").GetInt32());
        Assert.Equal($"{sandbox.Host}:{sandbox.SubmissionPort}", sent.GetProperty("Server").GetString());
    }

    [Fact]
    public async Task CertificateFileAndDeviceCode_SignIn_AndSend()
    {
        var toCertificate = PowerShellSandbox.NewMailbox("ce");
        var toDevice = PowerShellSandbox.NewMailbox("dc");
        var subject = "Flows " + Guid.NewGuid().ToString("N")[..8];

        var result = await sandbox.RunAsync($$"""
            $common = @{ Profile = 'sandbox'; TrustedCertificatePath = '{{sandbox.ServerCertificatePath}}' }
            Send-ModernAuthMailMessage -To '{{toCertificate}}' -From reports@contoso.test -Subject '{{subject}} certificate' -Body c -ClientId {{PowerShellSandbox.CertificateAppId}} -CertificatePath '{{sandbox.CertificatePfxPath}}' @common
            Send-ModernAuthMailMessage -To '{{toDevice}}' -From {{PowerShellSandbox.User}} -Subject '{{subject}} device' -Body d -ClientId {{PowerShellSandbox.PublicAppId}} -DeviceCode @common 6>&1
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("reports@contoso.test", ((MailboxAddress)(await sandbox.ReadBackAsync(toCertificate, subject + " certificate")).From[0]).Address);
        Assert.Equal(PowerShellSandbox.User, ((MailboxAddress)(await sandbox.ReadBackAsync(toDevice, subject + " device")).From[0]).Address);
        // The device code reached the information stream for the person signing in.
        Assert.Contains("To sign in, open ", result.Out, StringComparison.Ordinal);
        Assert.Contains(" and enter the code ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViaGraph_SendsTheMimeMessageThroughMicrosoftGraph()
    {
        await using var graph = new FakeGraph(sandbox.Entra, sandbox.TenantId);
        var sender = graph.AddMailbox("graph-sender@contoso.test");
        var server = await graph.StartHttpsServerAsync();
        var graphCertificate = Path.Combine(sandbox.WorkDirectory, $"graph-{Guid.NewGuid():N}.crt");
        await File.WriteAllTextAsync(graphCertificate, server.Certificate.ExportCertificatePem());
        var home = sandbox.NewHome($$"""
            "graph": { "tenantId": "{{sandbox.TenantId}}", "clientId": "{{PowerShellSandbox.SecretAppId}}", "flow": "secret",
                       "authorityHost": "{{sandbox.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}}", "disableInstanceDiscovery": true,
                       "authorityCertificatePath": "{{sandbox.AuthorityCertificatePath}}", "graphUrl": "{{server.BaseAddress}}" }
            """);
        var subject = "Graph " + Guid.NewGuid().ToString("N")[..8];

        var result = await sandbox.RunAsync($"""
            $secret = ConvertTo-SecureString $env:MODERNAUTH_MAIL_TEST_SECRET -AsPlainText -Force
            Send-ModernAuthMailMessage -To ops@fabrikam.test -From graph-sender@contoso.test -Subject '{subject}' -Body '<p>via Graph</p>' -BodyAsHtml -Profile graph -ClientSecret $secret -Via Graph -TrustedCertificatePath '{graphCertificate}' -Verbose
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = Assert.Single(sender.Sent);
        var message = MimeMessage.Load(new MemoryStream(sent));
        Assert.Equal(subject, message.Subject);
        Assert.Contains("<p>via Graph</p>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("through Microsoft Graph", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(sandbox.Secret, result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViaEws_SendsTheMimeMessageThroughEws()
    {
        await using var ews = await FakeEwsServer.StartAsync(sandbox.Entra, sandbox.TenantId);
        var sender = ews.AddMailbox("ews-sender@contoso.test");
        var ewsCertificate = Path.Combine(sandbox.WorkDirectory, $"ews-{Guid.NewGuid():N}.crt");
        await File.WriteAllTextAsync(ewsCertificate, ews.Certificate.ExportCertificatePem());
        var home = sandbox.NewHome($$"""
            "ews": { "tenantId": "{{sandbox.TenantId}}", "clientId": "{{PowerShellSandbox.SecretAppId}}", "flow": "secret",
                     "authorityHost": "{{sandbox.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}}", "disableInstanceDiscovery": true,
                     "authorityCertificatePath": "{{sandbox.AuthorityCertificatePath}}", "ewsUrl": "{{ews.Endpoint}}" }
            """);
        var subject = "EWS " + Guid.NewGuid().ToString("N")[..8];

        var result = await sandbox.RunAsync($"""
            $secret = ConvertTo-SecureString $env:MODERNAUTH_MAIL_TEST_SECRET -AsPlainText -Force
            Send-ModernAuthMailMessage -To ops@fabrikam.test -From ews-sender@contoso.test -Subject '{subject}' -Body 'via EWS' -Profile ews -ClientSecret $secret -Via Ews -TrustedCertificatePath '{ewsCertificate}' -Verbose
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = MimeMessage.Load(new MemoryStream(Assert.Single(sender.Sent)));
        Assert.Equal(subject, message.Subject);
        Assert.Equal("via EWS", message.TextBody?.Trim());
        Assert.Contains("through EWS", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(sandbox.Secret, result.All, StringComparison.Ordinal);
    }
}
