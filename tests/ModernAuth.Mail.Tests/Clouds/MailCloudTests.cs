namespace ModernAuth.Mail.Tests.Clouds;

public class MailCloudTests
{
    [Theory]
    [InlineData(MailProtocol.Imap, "https://outlook.office.com/IMAP.AccessAsUser.All")]
    [InlineData(MailProtocol.Pop, "https://outlook.office.com/POP.AccessAsUser.All")]
    [InlineData(MailProtocol.Smtp, "https://outlook.office.com/SMTP.Send")]
    [InlineData(MailProtocol.Ews, "https://outlook.office365.com/EWS.AccessAsUser.All")]
    public void GetScopes_GlobalDelegated_ProtocolScopeWithResourcePrefixAndOfflineAccess(MailProtocol protocol, string scope)
    {
        Assert.Equal(new[] { scope, "offline_access" }, MailCloud.Global.GetScopes(protocol, appOnly: false));
    }

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop)]
    [InlineData(MailProtocol.Smtp)]
    [InlineData(MailProtocol.Ews)]
    public void GetScopes_GlobalAppOnly_DefaultScopeOfExchange(MailProtocol protocol)
    {
        Assert.Equal(new[] { "https://outlook.office365.com/.default" }, MailCloud.Global.GetScopes(protocol, appOnly: true));
    }

    [Fact]
    public void WellKnownClouds_MatchTheEndpointsTable()
    {
        Assert.Equal(("login.microsoftonline.com", "outlook.office365.com", "smtp.office365.com"), Hosts(MailCloud.Global));
        Assert.Equal(("login.microsoftonline.com", "outlook.office365.com", "smtp-mail.outlook.com"), Hosts(MailCloud.PersonalAccounts));
        Assert.Equal(("login.microsoftonline.us", "outlook.office365.us", "smtp.office365.us"), Hosts(MailCloud.UsGovernmentHigh));
        Assert.Equal("outlook-dod.office365.us", MailCloud.UsGovernmentDod.Imap.Host);
        Assert.Equal("login.partner.microsoftonline.cn", MailCloud.China.AuthorityHost.Host);
        Assert.Equal("partner.outlook.cn", MailCloud.China.Imap.Host);
        Assert.Equal(new Uri("https://outlook.office365.com/EWS/Exchange.asmx"), MailCloud.Global.Ews);
        Assert.Equal(new Uri("https://outlook.office365.us/EWS/Exchange.asmx"), MailCloud.UsGovernmentHigh.Ews);
        Assert.Null(MailCloud.PersonalAccounts.Ews);
        foreach (var cloud in MailCloud.WellKnown)
        {
            Assert.Equal((993, MailTlsMode.Implicit), (cloud.Imap.Port, cloud.Imap.TlsMode));
            Assert.Equal((995, MailTlsMode.Implicit), (cloud.Pop.Port, cloud.Pop.TlsMode));
            Assert.Equal((587, MailTlsMode.StartTls), (cloud.Smtp.Port, cloud.Smtp.TlsMode));
        }

        static (string, string, string) Hosts(MailCloud cloud) => (cloud.AuthorityHost.Host, cloud.Imap.Host, cloud.Smtp.Host);
    }

    [Fact]
    public void PersonalAccounts_ConsumersTenantAndNoAppOnly()
    {
        Assert.Equal("consumers", MailCloud.PersonalAccounts.DefaultTenant);
        Assert.False(MailCloud.PersonalAccounts.SupportsAppOnly);
        Assert.True(MailCloud.PersonalAccounts.IsPersonalAccounts);
        Assert.Equal("https://outlook.office.com/IMAP.AccessAsUser.All", MailCloud.PersonalAccounts.GetScopes(MailProtocol.Imap, appOnly: false)[0]);
    }

    [Fact]
    public void SovereignCloud_ScopesUseItsOwnResource()
    {
        Assert.Equal("https://outlook.office365.us/.default", MailCloud.UsGovernmentHigh.GetScopes(MailProtocol.Smtp, appOnly: true)[0]);
        Assert.Equal("https://partner.outlook.cn/IMAP.AccessAsUser.All", MailCloud.China.GetScopes(MailProtocol.Imap, appOnly: false)[0]);
    }

    [Fact]
    public void With_OverridesOneValueAndKeepsTheRest()
    {
        var custom = MailCloud.UsGovernmentDod with { Smtp = new MailServerEndpoint("smtp.example.us", 2587, MailTlsMode.StartTls) };

        Assert.Equal("smtp.example.us", custom.Smtp.Host);
        Assert.Equal(MailCloud.UsGovernmentDod.Imap, custom.Imap);
        Assert.Equal("smtp-dod.office365.us", MailCloud.UsGovernmentDod.Smtp.Host);
    }

    [Theory]
    [InlineData("gcchigh", "UsGovernmentHigh")]
    [InlineData("Personal", "PersonalAccounts")]
    [InlineData("DoD", "UsGovernmentDod")]
    [InlineData("china", "China")]
    [InlineData("global", "Global")]
    public void TryGetWellKnown_Aliases_FindCloud(string alias, string name)
    {
        Assert.True(MailCloud.TryGetWellKnown(alias, out var cloud));
        Assert.Equal(name, cloud.Name);
    }

    [Fact]
    public void TryGetWellKnown_Unknown_False()
    {
        Assert.False(MailCloud.TryGetWellKnown("mars", out _));
    }

    [Fact]
    public void GetEndpoint_Ews_ThrowsPointingToEwsProperty()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => MailCloud.Global.GetEndpoint(MailProtocol.Ews));
        Assert.Contains("MailCloud.Ews", error.Message, StringComparison.Ordinal);
    }
}
