namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// What <see cref="TokenInspector"/> checks a token against. Every expectation is optional: leave one unset and
/// the inspector does not check it.
/// </summary>
public sealed class TokenInspectorOptions
{
    /// <summary>The protocol the token is for; decides which scope or role must be present. Default: not checked.</summary>
    public MailProtocol? Protocol { get; set; }

    /// <summary>
    /// <see langword="true"/> when the flow is app-only (client credentials), <see langword="false"/> when a user
    /// signs in (delegated). Default: not checked, the token's own kind is used.
    /// </summary>
    public bool? AppOnly { get; set; }

    /// <summary>
    /// The permission the operation needs, for <see cref="MailProtocol.Graph"/>: <c>Mail.Read</c> (also satisfied by
    /// <c>Mail.ReadWrite</c>), <c>Mail.ReadWrite</c> or <c>Mail.Send</c>. Default: any Graph mail permission. Ignored for
    /// the other protocols, whose permission follows from the protocol.
    /// </summary>
    public string? RequiredPermission { get; set; }

    /// <summary>The mailbox being opened (the XOAUTH2 <c>user=</c>). Default: not checked.</summary>
    public string? Mailbox { get; set; }

    /// <summary>The configured tenant id (a GUID). Domain names and <c>common</c>/<c>organizations</c> are not compared. Default: not checked.</summary>
    public string? TenantId { get; set; }

    /// <summary>The configured client (application) id. Default: not checked.</summary>
    public string? ClientId { get; set; }

    /// <summary>The cloud, which decides the valid Exchange audiences. Default: <see cref="MailCloud.Global"/>.</summary>
    public MailCloud Cloud { get; set; } = MailCloud.Global;

    /// <summary>How far clocks may disagree before <c>exp</c> / <c>nbf</c> are reported. Default: 5 minutes. Must not be negative.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Inputs longer than this many characters are reported as <c>token_too_large</c> and not decoded. Default:
    /// 262,144 (real access tokens are a few kilobytes). Must be positive.
    /// </summary>
    public int MaxTokenLength { get; set; } = 256 * 1024;

    internal TokenInspectorOptions Snapshot()
    {
        if (ClockSkew < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkew), ClockSkew, "The clock skew must not be negative.");
        }

        if (MaxTokenLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokenLength), MaxTokenLength, "The maximum token length must be positive.");
        }

        return new TokenInspectorOptions
        {
            Protocol = Protocol,
            RequiredPermission = RequiredPermission,
            AppOnly = AppOnly,
            Mailbox = Mailbox,
            TenantId = TenantId,
            ClientId = ClientId,
            Cloud = Cloud ?? throw new ArgumentException("Cloud must not be null.", nameof(Cloud)),
            ClockSkew = ClockSkew,
            TimeProvider = TimeProvider ?? throw new ArgumentException("TimeProvider must not be null.", nameof(TimeProvider)),
            MaxTokenLength = MaxTokenLength,
        };
    }
}
