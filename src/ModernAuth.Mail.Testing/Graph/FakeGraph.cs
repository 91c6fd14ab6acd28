using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// A fake Microsoft Graph for mail, for tests: the real <c>GraphServiceClient</c> talks to it over HTTPS loopback
/// (<see cref="StartHttpsServerAsync"/>). It validates bearer tokens as Graph does (signature by the fake Entra ID,
/// audience, tenant, expiry; opaque personal-account tokens the fake Entra ID issued), checks the role or scope each
/// operation needs and the application access policy, keeps in-memory mailboxes (<see cref="FakeMailbox"/>), answers
/// with Graph's JSON and error shapes, and can be told to throttle or fail.
/// </summary>
/// <remarks>
/// Endpoints (under <c>/v1.0/users/{id or address}</c> or <c>/v1.0/me</c>): <c>mailFolders/{id}</c>,
/// <c>mailFolders/{id}/messages</c> (<c>$top</c>, <c>$skip</c>, <c>$count</c>), <c>mailFolders/{id}/messages/delta</c>,
/// <c>messages</c> (POST a MIME draft), <c>messages/{id}</c> (GET, PATCH <c>isRead</c>, DELETE), <c>messages/{id}/$value</c>,
/// <c>messages/{id}/move</c>, <c>messages/{id}/permanentDelete</c>, <c>messages/{id}/send</c>,
/// <c>messages/{id}/attachments</c> and <c>messages/{id}/attachments/createUploadSession</c> (with its upload URL, which
/// refuses an <c>Authorization</c> header as Outlook's does), and <c>sendMail</c> (MIME as base64 <c>text/plain</c>, or
/// JSON). A request body over 4 MB is refused with <c>413</c>. Mail between mailboxes of the fake is delivered to the
/// recipients' inboxes (To, Cc and Bcc; as with Exchange, only the sender's Sent Items copy shows the Bcc header).
/// </remarks>
public sealed class FakeGraph : IAsyncDisposable
{
    /// <summary>The largest request body Graph takes: 4 MB.</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    internal const string GraphResource = "https://graph.microsoft.com";
    internal const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    private readonly FakeEntraId _entra;
    private readonly Lazy<IReadOnlyList<SecurityKey>> _keys;
    private readonly ConcurrentDictionary<string, FakeMailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _personal = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _restDisabled = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, HashSet<string>> _accessPolicies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<FakeGraphRequest> _requests = new();
    private readonly ConcurrentQueue<Func<GraphHttpResponse>> _faults = new();
    private readonly List<FakeGraphServer> _servers = [];
    private readonly GraphRouter _router;
    private int _requestCount;

    /// <summary>Creates a fake Graph for one tenant, trusting the tokens of <paramref name="entra"/>.</summary>
    /// <param name="entra">The fake Entra ID whose tokens are accepted.</param>
    /// <param name="tenantId">The tenant (GUID) whose work mailboxes this Graph serves.</param>
    /// <exception cref="ArgumentNullException"><paramref name="entra"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is empty.</exception>
    public FakeGraph(FakeEntraId entra, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(entra);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        _entra = entra;
        TenantId = tenantId;
        _keys = new Lazy<IReadOnlyList<SecurityKey>>(() => new JsonWebKeySet(entra.GetJwksJson()).GetSigningKeys().ToList());
        _router = new GraphRouter(this);
    }

    /// <summary>The tenant whose work mailboxes this Graph serves.</summary>
    public string TenantId { get; }

    /// <summary>
    /// How many requests one application may have in flight for one mailbox before Graph answers <c>429
    /// ApplicationThrottled</c> (Exchange Online allows 4). Default 4; 0 or less turns the limit off.
    /// </summary>
    public int MaxConcurrentRequestsPerMailbox { get; set; } = 4;

    /// <summary>The <c>Retry-After</c> (seconds) of a <c>429</c> for exceeding <see cref="MaxConcurrentRequestsPerMailbox"/>. Default 1.</summary>
    public int ConcurrencyRetryAfterSeconds { get; set; } = 1;

    /// <summary>Every request received so far, oldest first.</summary>
    public IReadOnlyList<FakeGraphRequest> Requests => _requests.ToArray();

    /// <summary>How many requests were received.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Raised for each request after it was answered.</summary>
    public event Action<FakeGraphRequest>? RequestReceived;

    internal FakeEntraId Entra => _entra;

