namespace ModernAuth.Mail.Tests.Tokens;

/// <summary><see cref="MailTokenProvider.CreateRequest"/>: the one place every adapter's mailbox is checked.</summary>
public sealed class CreateRequestTests
{
    private static readonly MailTokenProvider AppOnly = new ClientSecretTokenProvider("contoso.onmicrosoft.com", "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11", "secret-value");
    private static readonly MailTokenProvider Delegated = new DeviceCodeTokenProvider("6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11", new DeviceCodeTokenProviderOptions { PersistTokenCache = false });

    [Theory]
    [InlineData(MailProtocol.Imap, "Add-MailboxPermission")]
    [InlineData(MailProtocol.Pop, "Add-MailboxPermission")]
    [InlineData(MailProtocol.Smtp, "SMTP.SendAsApp")]
    [InlineData(MailProtocol.Ews, "ExchangeImpersonation")]
    public void CreateRequest_AppOnlyWithoutMailbox_SaysWhatTheProtocolNeeds(MailProtocol protocol, string remedy)
    {
        var error = Assert.Throws<ArgumentException>(() => AppOnly.CreateRequest(protocol, "  "));

        Assert.Equal("mailbox", error.ParamName);
        Assert.Contains(remedy, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_DelegatedWithoutMailbox_TheSignedInUser()
    {
        var request = Delegated.CreateRequest(MailProtocol.Imap, null);

        Assert.Null(request.Mailbox);
        Assert.Equal(MailProtocol.Imap, request.Protocol);
    }

    [Theory]
    [InlineData("shared")]
    [InlineData("@contoso.com")]
    [InlineData("shared@")]
    [InlineData("sha red@contoso.com")]
    [InlineData("shared@contoso.com\r\nRCPT TO:<x@y>")]
    public void CreateRequest_NotAnAddress_Refused(string mailbox)
    {
        Assert.Throws<ArgumentException>(() => Delegated.CreateRequest(MailProtocol.Smtp, mailbox));
    }

    [Fact]
    public void CreateRequest_Address_TrimmedIntoTheRequest()
    {
        Assert.Equal("shared@contoso.com", AppOnly.CreateRequest(MailProtocol.Imap, " shared@contoso.com ").Mailbox);
    }
}
