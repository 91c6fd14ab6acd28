using MailKit;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// The user's protocol logger, lent to one connection after another: MailKit disposes a client's logger with the
/// client, so each connection gets this wrapper and <see cref="ModernAuthSmtpClient"/> disposes the real one itself.
/// </summary>
internal sealed class SharedProtocolLogger : IProtocolLogger
{
    private readonly IProtocolLogger _inner;

    public SharedProtocolLogger(IProtocolLogger inner) => _inner = inner;

    public IAuthenticationSecretDetector? AuthenticationSecretDetector
    {
        get => _inner.AuthenticationSecretDetector;
        set => _inner.AuthenticationSecretDetector = value;
    }

    public void LogConnect(Uri uri) => _inner.LogConnect(uri);

    public void LogClient(byte[] buffer, int offset, int count) => _inner.LogClient(buffer, offset, count);

    public void LogServer(byte[] buffer, int offset, int count) => _inner.LogServer(buffer, offset, count);

    public void Dispose()
    {
    }
}
