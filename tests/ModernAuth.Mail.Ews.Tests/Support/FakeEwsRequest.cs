namespace ModernAuth.Mail.Ews.Tests.Support;

/// <summary>A request the <see cref="FakeEwsServer"/> received, as it arrived.</summary>
public sealed record FakeEwsRequest(string Method, string? Authorization, string? AnchorMailbox, string Body, string? Operation)
{
    public string? BearerToken => Authorization is { } a && a.StartsWith("Bearer ", StringComparison.Ordinal) ? a["Bearer ".Length..] : null;
}