    /// <summary>Adds (or returns) the work mailbox <paramref name="address"/> of <see cref="TenantId"/>.</summary>
    /// <param name="address">The mailbox's primary SMTP address.</param>
    /// <returns>The mailbox.</returns>
    public FakeMailbox AddMailbox(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return _mailboxes.GetOrAdd(address, a => new FakeMailbox(a));
    }

    /// <summary>
    /// Adds (or returns) a personal Microsoft account's mailbox (outlook.com, hotmail.com): reachable through <c>/me</c>
    /// with the signed-in user's (opaque) token, never app-only, as with Graph.
    /// </summary>
    /// <param name="address">The account's address.</param>
    /// <returns>The mailbox.</returns>
    public FakeMailbox AddPersonalMailbox(string address)
    {
        var mailbox = AddMailbox(address);
        _personal[address] = 0;
        return mailbox;
    }

    /// <summary>The mailbox <paramref name="address"/>.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The mailbox.</returns>
    /// <exception cref="KeyNotFoundException">No such mailbox.</exception>
    public FakeMailbox Mailbox(string address) => _mailboxes[address];

    /// <summary>
    /// Restricts application <paramref name="clientId"/> to <paramref name="mailboxes"/>, as
    /// <c>New-ApplicationAccessPolicy -AccessRight RestrictAccess</c> does: its app-only requests for any other mailbox
    /// get <c>403 ErrorAccessDenied</c> "Access to OData is disabled: [RAOP] ...". Calling it again replaces the list.
    /// </summary>
    /// <param name="clientId">The application (client) id.</param>
    /// <param name="mailboxes">The mailboxes it may reach.</param>
    public void RestrictAccess(string clientId, params string[] mailboxes)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(mailboxes);
        _accessPolicies[clientId] = new HashSet<string>(mailboxes, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Makes <paramref name="address"/> answer <c>MailboxNotEnabledForRESTAPI</c>, as an inactive, soft-deleted or on-premises mailbox does.</summary>
    /// <param name="address">The mailbox.</param>
    public void DisableRestApi(string address) => _restDisabled[address] = 0;

    /// <summary>Answers the next <paramref name="count"/> requests with <c>429 ApplicationThrottled</c> and <c>Retry-After</c>.</summary>
    /// <param name="count">How many requests.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> to send, rounded up to whole seconds.</param>
    public void ThrottleNext(int count, TimeSpan retryAfter)
    {
        var seconds = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(() => GraphRouter.Error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", ("Retry-After", seconds)));
        }
    }

    /// <summary>Answers the next <paramref name="count"/> requests with a Graph error.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="code">The Graph error code, for example <c>ErrorServerBusy</c>.</param>
    /// <param name="message">The error message.</param>
    /// <param name="count">How many requests. Default 1.</param>
    public void FailNext(HttpStatusCode statusCode, string code, string message, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(() => GraphRouter.Error((int)statusCode, code, message));
        }
    }

    /// <summary>Forgets the queued faults.</summary>
    public void ClearFaults()
    {
        while (_faults.TryDequeue(out _))
        {
        }
    }

    /// <summary>Starts an HTTPS loopback server for this fake; it stops when disposed, or when this fake is disposed.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public async Task<FakeGraphServer> StartHttpsServerAsync(CancellationToken cancellationToken = default)
    {
        var server = await FakeGraphServer.StartAsync(this, cancellationToken).ConfigureAwait(false);
        lock (_servers)
        {
            _servers.Add(server);
        }

        return server;
    }

    /// <summary>Stops the servers this fake started.</summary>
    /// <returns>A task that completes when they have stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        FakeGraphServer[] servers;
        lock (_servers)
        {
            servers = _servers.ToArray();
            _servers.Clear();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one request: the whole fake, independent of the server that hosts it.</summary>
    internal async Task<GraphHttpResponse> HandleAsync(GraphHttpRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requestCount);
        var received = TimeProvider.System.GetUtcNow();
        var response = _faults.TryDequeue(out var fault) && !GraphRouter.IsUpload(request) ? fault() : await _router.RouteAsync(request, cancellationToken).ConfigureAwait(false);
        var log = new FakeGraphRequest(request.Method, request.Url.AbsolutePath, request.Url.Query.TrimStart('?'), request.Header("Content-Type"), request.Body.Length,
            request.Header("Authorization") is not null, response.StatusCode, response.ErrorCode, received);
        _requests.Enqueue(log);
        RequestReceived?.Invoke(log);
        return response;
    }

