using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using ModernAuth.Mail.Relay.Tests.Support;

namespace ModernAuth.Mail.Relay.Tests;

/// <summary>The pickup directory: apps that drop .eml files, as System.Net.Mail, CDO and IIS do.</summary>
[Collection(RelayCollection.Name)]
public sealed class PickupTests(MailServers servers)
{
    [Fact]
    public async Task SystemNetMailPickupFile_WithAttachments_ArrivesIntact()
    {
        await using var env = new TestEnvironment(servers);
        var pickup = Path.Combine(env.SpoolDirectory, "pickup");
        var options = env.CreateOptions();
        options.PickupDirectory = pickup;
        options.PickupInterval = TimeSpan.FromMilliseconds(200);
        var relay = await env.StartRelayAsync(options);
        var sender = MailServers.NewMailbox("app");
        var recipient = MailServers.NewMailbox("to");
        var subject = "Pickup " + Guid.NewGuid().ToString("N");
        var pdf = RandomNumberGenerator.GetBytes(150_000);
        var text = "Zeile mit Umlauten: äöü\r\n";

        using (var client = new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = pickup })
        using (var mail = new MailMessage(sender, recipient, subject, "See the attachments."))
        {
            mail.Attachments.Add(new Attachment(new MemoryStream(pdf), "scan.pdf", "application/pdf"));
            mail.Attachments.Add(new Attachment(new MemoryStream(Encoding.UTF8.GetBytes(text)), "notes.txt", "text/plain; charset=utf-8"));
            client.Send(mail);
        }

        var arrived = await env.WaitForMessageAsync(recipient, subject);
        var attachments = arrived.Attachments.OfType<MimePart>().ToDictionary(a => a.FileName ?? string.Empty, a => Decode(a));
        Assert.Equal(pdf, attachments["scan.pdf"]);
        Assert.Equal(Encoding.UTF8.GetBytes(text), attachments["notes.txt"]);
        Assert.Empty(Directory.EnumerateFiles(pickup, "*.eml"));
        Assert.Contains(env.Logs.Entries, e => e.Id.Id == 4023);
    }

    [Fact]
    public async Task IisEnvelopeLines_DecideTheRecipients_AndBadFilesGoToBadmailWithAReason()
    {
        await using var env = new TestEnvironment(servers);
        var pickup = Path.Combine(env.SpoolDirectory, "pickup");
        Directory.CreateDirectory(pickup);
        var options = env.CreateOptions();
        options.PickupDirectory = pickup;
        options.PickupInterval = TimeSpan.FromMilliseconds(200);
        await env.StartRelayAsync(options);
        var sender = MailServers.NewMailbox("iis");
        var envelopeOnly = MailServers.NewMailbox("bcc");
        var subject = "Iis " + Guid.NewGuid().ToString("N");

        // x-receiver names a recipient the headers do not show (how IIS and CDO send Bcc).
        File.WriteAllText(Path.Combine(pickup, "iis.eml"), $"x-sender: {sender}\r\nx-receiver: {envelopeOnly}\r\nFrom: {sender}\r\nTo: someone-else@contoso.test\r\nSubject: {subject}\r\n\r\nBody\r\n");
        File.WriteAllText(Path.Combine(pickup, "bad.eml"), "This is not a message at all, and names nobody.\r\n");
        Backdate(pickup);

        await env.WaitForMessageAsync(envelopeOnly, subject);
        await TestEnvironment.WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(pickup, "badmail", "bad.eml.reason"))), "the bad file is in badmail with its reason");
        Assert.True(File.Exists(Path.Combine(pickup, "badmail", "bad.eml")));
        Assert.Contains("bad.eml: ", File.ReadAllText(Path.Combine(pickup, "badmail", "bad.eml.reason")), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(pickup, "*.eml"));
    }

    [Fact]
    public async Task AFileACrashLeftClaimed_IsPickedUpAgainAtTheNextStart()
    {
        await using var env = new TestEnvironment(servers);
        var pickup = Path.Combine(env.SpoolDirectory, "pickup");
        Directory.CreateDirectory(Path.Combine(pickup, ".processing"));
        var sender = MailServers.NewMailbox("left");
        var recipient = MailServers.NewMailbox("to");
        var subject = "Leftover " + Guid.NewGuid().ToString("N");
        var claimed = Path.Combine(pickup, ".processing", "left.eml");
        File.WriteAllText(claimed, $"x-sender: {sender}\r\nx-receiver: {recipient}\r\nFrom: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n\r\nBody\r\n");
        File.SetLastWriteTimeUtc(claimed, DateTime.UtcNow.AddSeconds(-5));
        var options = env.CreateOptions();
        options.PickupDirectory = pickup;
        options.PickupInterval = TimeSpan.FromMilliseconds(200);
        await env.StartRelayAsync(options);
        await env.WaitForMessageAsync(recipient, subject);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(pickup, ".processing")));
    }

    private static void Backdate(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.eml"))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(-5));
        }
    }

    private static byte[] Decode(MimePart part)
    {
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return stream.ToArray();
    }
}
