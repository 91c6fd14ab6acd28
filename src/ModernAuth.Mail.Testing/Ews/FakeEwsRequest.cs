namespace ModernAuth.Mail.Testing;

/// <summary>A request the <see cref="FakeEwsServer"/> received, as it arrived.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
/// <param name="AnchorMailbox">The X-AnchorMailbox header, if any.</param>
/// <param name="Body">The body as text.</param>
/// <param name="Operation">The EWS operation in the SOAP body (GetFolder, CreateItem, ...), if any.</param>
public sealed record FakeEwsRequest(string Method, string? Authorization, string? AnchorMailbox, string Body, string? Operation)
{
    /// <summary>The bearer token of the Authorization header, if any.</summary>
    public string? BearerToken => Authorization is { } a && a.StartsWith("Bearer ", StringComparison.Ordinal) ? a["Bearer ".Length..] : null;
}
