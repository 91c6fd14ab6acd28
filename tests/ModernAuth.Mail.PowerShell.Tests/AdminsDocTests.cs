using MimeKit;
using ModernAuth.Mail.PowerShell.Tests.Support;

namespace ModernAuth.Mail.PowerShell.Tests;

/// <summary>
/// docs/admins.md's scheduled task: the "before" (Send-MailMessage with a password) and the "after"
/// (Send-ModernAuthMailMessage) blocks differ only in the cmdlet's name and the sign-in, and the "after" block, read from
/// the page and run unchanged, delivers the report.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class AdminsDocTests(PowerShellSandbox sandbox)
{
    [Fact]
    public void ScheduledTask_AfterDiffersFromBefore_OnlyInTheCmdletNameAndTheSignIn()
    {
        var before = Block("admins:before");
        var after = Block("admins:after");

        Assert.Contains("Send-MailMessage ", before, StringComparison.Ordinal);
        Assert.Contains("Send-ModernAuthMailMessage ", after, StringComparison.Ordinal);
        Assert.Equal(
            Lines(before).Where(l => !l.Contains("Credential", StringComparison.OrdinalIgnoreCase)).Select(l => l.Replace("Send-MailMessage", "Send-ModernAuthMailMessage", StringComparison.Ordinal)),
            Lines(after).Where(l => !SignIn.Any(p => l.Contains(p, StringComparison.Ordinal))));
        Assert.Contains("-Credential $credential", before, StringComparison.Ordinal);
        Assert.Contains("-TenantId $TenantId -ClientId $ClientId -CertificateThumbprint $CertificateThumbprint -CertificateStoreLocation $CertificateStoreLocation", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduledTask_AfterBlock_RunsUnchangedAndTheReportArrives()
    {
        var home = sandbox.NewHome();
        await sandbox.StoreCertificateAsync(home);

        var reports = Directory.CreateDirectory(Path.Combine(sandbox.WorkDirectory, $"reports-{Guid.NewGuid():N}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(reports, "backups.csv"), "job,result\nbackup,ok\n");
        await File.WriteAllTextAsync(Path.Combine(reports, "disks.csv"), "disk,free\nC:,41%\n");
        var old = Path.Combine(reports, "last-week.csv");
        await File.WriteAllTextAsync(old, "old\n");
        File.SetLastWriteTimeUtc(old, TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(-7));
        var script = Path.Combine(sandbox.WorkDirectory, $"Send-NightlyReport-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(script, Block("admins:after"));
        var to = PowerShellSandbox.NewMailbox("nr");

        // The block as it is on the page; the test's values go in as arguments, the test token service and server
        // certificate as default parameter values.
        var result = await sandbox.RunAsync($$"""
            $PSDefaultParameterValues['Send-ModernAuthMailMessage:Profile'] = 'sandbox'
            $PSDefaultParameterValues['Send-ModernAuthMailMessage:TrustedCertificatePath'] = '{{sandbox.ServerCertificatePath}}'
            & '{{script}}' -ReportFolder '{{reports}}' -From reports@contoso.test -To '{{to}}' -SmtpServer {{sandbox.Host}} -Port {{sandbox.SubmissionPort}} `
                -TenantId {{sandbox.TenantId}} -ClientId {{PowerShellSandbox.CertificateAppId}} -CertificateThumbprint {{sandbox.CertificateThumbprint}} -CertificateStoreLocation CurrentUser
            """, home);

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = await sandbox.ReadBackAsync(to, "Nightly report ");
        Assert.Equal("Reports", message.From[0].Name);
        Assert.Equal("reports@contoso.test", ((MailboxAddress)message.From[0]).Address);
        Assert.Contains("<h1>Nightly report</h1><p>2 file(s) from ", message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(MessagePriority.Urgent, message.Priority);
        Assert.Equal(["backups.csv", "disks.csv"], message.Attachments.OfType<MimePart>().Select(a => a.FileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BothBlocks_ParseAsPowerShell_AndTheirCmdletsTakeEveryParameterTheyPass()
    {
        var before = Path.Combine(sandbox.WorkDirectory, $"before-{Guid.NewGuid():N}.ps1");
        var after = Path.Combine(sandbox.WorkDirectory, $"after-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(before, Block("admins:before"));
        await File.WriteAllTextAsync(after, Block("admins:after"));

        var result = await sandbox.RunAsync($$"""
            Import-Module ModernAuth.Mail
            $report = foreach ($file in '{{before}}', '{{after}}') {
                $tokens = $null; $errors = $null
                $ast = [System.Management.Automation.Language.Parser]::ParseFile($file, [ref] $tokens, [ref] $errors)
                $send = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -like 'Send-*' }, $true) | Select-Object -First 1
                $command = Get-Command $send.GetCommandName()
                $names = @($send.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName)
                @{ Errors = @($errors).Count; Command = $command.Name; Unknown = @($names | Where-Object { -not $command.Parameters.ContainsKey($_) }); Count = $names.Count }
            }
            ConvertTo-Json @($report) -Depth 3
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.Json().EnumerateArray().ToArray();
        Assert.Equal(["Send-MailMessage", "Send-ModernAuthMailMessage"], report.Select(r => r.GetProperty("Command").GetString()));
        foreach (var block in report)
        {
            Assert.Equal(0, block.GetProperty("Errors").GetInt32());
            Assert.Empty(block.GetProperty("Unknown").EnumerateArray());
            Assert.True(block.GetProperty("Count").GetInt32() >= 10, result.ToString());
        }
    }

    private static readonly string[] SignIn = ["TenantId", "ClientId", "CertificateThumbprint", "CertificateStoreLocation"];

    private static IEnumerable<string> Lines(string block) => block.Split('\n').Select(l => l.TrimEnd('\r'));

    /// <summary>The fenced block right after the marker comment <c>&lt;!-- name --&gt;</c> in docs/admins.md.</summary>
    private string Block(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(sandbox.Root, "docs", "admins.md"));
        var marker = Array.FindIndex(lines, l => l.Trim() == $"<!-- {name} -->");
        Assert.True(marker >= 0, $"docs/admins.md has no <!-- {name} --> marker");
        Assert.StartsWith("```", lines[marker + 1], StringComparison.Ordinal);
        var end = Array.FindIndex(lines, marker + 2, l => l.StartsWith("```", StringComparison.Ordinal));
        return string.Join("\n", lines[(marker + 2)..end]) + "\n";
    }
}
