namespace ModernAuth.Mail;

/// <summary>What a caller needs a token for: the protocol, the mailbox and whether caches may answer.</summary>
public readonly struct MailTokenRequest : IEquatable<MailTokenRequest>
{
    /// <summary>Creates a request.</summary>
    /// <param name="protocol">The protocol the token is for.</param>
    /// <param name="mailbox">
    /// For delegated flows, the signed-in user to use when several accounts are cached (the first sign-in
    /// also uses it as a login hint); for app-only flows, the mailbox the application will open. It does not
    /// change the token an app-only flow gets, but is carried to diagnostics and protocol adapters.
    /// </param>
    /// <param name="forceRefresh">
    /// <see langword="true"/> to bypass every cache (ours and MSAL's) and ask the token service for a new token.
    /// Adapters set it when a server rejected a token. Default <see langword="false"/>.
    /// </param>
    public MailTokenRequest(MailProtocol protocol, string? mailbox = null, bool forceRefresh = false)
    {
        Protocol = protocol;
        Mailbox = string.IsNullOrWhiteSpace(mailbox) ? null : mailbox!.Trim();
        ForceRefresh = forceRefresh;
    }

    /// <summary>The protocol the token is for.</summary>
    public MailProtocol Protocol { get; }

    /// <summary>The mailbox the token is for, or <see langword="null"/> when the flow decides (the signed-in user).</summary>
    public string? Mailbox { get; }

    /// <summary>Whether every cache is bypassed.</summary>
    public bool ForceRefresh { get; }

    /// <summary>Returns a copy of this request that bypasses every cache.</summary>
    /// <returns>The same request with <see cref="ForceRefresh"/> set.</returns>
    public MailTokenRequest WithForceRefresh() => new(Protocol, Mailbox, forceRefresh: true);

    /// <inheritdoc/>
    public bool Equals(MailTokenRequest other) =>
        Protocol == other.Protocol && ForceRefresh == other.ForceRefresh &&
        string.Equals(Mailbox, other.Mailbox, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MailTokenRequest other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        ((int)Protocol * 397) ^ (ForceRefresh ? 1 : 0) ^ (Mailbox is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Mailbox));

    /// <summary>Compares two requests.</summary>
    /// <param name="left">The first request.</param>
    /// <param name="right">The second request.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(MailTokenRequest left, MailTokenRequest right) => left.Equals(right);

    /// <summary>Compares two requests.</summary>
    /// <param name="left">The first request.</param>
    /// <param name="right">The second request.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MailTokenRequest left, MailTokenRequest right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() =>
        $"MailTokenRequest {{ Protocol = {Protocol}, Mailbox = {Mailbox ?? "(signed-in user)"}, ForceRefresh = {ForceRefresh} }}";
}
