using MimeKit;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class SendCommandTests(SandboxServersFixture servers)
{
    [Fact]
    public async Task Send_WithAttachmentOverSmtp_ArrivesAndIsReadBackOverImap()
    {
        var cli = new CliRunner();
        var subject = $"cli send {Guid.NewGuid():N}";
        var attachment = cli.TempFile("report.bin");
        var bytes = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(attachment, bytes);

        var result = await cli.RunAsync(
            "--sandbox", "send", "--to", "adele@contoso.test", "--cc", "cc-user@contoso.test", "--subject", subject,
            "--body", "Sent by the CLI test.", "--attach", attachment, "--priority", "high", "--reply-to", "replies@contoso.test");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Sent <", result.Out, StringComparison.Ordinal);
        Assert.Contains("2 recipient(s)", result.Out, StringComparison.Ordinal);

        var message = await ReadBackAsync(cli, subject);
        Assert.Equal("adele@contoso.test", message.From.Mailboxes.Single().Address);
        Assert.Equal("replies@contoso.test", message.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal(MessagePriority.Urgent, message.Priority);
        Assert.Contains("Sent by the CLI test.", message.TextBody, StringComparison.Ordinal);
        var part = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("report.bin", part.FileName);
        using var content = new MemoryStream();
        await part.Content!.DecodeToAsync(content);
        Assert.Equal(bytes, content.ToArray());
    }

    [Fact]
    public async Task Send_DeviceCodeUser_SendsAsTheSignedInUser()
    {
        var cli = new CliRunner();
        var subject = $"cli delegated {Guid.NewGuid():N}";
        var bodyFile = cli.TempFile("body.html", "<p>HTML body</p>");

        var result = await cli.RunAsync("--sandbox", "send", "--flow", "device-code", "--token-cache", cli.TempFile("cache.bin"), "--to", "adele@contoso.test", "--subject", subject, "--body-file", bodyFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = await ReadBackAsync(cli, subject);
        Assert.Contains("HTML body", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_RecipientTheServerRefuses_ExitsWith1WithTheServersReply()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "send", "--to", "someone@example.com", "--subject", "x", "--body", "y");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("550", result.Error, StringComparison.Ordinal);
        Assert.Contains("refused", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--to", "not-an-address")]
    [InlineData("--to", "adele@contoso.test", "--attach", "/no/such/file.pdf")]
    [InlineData("--to", "adele@contoso.test", "--body", "a", "--body-file", "/etc/hostname")]
    public async Task Send_BadMessageOptions_ExitWith2(params string[] args)
    {
        var result = await new CliRunner().RunAsync(["--sandbox", "send", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ViaEwsInTheSandbox_SendsThroughTheSandboxsEwsServer()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "send", "--via", "ews", "--to", "bob@fabrikam.test", "--subject", "ews send", "--body", "Sent over EWS by the CLI test.");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("over EWS (https://127.0.0.1:", result.Out, StringComparison.Ordinal);
        Assert.Contains("1 recipient(s)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ViaGraphWithAFiveMegabyteAttachment_SendsThroughTheSandboxsGraphAndPrintsNoSecret()
    {
        var cli = new CliRunner();
        var attachment = cli.TempFile("scan.pdf");
        File.WriteAllBytes(attachment, System.Security.Cryptography.RandomNumberGenerator.GetBytes(5 * 1024 * 1024));

        var result = await cli.RunAsync("--sandbox", "--verbose", "send", "--via", "graph", "--to", "bob@contoso.test", "--subject", "graph send", "--body", "Sent through Graph by the CLI test.", "--attach", attachment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 recipient(s) through Microsoft Graph (https://127.0.0.1:", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(ModernAuth.Mail.Cli.Sandbox.SandboxEnvironment.BuiltInSecret, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ViaEwsToAnUnreachableEndpoint_ExitsWith1AndNamesTheEndpoint()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "send", "--via", "ews", "--ews-url", "http://127.0.0.1:1/EWS/Exchange.asmx", "--to", "adele@contoso.test", "--subject", "x", "--body", "y");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ews_http_error", result.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", result.Error, StringComparison.Ordinal);
    }

    private Task<MimeMessage> ReadBackAsync(CliRunner cli, string subject) => InboxReader.ReadBackAsync(servers, cli, "adele@contoso.test", subject);
}
