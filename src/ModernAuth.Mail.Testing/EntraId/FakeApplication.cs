using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// An application registered in a tenant of a <see cref="FakeEntraId"/>, created by
/// <see cref="FakeEntraId.RegisterApplication"/>. Its fluent methods add credentials and permissions; they are
/// thread-safe and take effect on the next request.
/// </summary>
public sealed class FakeApplication
{
    private static readonly string[] s_defaultAppRoles = ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp", "full_access_as_app", "Mail.ReadWrite", "Mail.Send"];
    private static readonly string[] s_defaultDelegatedScopes = ["IMAP.AccessAsUser.All", "POP.AccessAsUser.All", "SMTP.Send", "EWS.AccessAsUser.All", "Mail.ReadWrite", "Mail.Send"];

    private readonly object _gate = new();
    private readonly List<byte[]> _secretHashes = [];
    private readonly List<X509Certificate2> _certificates = [];
    private readonly List<(string Subject, string Issuer)> _subjectNameIssuers = [];
    private readonly List<(string Issuer, string Subject, string Audience)> _federatedCredentials = [];
    private string[] _appRoles = s_defaultAppRoles;
    private string[] _delegatedScopes = s_defaultDelegatedScopes;
    private bool _isPublicClient;

    internal FakeApplication(string tenantId, string clientId, string objectId)
    {
        TenantId = tenantId;
        ClientId = clientId;
        ObjectId = objectId;
    }

    /// <summary>
    /// The app roles an application gets by default: Exchange's <c>IMAP.AccessAsApp</c>, <c>POP.AccessAsApp</c>,
    /// <c>SMTP.SendAsApp</c>, <c>full_access_as_app</c> and Microsoft Graph's <c>Mail.ReadWrite</c>, <c>Mail.Send</c>.
    /// As with Entra ID, a token carries only the roles of its resource: a role named <c>Mail.*</c> goes into Graph tokens,
    /// any other bare name into the other resources' tokens, and a role written as <c>{resource}/{name}</c> only into that
    /// resource's tokens.
    /// </summary>
    public static IReadOnlyList<string> DefaultAppRoles => s_defaultAppRoles;

    /// <summary>The delegated scopes an application gets by default: <c>IMAP.AccessAsUser.All</c>, <c>POP.AccessAsUser.All</c>, <c>SMTP.Send</c>, <c>EWS.AccessAsUser.All</c>, and Microsoft Graph's <c>Mail.ReadWrite</c>, <c>Mail.Send</c>.</summary>
    public static IReadOnlyList<string> DefaultDelegatedScopes => s_defaultDelegatedScopes;

    /// <summary>The tenant the application is registered in.</summary>
    public string TenantId { get; }

    /// <summary>The application (client) id: <c>appid</c> in access tokens, <c>aud</c> in id tokens.</summary>
    public string ClientId { get; }

    /// <summary>
    /// The object id of the application's service principal (the Enterprise Application, not the App Registration): the
    /// <c>oid</c> and <c>sub</c> of its app-only tokens, and what Exchange's <c>New-ServicePrincipal -ObjectId</c> takes.
    /// </summary>
    public string ObjectId { get; }

    /// <summary>The app roles granted for app-only tokens (the <c>roles</c> claim). Default <see cref="DefaultAppRoles"/>.</summary>
    public IReadOnlyList<string> AppRoles
    {
        get
        {
            lock (_gate)
            {
                return _appRoles;
            }
        }
    }

    /// <summary>The delegated scopes users have consented to (the <c>scp</c> claim may hold only these). Default <see cref="DefaultDelegatedScopes"/>.</summary>
    public IReadOnlyList<string> DelegatedScopes
    {
        get
        {
            lock (_gate)
            {
                return _delegatedScopes;
            }
        }
    }

    /// <summary>Whether public client flows (device code, refresh without a client credential) are allowed. Default <see langword="false"/>.</summary>
    public bool IsPublicClient
    {
        get
        {
            lock (_gate)
            {
                return _isPublicClient;
            }
        }
    }

    /// <summary>Adds a client secret. An application may have several; any of them is accepted.</summary>
    /// <param name="secret">The secret value (not its id).</param>
    /// <returns>This application.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty.</exception>
    public FakeApplication WithSecret(string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            throw new ArgumentException("The secret is empty.", nameof(secret));
        }

        // Keep only a hash: the fake never holds a secret it could leak into an error or a log.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        lock (_gate)
        {
            _secretHashes.Add(hash);
        }

