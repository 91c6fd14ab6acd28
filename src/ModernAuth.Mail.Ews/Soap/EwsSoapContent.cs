namespace ModernAuth.Mail.Ews.Internal;

/// <summary>
/// The body of a request <see cref="EwsClient"/> wrote. It tells the handler which mailbox the envelope's
/// ExchangeImpersonation header names, so the handler need not parse the body to find out.
/// </summary>
internal sealed class EwsSoapContent : ByteArrayContent
{
    public EwsSoapContent(byte[] body, string? impersonatedMailbox)
        : base(body)
    {
        ImpersonatedMailbox = impersonatedMailbox;
    }

    public string? ImpersonatedMailbox { get; }
}
