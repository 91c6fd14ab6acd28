using System.Text;
using MimeKit;
using ModernAuth.Mail.Graph.Tests.Client;

namespace ModernAuth.Mail.Graph.Tests.Docs;

/// <summary>
/// docs/ews-to-graph.md's Graph side (the files under Docs/EwsToGraph, the doc's blocks word for word) runs against the
/// fake Graph through the real GraphServiceClient and does what the EWS call beside it did.
/// </summary>
public sealed class EwsToGraphSnippetsTests : IAsyncLifetime
{
    private const string Shared = "shared@contoso.test";
    private GraphTestContext _ctx = null!;
    private readonly string _directory = Directory.CreateTempSubdirectory("ews-to-graph-").FullName;

    public async Task InitializeAsync() => _ctx = await GraphTestContext.StartAsync();

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void ConnectToMailbox_AppOnlyAndDelegated_OpenTheMailboxOnGlobalGraph()
    {
        using var appOnly = ConnectToMailbox.AppOnly(GraphTestContext.Tenant, GraphTestContext.ClientId, GraphTestContext.Secret, "shared@contoso.com");
        using var delegated = ConnectToMailbox.Delegated(GraphTestContext.Tenant, GraphTestContext.ClientId, "adele@contoso.com");

        Assert.Equal(new Uri("https://graph.microsoft.com/v1.0"), appOnly.Endpoint);
        Assert.Equal("shared@contoso.com", appOnly.Mailbox);
        Assert.Equal(new Uri("https://graph.microsoft.com/v1.0"), delegated.Endpoint);
        Assert.Equal("adele@contoso.com", delegated.Mailbox);
    }