        return this;
    }

    /// <summary>
    /// Adds a certificate credential. A client assertion signed with this certificate's key is accepted when it names the
    /// certificate (<c>x5t#S256</c> or <c>x5t</c> header), its <c>aud</c> is the token endpoint, its <c>iss</c> and <c>sub</c>
    /// are the client id, and it has not expired. PS256 (what MSAL sends) and RS256 are accepted.
    /// </summary>
    /// <param name="certificate">The certificate; only its public part is kept.</param>
    /// <returns>This application.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    public FakeApplication WithCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var publicPart = CertificateHelper.PublicCopy(certificate);
        lock (_gate)
        {
            _certificates.Add(publicPart);
        }

        return this;
    }

    /// <summary>
    /// Allows subject name and issuer ("SN/I") authentication: a client assertion whose <c>x5c</c> header carries a
    /// certificate with this subject and issuer, signed with that certificate's key, is accepted without registering the
    /// certificate itself (MSAL: <c>WithCertificate(certificate, sendX5C: true)</c>).
    /// </summary>
    /// <param name="subject">The certificate's subject distinguished name, for example <c>CN=mail-app.contoso.com</c>.</param>
    /// <param name="issuer">The certificate's issuer distinguished name, for example <c>CN=Contoso Issuing CA</c>.</param>
    /// <returns>This application.</returns>
    /// <exception cref="ArgumentException"><paramref name="subject"/> or <paramref name="issuer"/> is empty.</exception>
    public FakeApplication WithSubjectNameIssuer(string subject, string issuer)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            throw new ArgumentException("The subject is empty.", nameof(subject));
        }

        if (string.IsNullOrWhiteSpace(issuer))
        {
            throw new ArgumentException("The issuer is empty.", nameof(issuer));
        }

        var entry = (CertificateHelper.NormalizeName(subject), CertificateHelper.NormalizeName(issuer));
        lock (_gate)
        {
            _subjectNameIssuers.Add(entry);
        }

        return this;
    }

    /// <summary>
    /// Adds a federated identity credential (workload identity federation): a client assertion that is a token from
    /// <paramref name="issuer"/> about <paramref name="subject"/> for <paramref name="audience"/>, unexpired and signed with
    /// the fake's key (<see cref="FakeEntraId.MintFederatedToken"/> makes one), proves the application. Issuer and subject
    /// match exactly and case-sensitively, as at Entra ID; mismatches fail with AADSTS700211 (issuer), AADSTS700213
    /// (subject) or AADSTS70021 (audience), an expired token with AADSTS700024.
    /// </summary>
    /// <param name="issuer">The issuer, for example a cluster's OIDC issuer URL or <c>https://token.actions.githubusercontent.com</c>.</param>
    /// <param name="subject">The subject, for example <c>system:serviceaccount:mail:sender</c>.</param>
    /// <param name="audience">The audience. Default <c>api://AzureADTokenExchange</c>.</param>
    /// <returns>This application.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public FakeApplication WithFederatedCredential(string issuer, string subject, string audience = "api://AzureADTokenExchange")
    {
        if (string.IsNullOrWhiteSpace(issuer) || string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(audience))
        {
            throw new ArgumentException("The issuer, subject and audience must not be empty.");
        }

        lock (_gate)
        {
            _federatedCredentials.Add((issuer, subject, audience));
        }

        return this;
    }

    /// <summary>Replaces the app roles granted for app-only tokens. No roles at all gives tokens without a <c>roles</c> claim, as Entra ID does.</summary>
    /// <param name="roles">The roles, for example <c>IMAP.AccessAsApp</c>.</param>
    /// <returns>This application.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="roles"/> is <see langword="null"/>.</exception>
    public FakeApplication WithAppRoles(params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var copy = roles.ToArray();
        lock (_gate)
        {
            _appRoles = copy;
        }

        return this;
    }

    /// <summary>
    /// Replaces the delegated scopes users have consented to. A request for any other scope fails with AADSTS65001.
    /// Give a scope name (<c>IMAP.AccessAsUser.All</c>: any resource) or a full scope
    /// (<c>https://outlook.office.com/IMAP.AccessAsUser.All</c>: that resource only).
    /// </summary>
    /// <param name="scopes">The scopes.</param>
    /// <returns>This application.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scopes"/> is <see langword="null"/>.</exception>
    public FakeApplication WithDelegatedScopes(params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var copy = scopes.ToArray();
        lock (_gate)
        {
            _delegatedScopes = copy;
        }

        return this;
    }

    /// <summary>Allows public client flows: the device code flow, and refresh token grants without a client credential.</summary>
    /// <returns>This application.</returns>
    public FakeApplication AsPublicClient()
    {
        lock (_gate)
        {
            _isPublicClient = true;
        }

        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{ClientId} in {TenantId}";

    internal bool HasSecrets
    {
        get
        {
            lock (_gate)
            {
                return _secretHashes.Count > 0;
            }
        }
    }

    internal bool SecretMatches(string secret)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        lock (_gate)
        {
            var match = false;
            foreach (var known in _secretHashes)
            {
                match |= CryptographicOperations.FixedTimeEquals(known, hash);
            }

            return match;
        }
    }

    internal X509Certificate2[] GetCertificates()
    {
        lock (_gate)
        {
            return _certificates.ToArray();
        }
    }

    internal bool AllowsSubjectNameIssuer(X509Certificate2 certificate)
    {
        var subject = CertificateHelper.NormalizeName(certificate.Subject);
        var issuer = CertificateHelper.NormalizeName(certificate.Issuer);
        lock (_gate)
        {
            return _subjectNameIssuers.Exists(e =>
                string.Equals(e.Subject, subject, StringComparison.OrdinalIgnoreCase) &&
                string.Equals(e.Issuer, issuer, StringComparison.OrdinalIgnoreCase));
        }
    }

    internal bool HasSubjectNameIssuers
    {
        get
        {
            lock (_gate)
            {
                return _subjectNameIssuers.Count > 0;
            }
        }
    }

    internal (string Issuer, string Subject, string Audience)[] GetFederatedCredentials()
    {
        lock (_gate)
        {
            return _federatedCredentials.ToArray();
        }
    }
}
