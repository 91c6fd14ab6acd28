namespace ModernAuth.Mail.Testing;

/// <summary>
/// A request the fake Graph received and how it answered, for assertions. It records whether an <c>Authorization</c>
/// header was sent, never its value.
/// </summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, for example <c>/v1.0/users/adele@contoso.test/sendMail</c>.</param>
/// <param name="Query">The query string without <c>?</c>, or empty.</param>
/// <param name="ContentType">The request's content type, when it had one.</param>
/// <param name="ContentLength">The request body's length in bytes.</param>
/// <param name="HasAuthorization">Whether an <c>Authorization</c> header was sent.</param>
/// <param name="StatusCode">The HTTP status of the answer.</param>
/// <param name="ErrorCode">The Graph error code of the answer (<c>ErrorAccessDenied</c>, ...), or <see langword="null"/> on success.</param>
/// <param name="ReceivedAt">When the request arrived (system clock).</param>
public sealed record FakeGraphRequest(string Method, string Path, string Query, string? ContentType, long ContentLength, bool HasAuthorization, int StatusCode, string? ErrorCode, DateTimeOffset ReceivedAt);
