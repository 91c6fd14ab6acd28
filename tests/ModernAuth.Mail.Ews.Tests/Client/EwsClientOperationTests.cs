using ModernAuth.Mail.Testing;
using System.Text;
using System.Xml.Linq;
using Microsoft.IdentityModel.JsonWebTokens;
using ModernAuth.Mail.Ews.Tests.Support;

namespace ModernAuth.Mail.Ews.Tests.Client;

/// <summary>Every operation, delegated (device code) and app-only (client secret, impersonating), against the loopback EWS endpoint.</summary>
public sealed class EwsClientOperationTests : IAsyncLifetime
{
    private static readonly XNamespace T = "http://schemas.microsoft.com/exchange/services/2006/types";
    private static readonly XNamespace S = "http://schemas.xmlsoap.org/soap/envelope/";
    private EwsTestContext _context = null!;

    public async Task InitializeAsync() => _context = await EwsTestContext.StartAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private FakeMailbox MailboxFor(bool appOnly) => _context.Server.Mailbox(appOnly ? EwsTestContext.Shared : EwsTestContext.User);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetFolderAsync_WellKnownInbox_ReturnsFolderWithIdAndCounts(bool appOnly)
    {
        MailboxFor(appOnly).AddMessage("inbox", "one");
        MailboxFor(appOnly).AddMessage("inbox", "two", isRead: true);
        var client = _context.CreateClient(appOnly);

        var inbox = await client.GetFolderAsync(EwsFolderId.Inbox);

        Assert.Equal("Inbox", inbox.DisplayName);
        Assert.Equal(2, inbox.TotalCount);
        Assert.Equal(1, inbox.UnreadCount);
        Assert.False(inbox.Id.IsWellKnown);
        var again = await client.GetFolderAsync(inbox.Id);
        Assert.Equal(inbox.Id, again.Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetFolderAsync_AnyOperation_SendsBearerAnchorAndImpersonationOnlyForAppOnly(bool appOnly)
    {
        var client = _context.CreateClient(appOnly);

        await client.GetFolderAsync(EwsFolderId.SentItems);

        var request = Assert.Single(_context.Server.Requests);
        var mailbox = appOnly ? EwsTestContext.Shared : EwsTestContext.User;
        Assert.Equal(mailbox, request.AnchorMailbox);
        var token = new JsonWebToken(request.BearerToken);
        Assert.Equal("https://outlook.office365.com", token.GetClaim("aud").Value);
        if (appOnly)
        {
            Assert.Contains(token.Claims, c => c.Type == "roles" && c.Value == "full_access_as_app");
        }
        else
        {
            Assert.Contains("EWS.AccessAsUser.All", token.GetClaim("scp").Value.Split(' '));
        }

        var header = XDocument.Parse(request.Body).Root!.Element(S + "Header")!;
        Assert.Equal("Exchange2013_SP1", (string?)header.Element(T + "RequestServerVersion")?.Attribute("Version"));
        var impersonated = header.Element(T + "ExchangeImpersonation")?.Element(T + "ConnectingSID")?.Element(T + "SmtpAddress")?.Value;
        Assert.Equal(appOnly ? mailbox : null, impersonated);
        Assert.Equal(appOnly ? 1 : 0, header.Elements(T + "ExchangeImpersonation").Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FindItemsAsync_PagesOfTwo_ReturnsEveryItemOnceWithNextOffsets(bool appOnly)
    {
        for (var i = 0; i < 5; i++)
        {
            MailboxFor(appOnly).AddMessage("inbox", $"message {i}");
        }

        var client = _context.CreateClient(appOnly);
        var subjects = new List<string>();
        var offsets = new List<int>();
        int? offset = 0;
        EwsFindItemsResult page;
        do
        {
            offsets.Add(offset!.Value);
            page = await client.FindItemsAsync(EwsFolderId.Inbox, offset.Value, pageSize: 2);
            subjects.AddRange(page.Items.Select(i => i.Subject!));
            offset = page.NextOffset;
        }
        while (!page.IncludesLastItemInRange);

        Assert.Equal([0, 2, 4], offsets);
        Assert.Null(page.NextOffset);
        Assert.Equal(5, page.TotalItemsInView);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"message {i}").Order(), subjects.Order());
        Assert.All(page.Items, i => Assert.False(i.HasMimeContent));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetItemAsync_WithMimeContent_ReturnsDecodedBytesAndSummary(bool appOnly)
    {
        var mime = Encoding.UTF8.GetBytes("From: a@fabrikam.test\r\nSubject: Grüße – MIME\r\nMessage-ID: <m1@fabrikam.test>\r\n\r\nBody with ünïcödé\r\n");
        var stored = MailboxFor(appOnly).Store(MailboxFor(appOnly).FindFolder("inbox", true)!.Id, mime, isRead: true);
        var client = _context.CreateClient(appOnly);

        var item = await client.GetItemAsync(new EwsItemId(stored.Id));

        Assert.Equal(mime, item.GetMimeContent());
        using var stream = item.OpenMimeContent();
        Assert.Equal(mime.Length, stream.Length);
        Assert.Equal("Grüße – MIME", item.Subject);
        Assert.Equal("a@fabrikam.test", item.From);
        Assert.Equal("<m1@fabrikam.test>", item.InternetMessageId);
        Assert.True(item.IsRead);
        Assert.Equal("IPM.Note", item.ItemClass);
        Assert.Equal(stored.ChangeKey, item.Id.ChangeKey);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetItemAsync_WithoutMimeContent_HasNoMime(bool appOnly)
    {
        var stored = MailboxFor(appOnly).AddMessage("inbox", "summary only");
        var client = _context.CreateClient(appOnly);

        var item = await client.GetItemAsync(new EwsItemId(stored.Id), includeMimeContent: false);

        Assert.False(item.HasMimeContent);
        Assert.Throws<InvalidOperationException>(() => item.GetMimeContent());
        Assert.DoesNotContain("IncludeMimeContent", _context.Server.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task SendMimeAsync_SaveCopyOrNot_SendsAndKeepsCopyOnlyWhenAsked(bool appOnly, bool saveCopy)
    {
        var mime = Encoding.UTF8.GetBytes("To: bob@fabrikam.test\r\nSubject: Invoice 42\r\n\r\nPlease pay.\r\n");
        var client = _context.CreateClient(appOnly);

        await client.SendMimeAsync(mime, saveCopy);

        var mailbox = MailboxFor(appOnly);
        Assert.Equal(mime, Assert.Single(mailbox.Sent));
        var sentItems = mailbox.MessagesIn(mailbox.FindFolder("sentitems", true)!.Id);
        Assert.Equal(saveCopy ? 1 : 0, sentItems.Count);
        Assert.Contains(saveCopy ? "MessageDisposition=\"SendAndSaveCopy\"" : "MessageDisposition=\"SendOnly\"", _context.Server.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendMimeAsync_MimeKitMessageWithLfLineEnds_SentCopyHasItsSubjectAndSender(bool appOnly)
    {
        // MimeKit writes LF line ends on Linux and Exchange accepts them: the fake must read such a message too.
        var sender = appOnly ? EwsTestContext.Shared : EwsTestContext.User;
        var message = new MimeKit.MimeMessage { Subject = "Grüße: invoice 42 of a long subject line that MimeKit folds and encodes as it likes" };
        message.From.Add(new MimeKit.MailboxAddress("Adele Vance", sender));
        message.To.Add(MimeKit.MailboxAddress.Parse("bob@fabrikam.test"));
        message.Body = new MimeKit.TextPart("plain") { Text = "Please pay." };
        using var stream = new MemoryStream();
        var format = MimeKit.FormatOptions.Default.Clone();
        format.NewLineFormat = MimeKit.NewLineFormat.Unix;
        await message.WriteToAsync(format, stream);
        var mime = stream.ToArray();
        Assert.DoesNotContain("\r\n", Encoding.UTF8.GetString(mime), StringComparison.Ordinal);
        var client = _context.CreateClient(appOnly);

        await client.SendMimeAsync(mime, saveCopy: true);

        var sent = await client.FindItemsAsync(EwsFolderId.SentItems);
        var item = Assert.Single(sent.Items);
        Assert.Equal(message.Subject, item.Subject);
        Assert.Equal(sender, item.From);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateItemFromMimeAsync_Drafts_SavesWithoutSendingThenSendItemAsyncSends(bool appOnly)
    {
        var mime = Encoding.UTF8.GetBytes("To: bob@fabrikam.test\r\nSubject: Draft\r\n\r\nLater.\r\n");
        var client = _context.CreateClient(appOnly);
        var mailbox = MailboxFor(appOnly);

        var draft = await client.CreateItemFromMimeAsync(mime);

        Assert.NotNull(draft.ChangeKey);
        Assert.Empty(mailbox.Sent);
        Assert.Equal("Draft", Assert.Single(mailbox.MessagesIn(mailbox.FindFolder("drafts", true)!.Id)).Subject);
        Assert.Contains("MessageDisposition=\"SaveOnly\"", _context.Server.Requests[^1].Body, StringComparison.Ordinal);

        await client.SendItemAsync(draft);

        Assert.Single(mailbox.Sent);
        Assert.Empty(mailbox.MessagesIn(mailbox.FindFolder("drafts", true)!.Id));
        Assert.Single(mailbox.MessagesIn(mailbox.FindFolder("sentitems", true)!.Id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MoveItemAsync_ToJunk_ReturnsNewIdThatGetItemFinds(bool appOnly)
    {
        var stored = MailboxFor(appOnly).AddMessage("inbox", "spam?");
        var client = _context.CreateClient(appOnly);

        var moved = await client.MoveItemAsync(new EwsItemId(stored.Id), EwsFolderId.JunkEmail);

        Assert.NotNull(moved);
        Assert.NotEqual(stored.Id, moved!.Id);
        Assert.Equal("spam?", (await client.GetItemAsync(moved, includeMimeContent: false)).Subject);
        var mailbox = MailboxFor(appOnly);
        Assert.Empty(mailbox.MessagesIn(mailbox.FindFolder("inbox", true)!.Id));
        Assert.Single(mailbox.MessagesIn(mailbox.FindFolder("junkemail", true)!.Id));
    }

    [Theory]
    [InlineData(false, EwsDeleteMode.MoveToDeletedItems, "MoveToDeletedItems", 1)]
    [InlineData(false, EwsDeleteMode.SoftDelete, "SoftDelete", 0)]
    [InlineData(true, EwsDeleteMode.HardDelete, "HardDelete", 0)]
    [InlineData(true, EwsDeleteMode.MoveToDeletedItems, "MoveToDeletedItems", 1)]
    public async Task DeleteItemAsync_EachMode_SendsDeleteTypeAndRemovesItem(bool appOnly, EwsDeleteMode mode, string deleteType, int inDeletedItems)
    {
        var stored = MailboxFor(appOnly).AddMessage("inbox", "old");
        var client = _context.CreateClient(appOnly);

        await client.DeleteItemAsync(new EwsItemId(stored.Id), mode);

        var mailbox = MailboxFor(appOnly);
        Assert.Empty(mailbox.MessagesIn(mailbox.FindFolder("inbox", true)!.Id));
        Assert.Equal(inDeletedItems, mailbox.MessagesIn(mailbox.FindFolder("deleteditems", true)!.Id).Count);
        Assert.Contains($"DeleteType=\"{deleteType}\"", _context.Server.Requests[^1].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SyncFolderItemsAsync_FullThenIncremental_ReportsCreateUpdateReadFlagAndDelete(bool appOnly)
    {
        var mailbox = MailboxFor(appOnly);
        var first = mailbox.AddMessage("inbox", "first");
        var second = mailbox.AddMessage("inbox", "second");
        var client = _context.CreateClient(appOnly);

        var full = await client.SyncFolderItemsAsync(EwsFolderId.Inbox);

        Assert.True(full.IncludesLastItemInRange);
        Assert.Equal(["first", "second"], full.Changes.Select(c => c.Item!.Subject!).Order());
        Assert.All(full.Changes, c => Assert.Equal(EwsChangeType.Create, c.ChangeType));
        Assert.DoesNotContain("<m:SyncState>", _context.Server.Requests[^1].Body, StringComparison.Ordinal);

        var third = mailbox.AddMessage("inbox", "third");
        mailbox.Rename(first, "first (edited)");
        mailbox.MarkRead(second, true);
        mailbox.Remove(first);

        var incremental = await client.SyncFolderItemsAsync(EwsFolderId.Inbox, full.SyncState);

        Assert.Contains($"<m:SyncState>{full.SyncState}</m:SyncState>", _context.Server.Requests[^1].Body, StringComparison.Ordinal);
        Assert.Collection(incremental.Changes,
            c => Assert.Equal((EwsChangeType.Create, third.Id, "third"), (c.ChangeType, c.ItemId.Id, c.Item!.Subject)),
            c => Assert.Equal((EwsChangeType.Delete, first.Id), (c.ChangeType, c.ItemId.Id)),
            c => Assert.Equal((EwsChangeType.ReadFlagChange, second.Id, true), (c.ChangeType, c.ItemId.Id, c.IsRead)),
            c => Assert.Equal((EwsChangeType.Delete, first.Id), (c.ChangeType, c.ItemId.Id)));

        var nothing = await client.SyncFolderItemsAsync(EwsFolderId.Inbox, incremental.SyncState);
        Assert.Empty(nothing.Changes);
        Assert.Equal(incremental.SyncState, nothing.SyncState);
    }

    [Fact]
    public async Task SyncFolderItemsAsync_MoreChangesThanMax_IncludesLastItemInRangeFalseUntilDrained()
    {
        var mailbox = MailboxFor(appOnly: true);
        var client = _context.CreateClient(appOnly: true);
        var state = (await client.SyncFolderItemsAsync(EwsFolderId.Inbox)).SyncState;
        for (var i = 0; i < 5; i++)
        {
            mailbox.AddMessage("inbox", $"new {i}");
        }

        var page = await client.SyncFolderItemsAsync(EwsFolderId.Inbox, state, maxChanges: 3);
        Assert.False(page.IncludesLastItemInRange);
        Assert.Equal(3, page.Changes.Count);
        var rest = await client.SyncFolderItemsAsync(EwsFolderId.Inbox, page.SyncState, maxChanges: 3);
        Assert.True(rest.IncludesLastItemInRange);
        Assert.Equal(2, rest.Changes.Count);
    }
}