    [Fact]
    public async Task ExportInbox_TwoPages_SavesEveryMessageAsMime()
    {
        var mailbox = _ctx.Graph.Mailbox(Shared);
        for (var i = 1; i <= 53; i++)
        {
            mailbox.AddMessage("inbox", $"Invoice {i}");
        }

        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), Shared);
        var saved = await ExportInbox.SaveAsEmlAsync(mail, _directory);

        Assert.Equal(53, saved);
        var subjects = new List<string>();
        foreach (var file in Directory.GetFiles(_directory, "message-*.eml"))
        {
            subjects.Add((await MimeMessage.LoadAsync(file)).Subject ?? string.Empty);
        }

        Assert.Equal(Enumerable.Range(1, 53).Select(i => $"Invoice {i}").Order(), subjects.Order());
        Assert.Contains(_ctx.Graph.Requests, r => r.Path.EndsWith("/mailFolders/inbox/messages", StringComparison.Ordinal) && Uri.UnescapeDataString(r.Query).Contains("$skip=50", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendReport_LargeAttachmentAndDraftThenSend_ArriveWithACopyInSentItems()
    {
        var report = Path.Combine(_directory, "report.pdf");
        var bytes = new byte[4 * 1024 * 1024];
        new Random(42).NextBytes(bytes);
        await File.WriteAllBytesAsync(report, bytes);
        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), Shared);

        await SendReport.SendAsync(mail, "adele@contoso.test", report);
        await SendReport.SaveThenSendAsync(mail, Encoding.UTF8.GetBytes("From: shared@contoso.test\r\nTo: adele@contoso.test\r\nSubject: Saved first\r\n\r\nLater.\r\n"));

        var adele = _ctx.Graph.Mailbox("adele@contoso.test");
        var received = adele.MessagesIn(adele.FindFolder("inbox", true)!.Id);
        Assert.Equal(["Monthly report", "Saved first"], received.Select(m => m.Subject).Order());
        using var stream = new MemoryStream(received.Single(m => m.Subject == "Monthly report").Mime);
        var attachment = Assert.IsType<MimePart>(Assert.Single((await MimeMessage.LoadAsync(stream)).Attachments));
        Assert.Equal("report.pdf", attachment.FileName);
        Assert.Contains(_ctx.Graph.Requests, r => r.Path.EndsWith("/attachments/createUploadSession", StringComparison.Ordinal));
        var shared = _ctx.Graph.Mailbox(Shared);
        Assert.Equal(2, shared.MessagesIn(shared.FindFolder("sentitems", true)!.Id).Count);
        Assert.Empty(shared.MessagesIn(shared.FindFolder("drafts", true)!.Id));
    }

    [Fact]
    public async Task TriageMessage_MarkReadMoveAndDelete_AsEwsDid()
    {
        var mailbox = _ctx.Graph.Mailbox(Shared);
        var keep = mailbox.AddMessage("inbox", "Keep");
        var drop = mailbox.AddMessage("inbox", "Drop");
        var archive = mailbox.FindFolder("junkemail", true)!;
        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), Shared);

        await TriageMessage.ArchiveAsync(mail, keep.Id, archive.Id);
        await TriageMessage.DeleteAsync(mail, drop.Id, permanently: false);

        var archived = Assert.Single(mailbox.MessagesIn(archive.Id));
        Assert.Equal("Keep", archived.Subject);
        Assert.True(archived.IsRead);
        Assert.Equal("Drop", Assert.Single(mailbox.MessagesIn(mailbox.FindFolder("deleteditems", true)!.Id)).Subject);
        Assert.Empty(mailbox.MessagesIn(mailbox.FindFolder("inbox", true)!.Id));
    }

    [Fact]
    public async Task SyncInbox_FullThenIncrementalThenABadState_ReportsEveryChangeAndStartsOverOnABadState()
    {
        var mailbox = _ctx.Graph.Mailbox(Shared);
        var first = mailbox.AddMessage("inbox", "First");
        mailbox.AddMessage("inbox", "Second");
        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), Shared);
        var changes = new List<GraphItemChange>();

        var state = await SyncInbox.RunAsync(mail, syncState: null, changes.Add);
        Assert.Equal(["First", "Second"], changes.Select(c => c.Item?.Subject).Order());

        changes.Clear();
        mailbox.AddMessage("inbox", "Third");
        mailbox.Remove(first);
        state = await SyncInbox.RunAsync(mail, state, changes.Add);
        Assert.Contains(changes, c => c.ChangeType == GraphChangeType.CreatedOrUpdated && c.Item?.Subject == "Third");
        Assert.Contains(changes, c => c.ChangeType == GraphChangeType.Deleted && c.ItemId == first.Id);

        changes.Clear();
        var bad = new Uri(new Uri(state), "?$deltatoken=from-an-old-server").AbsoluteUri;
        await SyncInbox.RunAsync(mail, bad, changes.Add);
        Assert.Equal(["Second", "Third"], changes.Select(c => c.Item?.Subject).Order());
    }

    [Fact]
    public async Task InboxThroughTheSdk_NewestFirst()
    {
        var mailbox = _ctx.Graph.Mailbox(Shared);
        mailbox.AddMessage("inbox", "Older").Received = DateTimeOffset.UtcNow.AddHours(-2);
        mailbox.AddMessage("inbox", "Newer").Received = DateTimeOffset.UtcNow.AddHours(-1);
        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), Shared);

        Assert.Equal(["Newer", "Older"], await InboxThroughTheSdk.NewestSubjectsAsync(mail));
    }

    [Fact]
    public async Task HandleGraphErrors_ThrottlingStormAndAccessPolicy_NullInsteadOfAThrow()
    {
        using var mail = _ctx.Client(_ctx.AppOnlyProvider(), Shared, o => o.MaxRetries = 1);
        Assert.Equal("Inbox", (await HandleGraphErrors.InboxOrNullAsync(mail))?.DisplayName);

        _ctx.Graph.ThrottleNext(5, TimeSpan.FromSeconds(1));
        Assert.Null(await HandleGraphErrors.InboxOrNullAsync(mail));
        _ctx.Graph.ClearFaults();

        _ctx.Graph.RestrictAccess(GraphTestContext.ClientId, "adele@contoso.test");
        Assert.Null(await HandleGraphErrors.InboxOrNullAsync(mail));
        Assert.Equal(403, _ctx.Graph.Requests[^1].StatusCode);
    }
}
