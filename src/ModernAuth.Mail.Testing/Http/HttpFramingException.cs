namespace ModernAuth.Mail.Testing.Internal;

/// <summary>A request <see cref="LoopbackHttpServer"/> cannot read: it answers with <see cref="StatusCode"/> and closes the connection.</summary>
internal sealed class HttpFramingException : Exception
{
    public HttpFramingException(int statusCode, string message)
        : base(message) => StatusCode = statusCode;

    public int StatusCode { get; }
}
