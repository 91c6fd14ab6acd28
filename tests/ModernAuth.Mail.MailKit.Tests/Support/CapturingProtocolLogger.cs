using System.Text;
using MailKit;

namespace ModernAuth.Mail.MailKit.Tests.Support;

/// <summary>MailKit's own <see cref="ProtocolLogger"/> on a memory stream, readable after the client disposed it.</summary>
public sealed class CapturingProtocolLogger : IProtocolLogger
{
    private readonly MemoryStream _stream = new();
    private readonly ProtocolLogger _inner;

    public CapturingProtocolLogger()
    {
        _inner = new ProtocolLogger(_stream, leaveOpen: true);
    }

    public IAuthenticationSecretDetector? AuthenticationSecretDetector
    {
        get => _inner.AuthenticationSecretDetector;
        set => _inner.AuthenticationSecretDetector = value;
    }

    public string Text
    {
        get
        {
            lock (_stream)
            {
                return Encoding.UTF8.GetString(_stream.ToArray());
            }
        }
    }

    public void LogConnect(Uri uri)
    {
        lock (_stream)
        {
            _inner.LogConnect(uri);
        }
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
        lock (_stream)
        {
            _inner.LogClient(buffer, offset, count);
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        lock (_stream)
        {
            _inner.LogServer(buffer, offset, count);
        }
    }

    // The client disposes its logger; the test still reads the text afterwards.
    public void Dispose()
    {
    }
}
