namespace ModernAuth.Mail.Ews.Tests.Client;

/// <summary>Apps test their own code against a mocked EwsClient: every member is virtual and a protected constructor needs no server.</summary>
public class EwsClientMockingTests
{
    [Fact]
    public async Task GetFolderAsync_OverriddenInTestDouble_ReturnsDoublesAnswer()
    {
        using EwsClient client = new InboxOnlyClient();

        var folder = await client.GetFolderAsync(EwsFolderId.Inbox);

        Assert.Equal("Inbox", folder.DisplayName);
        Assert.Equal("test@contoso.test", client.Mailbox);
    }

    [Fact]
    public async Task FindItemsAsync_NotOverriddenInTestDouble_ThrowsInvalidOperation()
    {
        using EwsClient client = new InboxOnlyClient();

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.FindItemsAsync(EwsFolderId.Inbox));
    }

    private sealed class InboxOnlyClient : EwsClient
    {
        public override string Mailbox => "test@contoso.test";

        public override Task<EwsFolder> GetFolderAsync(EwsFolderId folder, CancellationToken cancellationToken = default) =>
            Task.FromResult(new EwsFolder(EwsFolderId.FromId("AAMkInbox="), "Inbox") { TotalCount = 0 });
    }
}
