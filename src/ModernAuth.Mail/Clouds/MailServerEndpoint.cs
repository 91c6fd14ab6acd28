namespace ModernAuth.Mail;

/// <summary>A mail server's host, port and TLS mode.</summary>
/// <param name="Host">The host name.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="TlsMode">How the connection is secured.</param>
public sealed record MailServerEndpoint(string Host, int Port, MailTlsMode TlsMode)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Host}:{Port} ({TlsMode})";
}