    internal FakeMailbox? FindMailbox(string address) => _mailboxes.GetValueOrDefault(address);

    internal bool IsPersonal(string address) => _personal.ContainsKey(address);

    internal bool IsRestDisabled(string address) => _restDisabled.ContainsKey(address);

    internal bool IsBlockedByPolicy(string clientId, string mailbox) =>
        _accessPolicies.TryGetValue(clientId, out var allowed) && !allowed.Contains(mailbox);

    /// <summary>Counts a request in flight for an application and mailbox; <see langword="false"/> when over the limit (nothing counted).</summary>
    internal bool TryEnter(string key)
    {
        var limit = MaxConcurrentRequestsPerMailbox;
        var now = _inFlight.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (limit > 0 && now > limit)
        {
            Leave(key);
            return false;
        }

        return true;
    }

    internal void Leave(string key) => _inFlight.AddOrUpdate(key, 0, (_, n) => n - 1);

    /// <summary>Validates a bearer token as Graph does; returns the caller or the 401 to answer.</summary>
    internal async Task<(GraphCaller? Caller, GraphHttpResponse? Error)> AuthenticateAsync(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization.Length <= 7)
        {
            return (null, Unauthorized("Access token is empty."));
        }

        var token = authorization[7..].Trim();
        if (token.Count(c => c == '.') != 2)
        {
            // Personal accounts' tokens are opaque: only the service (here: the fake Entra ID that issued it) can read them.
            var descriptor = _entra.ResolveOpaqueToken(token);
            if (descriptor is null)
            {
                return (null, Unauthorized("CompactToken parsing failed with error code: 80049217"));
            }

            if (descriptor.ExpiresAt is { } exp && exp <= _entra.TimeProvider.GetUtcNow())
            {
                return (null, Unauthorized("Lifetime validation failed, the token is expired."));
            }

            if (!IsGraphAudience(descriptor.Audience))
            {
                return (null, Unauthorized("Access token validation failure. Invalid audience."));
            }

            return (new GraphCaller(false, descriptor.AppId ?? string.Empty, descriptor.TenantId ?? FakeEntraId.ConsumersTenantId, descriptor.Upn,
                [], (descriptor.Scopes ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)), null);
        }

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuers = [$"https://sts.windows.net/{TenantId}/", $"{_entra.AuthorityHost.GetLeftPart(UriPartial.Authority)}/{TenantId}/v2.0"],
            ValidAudiences = [GraphResource, GraphResource + "/", GraphAppId],
            IssuerSigningKeys = _keys.Value,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = _entra.TimeProvider.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now) && expires > now;
            },
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (null, Unauthorized(result.Exception switch
            {
                SecurityTokenInvalidAudienceException => "Access token validation failure. Invalid audience.",
                SecurityTokenInvalidIssuerException => "Access token validation failure. Invalid issuer.",
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException => "Lifetime validation failed, the token is expired.",
                _ => "Access token validation failure.",
            }));
        }

        var identity = result.ClaimsIdentity;
        var roles = identity.FindAll("roles").Select(c => c.Value).ToArray();
        var scopes = (identity.FindFirst("scp")?.Value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var appOnly = scopes.Length == 0 && (roles.Length > 0 || string.Equals(identity.FindFirst("idtyp")?.Value, "app", StringComparison.Ordinal));
        var user = identity.FindFirst("upn")?.Value ?? identity.FindFirst("preferred_username")?.Value ?? identity.FindFirst("unique_name")?.Value;
        var appId = identity.FindFirst("appid")?.Value ?? identity.FindFirst("azp")?.Value ?? string.Empty;
        return (new GraphCaller(appOnly, appId, identity.FindFirst("tid")?.Value ?? string.Empty, user, roles, scopes), null);
    }

    private static bool IsGraphAudience(string? audience) =>
        audience is not null && (string.Equals(audience.TrimEnd('/'), GraphResource, StringComparison.OrdinalIgnoreCase) || string.Equals(audience, GraphAppId, StringComparison.OrdinalIgnoreCase));

    private static GraphHttpResponse Unauthorized(string message) =>
        GraphRouter.Error(401, "InvalidAuthenticationToken", message, ("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"" + GraphAppId + "\""));
}
