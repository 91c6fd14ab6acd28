using MimeKit;
using ModernAuth.Mail.Cli.Tests.Support;

namespace ModernAuth.Mail.Cli.Tests.Commands;

/// <summary><c>send --eml</c>: a finished message from a file or standard input, sent like <c>sendmail -t</c>.</summary>
[Collection(SandboxCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class SendEmlTests(SandboxServersFixture servers)
{
    [Fact]
    public async Task Executable_EmlPipedThroughStandardInput_ArrivesForToAndBccWithoutTheBccHeader()
    {
        var cli = new CliRunner();
        var subject = $"eml stdin {Guid.NewGuid():N}";
        var bcc = $"bcc-{Guid.NewGuid():N}"[..16] + "@contoso.test";
        var eml = Eml(subject, "From: Reports <adele@contoso.test>", "To: adele@contoso.test", $"Bcc: {bcc}") + "Nightly report: 3 jobs, 0 failures.\r\n";

        // As a sendmail-style pipeline does: `report | modernauth-mail send --eml -`.
        var result = await cli.RunProcessAsync(["--sandbox", "send", "--eml", "-"], stdin: eml);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Sent <" + eml.Split("Message-Id: <")[1].Split('>')[0] + ">", result.Out, StringComparison.Ordinal);
        Assert.Contains("2 recipient(s) over SMTP", result.Out, StringComparison.Ordinal);
        var atTo = await ReadBackAsync(cli, "adele@contoso.test", subject);
        var atBcc = await ReadBackAsync(cli, bcc, subject);
        foreach (var message in new[] { atTo, atBcc })
        {
            Assert.Equal("adele@contoso.test", message.From.Mailboxes.Single().Address);
            Assert.Equal("Reports", message.From.Mailboxes.Single().Name);
            Assert.Contains("Nightly report: 3 jobs, 0 failures.", message.TextBody, StringComparison.Ordinal);
            Assert.False(message.Headers.Contains(HeaderId.Bcc), "The Bcc header travelled with the message.");
            Assert.DoesNotContain(bcc, message.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task EmlFile_WithToAndFromOptions_TheyAreTheEnvelopeAndTheHeadersStayAsTheyAre()
    {
        var cli = new CliRunner();
        var subject = $"eml envelope {Guid.NewGuid():N}";

        // The header recipient would be refused (example.com is not ours): only the envelope's --to is used.
        var path = cli.TempFile("message.eml", Eml(subject, "From: someone-else@contoso.test", "To: nobody@example.com") + "Body.\r\n");

        var result = await cli.RunAsync("--sandbox", "send", "--eml", path, "--to", "adele@contoso.test", "--from", "adele@contoso.test");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 recipient(s)", result.Out, StringComparison.Ordinal);
        var message = await ReadBackAsync(cli, "adele@contoso.test", subject);
        Assert.Equal("nobody@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("someone-else@contoso.test", message.From.Mailboxes.Single().Address);
        Assert.Contains("<adele@contoso.test>", message.Headers[HeaderId.ReturnPath], StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmlFromStandardInput_WithoutMessageIdOrDate_GetsBothAsSendmailAddsThem()
    {
        var cli = new CliRunner();
        var subject = $"eml bare {Guid.NewGuid():N}";

        var result = await cli.RunAsync(["--sandbox", "send", "--eml", "-"], $"From: adele@contoso.test\nTo: adele@contoso.test\nSubject: {subject}\n\nbare\n", CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("Sent <>", result.Out, StringComparison.Ordinal);
        var message = await ReadBackAsync(cli, "adele@contoso.test", subject);
        Assert.Contains(message.MessageId!, result.Out, StringComparison.Ordinal);
        Assert.True(message.Headers.Contains(HeaderId.Date));
    }

    [Fact]
    public async Task EmlFile_WithAnAttachmentAndNoFromHeader_IsSentAsItIsFromTheMailbox()
    {
        var cli = new CliRunner();
        var subject = $"eml attachment {Guid.NewGuid():N}";
        var original = new MimeMessage { Subject = subject };
        original.To.Add(MailboxAddress.Parse("adele@contoso.test"));
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 13)).ToArray();
        var builder = new BodyBuilder { HtmlBody = "<p>Scan attached</p>" };
        builder.Attachments.Add("scan.bin", bytes);
        original.Body = builder.ToMessageBody();
        var path = cli.TempFile("scan.eml");
        await original.WriteToAsync(path);

        var result = await cli.RunAsync("--sandbox", "send", "--eml", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var message = await ReadBackAsync(cli, "adele@contoso.test", subject);
        Assert.Equal(original.MessageId, message.MessageId);
        Assert.Equal("adele@contoso.test", message.From.Mailboxes.Single().Address);
        Assert.Contains("Scan attached", message.HtmlBody, StringComparison.Ordinal);
        var part = Assert.Single(message.Attachments.OfType<MimePart>());
        using var content = new MemoryStream();
        await part.Content!.DecodeToAsync(content);
        Assert.Equal(bytes, content.ToArray());
    }

    [Theory]
    [InlineData("graph", "through Microsoft Graph")]
    [InlineData("ews", "over EWS")]
    public async Task EmlFromStandardInput_ViaGraphOrEws_IsSentWithItsHeaderRecipients(string via, string expected)
    {
        var eml = Eml($"eml {via}", "From: adele@contoso.test", "To: bob@fabrikam.test", "Cc: carol@fabrikam.test", "Bcc: dave@fabrikam.test") + "Sent from a pipe.\r\n";

        var result = await new CliRunner().RunAsync(["--sandbox", "send", "--via", via, "--eml", "-"], eml, CancellationToken.None);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"3 recipient(s) {expected}", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-message.eml", "", "does not exist (--eml)")]
    [InlineData("-", "", "is empty (--eml)")]
    [InlineData("-", "Subject: nobody\r\nFrom: adele@contoso.test\r\n\r\nNo recipients.\r\n", "has no recipients")]
    [InlineData("-", "\r\nJust a body, no headers.\r\n", "has no headers (--eml)")]
    public async Task Eml_BadMessage_ExitsWith2AndSaysWhatIsWrong(string path, string stdin, string expected)
    {
        var cli = new CliRunner();
        var argument = path == "-" ? "-" : Path.Combine(cli.Home, path);

        var result = await cli.RunAsync(["--sandbox", "send", "--eml", argument], stdin, CancellationToken.None);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("Error:", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--subject", "x", "--subject cannot be combined")]
    [InlineData("--attach", "report.pdf", "--attach cannot be combined")]
    public async Task Eml_WithMessageOptions_ExitsWith2(string option, string value, string expected)
    {
        var cli = new CliRunner();
        var path = cli.TempFile("m.eml", Eml("x", "To: adele@contoso.test") + "x\r\n");

        var result = await cli.RunAsync("--sandbox", "send", "--eml", path, option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eml_WithToOverGraph_ExitsWith2BecauseGraphHasNoEnvelope()
    {
        var cli = new CliRunner();
        var path = cli.TempFile("m.eml", Eml("x", "To: adele@contoso.test") + "x\r\n");

        var result = await cli.RunAsync("--sandbox", "send", "--via", "graph", "--eml", path, "--to", "bob@contoso.test");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--via smtp", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WithoutToOrEml_ExitsWith2AndNamesBoth()
    {
        var result = await new CliRunner().RunAsync("--sandbox", "send", "--subject", "x", "--body", "y");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--to", result.Error, StringComparison.Ordinal);
        Assert.Contains("--eml", result.Error, StringComparison.Ordinal);
    }

    private static string Eml(string subject, params string[] headers) =>
        string.Join("\r\n", headers) + $"\r\nSubject: {subject}\r\nMessage-Id: <{Guid.NewGuid():N}@contoso.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";

    private Task<MimeMessage> ReadBackAsync(CliRunner cli, string mailbox, string subject) => InboxReader.ReadBackAsync(servers, cli, mailbox, subject);
}
