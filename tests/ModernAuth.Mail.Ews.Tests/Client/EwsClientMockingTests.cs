using System.Reflection;

namespace ModernAuth.Mail.Ews.Tests.Client;

/// <summary>
/// Apps test their own code against a double of <see cref="EwsClient"/>: that only works while every public member
/// stays virtual and the protected constructor needs no server. What a double inherits must fail loudly.
/// </summary>
public class EwsClientMockingTests
{
    [Fact]
    public void PublicMembers_AreAllOverridable()
    {
        // Dispose() is the one exception: doubles override Dispose(bool), the pattern's virtual half.
        var members = typeof(EwsClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name != nameof(EwsClient.Dispose))
            .ToList();

        Assert.Contains(members, m => m.Name == nameof(EwsClient.SyncFolderItemsAsync));
        Assert.Contains(members, m => m.Name == "get_" + nameof(EwsClient.Mailbox));
        Assert.All(members, m => Assert.True(m.IsVirtual && !m.IsFinal, $"EwsClient.{m.Name} is not virtual: test doubles cannot override it."));
        var constructor = typeof(EwsClient).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes);
        Assert.NotNull(constructor);
        Assert.True(constructor.IsFamily, "the parameterless constructor must be protected");
    }

    [Fact]
    public async Task BaseMember_OnADouble_ThrowsInvalidOperationThatSaysWhatToOverride()
    {
        using EwsClient client = new Double();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.FindItemsAsync(EwsFolderId.Inbox));

        Assert.Contains("override", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendMimeAsync([1, 2, 3]));
    }

    [Fact]
    public void Double_NeedsNoServerAndDisposesCleanly()
    {
        var client = new Double();

        client.Dispose();
        client.Dispose();

        Assert.Equal(string.Empty, client.Mailbox);
        Assert.Equal(2, client.DisposeCalls); // Dispose() goes through Dispose(true), which doubles override.
    }

    private sealed class Double : EwsClient
    {
        public int DisposeCalls { get; private set; }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                DisposeCalls++;
            }

            base.Dispose(disposing);
        }
    }
}
