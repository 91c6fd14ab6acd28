using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.PowerShell.Tokens;

/// <summary>
/// What Get-ModernAuthMailToken returns: a redacted view of a token (who it is for, until when, its claims and a short
/// fingerprint). The token itself is not in it: -AsPlainText writes only the token, for piping.
/// </summary>
public sealed class ModernAuthMailToken
{
    internal ModernAuthMailToken(ModernAuthMailProtocol protocol, MailTokenFlow flow, MailAccessToken token, TokenInspectionResult inspection)
    {
        var summary = inspection.Summary;
        Protocol = protocol;
        Flow = flow.ToString();
        Account = token.Account ?? summary.User;
        ExpiresOn = token.ExpiresOn;
        Fingerprint = token.Fingerprint;
        Kind = summary.Kind.ToString();
        Audience = summary.Audience;
        Scopes = summary.Scopes.ToArray();
        Roles = summary.Roles.ToArray();
        TenantId = summary.TenantId;
        AppId = summary.AppId;
        Findings = inspection.Findings.Where(f => f.Severity != MailFindingSeverity.Info).Select(f => f.Code).ToArray();
    }

    /// <summary>The protocol the token is for.</summary>
    public ModernAuthMailProtocol Protocol { get; }

    /// <summary>The flow that got it: ClientSecret, ClientCertificate or DeviceCode.</summary>
    public string Flow { get; }

    /// <summary>The signed-in account or the mailbox, when known.</summary>
    public string? Account { get; }

    /// <summary>When it expires.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <summary>A short fingerprint that tells tokens apart in logs without revealing them.</summary>
    public string Fingerprint { get; }

    /// <summary>Jwt, or Opaque (normal for personal accounts).</summary>
    public string Kind { get; }

    /// <summary>The <c>aud</c> claim.</summary>
    public string? Audience { get; }

    /// <summary>Delegated permissions (<c>scp</c>).</summary>
    public string[] Scopes { get; }

    /// <summary>Application permissions (<c>roles</c>).</summary>
    public string[] Roles { get; }

    /// <summary>The <c>tid</c> claim.</summary>
    public string? TenantId { get; }

    /// <summary>The client id the token was issued to.</summary>
    public string? AppId { get; }

    /// <summary>The codes of what the inspector found wrong or worth a look (Test-ModernAuthMailToken explains them).</summary>
    public string[] Findings { get; }

    /// <summary>The fingerprint, account and expiry; never the token.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Protocol} token {Fingerprint} for {Account ?? "?"}, expires {ExpiresOn.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
}
