using System.Net;
using static ModernAuth.Mail.Testing.Tests.TestSupport;

namespace ModernAuth.Mail.Testing.Tests;

public class FakeEntraIdOptionsExtensionsTests
{
    [Fact]
    public async Task UseFakeEntraId_Fake_SetsAuthorityTransportAndDisablesDiscovery()
    {
        using var fake = CreateFake();
        var options = new TestOptions();

        var returned = options.UseFakeEntraId(fake);

        Assert.Same(options, returned);
        Assert.Equal(fake.AuthorityHost, options.AuthorityHost);
        Assert.True(options.DisableInstanceDiscovery);
        Assert.NotNull(options.Transport);
        using var response = await GetAsync(options.Transport, "https://login.fake-entra.test/common/discovery/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task UseFakeEntraId_Server_UsesBaseAddressAndTrustingHandler()
    {
        await using var fake = CreateFake();
        await using var server = await fake.StartHttpsServerAsync();
        var options = new TestOptions();

        options.UseFakeEntraId(server);

        Assert.Equal(server.BaseAddress, options.AuthorityHost);
        Assert.True(options.DisableInstanceDiscovery);
        using var response = await GetAsync(options.Transport!, new Uri(options.AuthorityHost!, "/common/discovery/keys").ToString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public void UseFakeEntraId_NullFake_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new TestOptions().UseFakeEntraId((FakeEntraId)null!));
    }

    private sealed class TestOptions : MailTokenProviderOptions;
}
