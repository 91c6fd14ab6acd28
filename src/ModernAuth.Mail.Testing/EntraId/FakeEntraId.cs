using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// A fake Microsoft Entra ID token service for tests. Real MSAL talks to it through <see cref="CreateHandler"/> (in
/// process, no socket) or over HTTPS loopback (<see cref="StartHttpsServerAsync"/>). It runs the client credentials
/// (secret, certificate, subject name and issuer), device code and refresh token flows, answers with Entra ID's JSON
/// shapes and AADSTS errors, mints real RS256-signed tokens shaped like Exchange Online's (opaque ones for personal
/// accounts), publishes its keys, counts requests and injects faults. All members are thread-safe.
/// </summary>
public sealed class FakeEntraId : IDisposable, IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FakeTokenDescriptor> _opaqueTokens = new(StringComparer.Ordinal);
    /// <summary>The tenant of personal Microsoft accounts in authorities: <c>consumers</c>.</summary>
    public const string ConsumersTenant = "consumers";

    /// <summary>The tenant id (<c>tid</c>) personal Microsoft accounts carry: <c>9188040d-6c67-4c5b-b112-36a304b66dad</c>.</summary>
    public const string ConsumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    private readonly object _gate = new();
    private readonly Dictionary<string, TenantState> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<TenantState> _tenantOrder = [];
    private readonly ConcurrentQueue<FakeEntraRequest> _requests = new();
    private readonly Queue<Fault> _faults = new();
    private readonly List<FakeEntraIdServer> _servers = [];
    private readonly CancellationTokenSource _disposing = new();
    private readonly RSA _signingKey;
    private readonly bool _ownsSigningKey;
    private readonly TokenService _service;
    private readonly ManagedIdentityService _managedIdentities;
    private int _managedIdentityRequestCount;
    private int _requestCount;
    private int _tokenRequestCount;
    private FakeUser? _deviceCodeUser;
    private FakeDeviceCodeOutcome _deviceCodeOutcome = FakeDeviceCodeOutcome.Approve;
    private int _deviceCodePendingPolls = 1;
    private bool _rejectRefreshTokens;
    private FakeUser? _browserUser;
    private FakeBrowserOutcome _browserOutcome = FakeBrowserOutcome.SignIn;
    private bool _blockDeviceCodeFlow;
    private int _disposed;

    /// <summary>Creates a fake with no tenants, applications or users.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults of <see cref="FakeEntraIdOptions"/>.</param>
    /// <exception cref="ArgumentException">
    /// <see cref="FakeEntraIdOptions.AuthorityHost"/> is not an absolute http(s) URI, or
    /// <see cref="FakeEntraIdOptions.AccessTokenLifetime"/> is not positive.
    /// </exception>
    public FakeEntraId(FakeEntraIdOptions? options = null)
    {
        options ??= new FakeEntraIdOptions();
        if (options.AuthorityHost is not { IsAbsoluteUri: true } host || (host.Scheme != Uri.UriSchemeHttps && host.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("AuthorityHost must be an absolute https URI such as https://login.fake-entra.test.", nameof(options));
        }

        if (options.AccessTokenLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("AccessTokenLifetime must be positive.", nameof(options));
        }

        AuthorityHost = new Uri(host.GetLeftPart(UriPartial.Authority));
        TimeProvider = options.TimeProvider ?? TimeProvider.System;
        AccessTokenLifetime = options.AccessTokenLifetime;
        _ownsSigningKey = options.SigningKey is null;
        _signingKey = options.SigningKey ?? RSA.Create(2048);
        KeyId = string.IsNullOrEmpty(options.KeyId) ? DeriveKeyId(_signingKey) : options.KeyId;
        _service = new TokenService(this);
        _managedIdentities = new ManagedIdentityService(this);
    }

    /// <summary>Raised when a request arrives, before it is answered (also for requests that will hang).</summary>
    public event EventHandler<FakeEntraRequest>? RequestReceived;

    /// <summary>Raised when the device code endpoint issues a code.</summary>
    public event EventHandler<FakeDeviceCode>? DeviceCodeIssued;

    /// <summary>The authority host the fake claims to be, without trailing slash (see <see cref="FakeEntraIdOptions.AuthorityHost"/>).</summary>
    public Uri AuthorityHost { get; }

    /// <summary>The clock of issued tokens (see <see cref="FakeEntraIdOptions.TimeProvider"/>).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The lifetime of issued access tokens (see <see cref="FakeEntraIdOptions.AccessTokenLifetime"/>).</summary>
    public TimeSpan AccessTokenLifetime { get; }

    /// <summary>The <c>kid</c> (and <c>x5t</c>) of the signing key, in token headers and the JWKS.</summary>
    public string KeyId { get; }

    /// <summary>How many requests arrived, of any kind, including unknown paths and failed or hanging requests.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>How many POSTs arrived at a token endpoint (<c>/{tenant}/oauth2/v2.0/token</c>), whatever their outcome.</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequestCount);

    /// <summary>How many GETs arrived at a managed identity endpoint (IMDS or App Service shape), whatever their outcome.</summary>
    public int ManagedIdentityRequestCount => Volatile.Read(ref _managedIdentityRequestCount);

    /// <summary>
    /// The secret of the App Service / Functions managed identity endpoint: set it as <c>IDENTITY_HEADER</c> (with
    /// <c>IDENTITY_ENDPOINT</c> = the fake's base address + <c>/msi/token</c>); MSAL sends it back as <c>X-IDENTITY-HEADER</c>.
    /// </summary>
    public string ManagedIdentityHeader => _managedIdentities.Secret;

    /// <summary>
    /// Whether the managed identity endpoints are down: requests to them get no answer at all (the in-process handler
    /// refuses the connection, the HTTPS server drops it), as when IMDS is unreachable outside Azure. Default <see langword="false"/>.
    /// </summary>
    public bool ManagedIdentityEndpointDown
    {
        get => _managedIdentities.IsDown;
        set => _managedIdentities.IsDown = value;
    }

    /// <summary>A snapshot of the requests received, in arrival order. Secrets are never recorded (see <see cref="FakeEntraRequest"/>).</summary>
    public IReadOnlyList<FakeEntraRequest> Requests => _requests.ToArray();

    /// <summary>
    /// The user who signs in when a device code is approved. Default <see langword="null"/>: the first user added to the
    /// tenant of the request (or of the application).
    /// </summary>
    public FakeUser? DeviceCodeUser
    {
        get
        {
            lock (_gate)
            {
                return _deviceCodeUser;
            }
        }

        set
        {
            lock (_gate)
            {
                _deviceCodeUser = value;
            }
        }
    }

    /// <summary>What the user does with the next device codes issued. Default <see cref="FakeDeviceCodeOutcome.Approve"/>.</summary>
    public FakeDeviceCodeOutcome DeviceCodeOutcome
    {
        get
        {
            lock (_gate)
            {
                return _deviceCodeOutcome;
            }
        }

        set
        {
            lock (_gate)
            {
                _deviceCodeOutcome = value;
            }
        }
    }

    /// <summary>
    /// How many polls of each device code are answered <c>authorization_pending</c> (AADSTS70016) before the outcome.
    /// Default 1. The device code response says <c>interval: 0</c>, so MSAL polls again at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int DeviceCodePendingPolls
    {
        get
        {
            lock (_gate)
            {
                return _deviceCodePendingPolls;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                _deviceCodePendingPolls = value;
            }
        }
    }

    /// <summary>
    /// The user who signs in at the authorize endpoint (the browser sign-in). Default <see langword="null"/>: the user the
    /// request's <c>login_hint</c> names, else the first user of the request's tenant (or of the application's).
    /// </summary>
    public FakeUser? BrowserUser
    {
        get
        {
            lock (_gate)
            {
                return _browserUser;
            }
        }

        set
        {
            lock (_gate)
            {
                _browserUser = value;
            }
        }
    }

    /// <summary>What the user does at the authorize endpoint (the browser sign-in page). Default <see cref="FakeBrowserOutcome.SignIn"/>.</summary>
    public FakeBrowserOutcome BrowserOutcome
    {
        get
        {
            lock (_gate)
            {
                return _browserOutcome;
            }
        }

        set
        {
            lock (_gate)
            {
                _browserOutcome = value;
            }
        }
    }

    /// <summary>
    /// A Conditional Access policy blocks the device code flow (as Microsoft advises against device code phishing): every
    /// device code token poll fails with <c>invalid_grant</c> AADSTS53003. The browser sign-in still works. Default
    /// <see langword="false"/>.
    /// </summary>
    public bool BlockDeviceCodeFlow
    {
        get
        {
            lock (_gate)
            {
                return _blockDeviceCodeFlow;
            }
        }

        set
        {
            lock (_gate)
            {
                _blockDeviceCodeFlow = value;
            }
        }
    }

    /// <summary>Registers an application in a tenant. The tenant exists from then on.</summary>
    /// <param name="tenantId">The tenant id as it appears in the authority, for example a GUID. It is the <c>tid</c> of the app's tokens.</param>
    /// <param name="clientId">The application (client) id.</param>
    /// <returns>The application, to add credentials and permissions to.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    /// <exception cref="InvalidOperationException">The application is already registered in that tenant.</exception>
    public FakeApplication RegisterApplication(string tenantId, string clientId)
    {
        ThrowIfEmpty(tenantId, nameof(tenantId));
        ThrowIfEmpty(clientId, nameof(clientId));
        lock (_gate)
        {
            var tenant = GetOrAddTenant(tenantId);
            if (tenant.Applications.ContainsKey(clientId))
            {
                throw new InvalidOperationException($"Application '{clientId}' is already registered in tenant '{tenantId}'.");
            }

            var application = new FakeApplication(tenantId, clientId, Guid.NewGuid().ToString());
            tenant.Applications.Add(clientId, application);
            return application;
        }
    }

    /// <summary>
    /// Adds a user to a tenant; the tenant exists from then on. Users of tenant <see cref="ConsumersTenant"/> are personal
    /// Microsoft accounts: their tokens carry <c>tid</c> <see cref="ConsumersTenantId"/> and their access tokens are opaque.
    /// </summary>
    /// <param name="tenantId">The tenant id, or <c>consumers</c> for a personal account.</param>
    /// <param name="userName">The sign-in name, for example <c>adele@contoso.com</c>.</param>
    /// <param name="displayName">The display name; <see langword="null"/> for the part of the user name before <c>@</c>.</param>
    /// <returns>The user, with a generated object id.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    /// <exception cref="InvalidOperationException">A user with that name already exists in that tenant.</exception>
    public FakeUser AddUser(string tenantId, string userName, string? displayName = null)
    {
        ThrowIfEmpty(tenantId, nameof(tenantId));
        ThrowIfEmpty(userName, nameof(userName));
        var homeTenantId = string.Equals(tenantId, ConsumersTenant, StringComparison.OrdinalIgnoreCase) ? ConsumersTenantId : tenantId;
        var at = userName.IndexOf('@', StringComparison.Ordinal);
        var user = new FakeUser(tenantId, userName, displayName ?? (at > 0 ? userName[..at] : userName), Guid.NewGuid().ToString(), homeTenantId);
        lock (_gate)
        {
            var tenant = GetOrAddTenant(tenantId);
            if (tenant.Users.Exists(u => string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"User '{userName}' already exists in tenant '{tenantId}'.");
            }

            tenant.Users.Add(user);
        }

        return user;
    }

    /// <summary>
    /// Turns on the system-assigned managed identity of the Azure resource the fake's managed identity endpoints serve.
    /// A request that names no user-assigned identity gets its tokens.
    /// </summary>
    /// <param name="tenantId">The tenant of the identity.</param>
    /// <returns>The identity, with generated client and object ids.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The system-assigned identity is already on.</exception>
    public FakeManagedIdentity AddSystemAssignedIdentity(string tenantId)
    {
        ThrowIfEmpty(tenantId, nameof(tenantId));
        return _managedIdentities.Add(tenantId, null);
    }

    /// <summary>Assigns a user-assigned managed identity to the Azure resource the fake's managed identity endpoints serve.</summary>
    /// <param name="tenantId">The tenant of the identity.</param>
    /// <param name="name">The identity's name, the last segment of its resource id.</param>
    /// <returns>The identity, with generated client and object ids and its resource id.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public FakeManagedIdentity AddUserAssignedIdentity(string tenantId, string name)
    {
        ThrowIfEmpty(tenantId, nameof(tenantId));
        ThrowIfEmpty(name, nameof(name));
        return _managedIdentities.Add(tenantId, name);
    }

    /// <summary>
    /// Mints a federated token as an external identity provider would (a Kubernetes service account token, a GitHub
    /// Actions OIDC token), signed with the fake's key so that <see cref="FakeApplication.WithFederatedCredential"/> accepts it.
    /// </summary>
    /// <param name="issuer">The <c>iss</c>.</param>
    /// <param name="subject">The <c>sub</c>.</param>
    /// <param name="audience">The <c>aud</c>. Default <c>api://AzureADTokenExchange</c>.</param>
    /// <param name="lifetime">How long from now it is valid; negative for an expired token. Default one hour.</param>
    /// <returns>The compact JWT.</returns>
    /// <exception cref="ArgumentException"><paramref name="issuer"/> or <paramref name="subject"/> is empty.</exception>
    public string MintFederatedToken(string issuer, string subject, string audience = "api://AzureADTokenExchange", TimeSpan? lifetime = null)
    {
        ThrowIfEmpty(issuer, nameof(issuer));
        ThrowIfEmpty(subject, nameof(subject));
        var now = Now;
        var expires = now + (lifetime ?? TimeSpan.FromHours(1));
        var claims = new List<KeyValuePair<string, object?>>
        {
            new("aud", audience),
            new("exp", expires.ToUnixTimeSeconds()),
            new("iat", Math.Min(now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds() - 60)),
            new("iss", issuer),
            new("jti", Guid.NewGuid().ToString()),
            new("nbf", Math.Min(now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds() - 60)),
            new("sub", subject),
        };
        return JwtWriter.Write(claims, _signingKey, KeyId);
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> token requests fail with <paramref name="statusCode"/> and an Entra-shaped
    /// body (500: <c>server_error</c>; 503 and 429: <c>temporarily_unavailable</c>). Faults are used in order, one per token
    /// request, before any other check.
    /// </summary>
    /// <param name="count">How many requests fail. Default 1.</param>
    /// <param name="statusCode">The HTTP status. Default 500.</param>
    /// <param name="retryAfter">
    /// A <c>Retry-After</c> header to send. Default <see langword="null"/>: none. Note that MSAL retries a 5xx once after a
    /// second unless a <c>Retry-After</c> header is present; with one (even zero) it does not retry.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive, or the status is not 4xx/5xx, or <paramref name="retryAfter"/> is negative.</exception>
    public void FailNext(int count = 1, HttpStatusCode statusCode = HttpStatusCode.InternalServerError, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if ((int)statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "The status must be an error (4xx or 5xx).");
        }

        if (retryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "Retry-After cannot be negative.");
        }

        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(Fault.Fail((int)statusCode, retryAfter));
            }
        }
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> token requests hang: they are never answered until the client cancels them
    /// (or the fake or server is disposed). Use it to test timeouts and cancellation.
    /// </summary>
    /// <param name="count">How many requests hang. Default 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public void HangNext(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Enqueue(Fault.Hang);
            }
        }
    }

    /// <summary>
    /// From now on, every refresh token grant fails with <c>invalid_grant</c> AADSTS700082 (refresh token expired through
    /// inactivity), which MSAL turns into <c>MsalUiRequiredException</c>. <see cref="ClearFaults"/> undoes it.
    /// </summary>
    public void RejectRefreshTokens()
    {
        lock (_gate)
        {
            _rejectRefreshTokens = true;
        }
    }

    /// <summary>
    /// Revokes every refresh token issued so far: using one fails with <c>invalid_grant</c> AADSTS50173 (grant revoked).
    /// Tokens issued afterwards work. Access tokens already issued stay valid, as with Entra ID.
    /// </summary>
    public void RevokeAll() => _service.RevokeAll();

    /// <summary>Drops pending <see cref="FailNext"/> and <see cref="HangNext"/> faults and undoes <see cref="RejectRefreshTokens"/>.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
            _rejectRefreshTokens = false;
        }
    }

    /// <summary>Sets <see cref="RequestCount"/> and <see cref="TokenRequestCount"/> to zero and empties <see cref="Requests"/>.</summary>
    public void ResetCounters()
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _requestCount, 0);
            Interlocked.Exchange(ref _tokenRequestCount, 0);
            Interlocked.Exchange(ref _managedIdentityRequestCount, 0);
            _requests.Clear();
        }
    }

    /// <summary>
    /// Mints a JWT access token from a descriptor, signed RS256 with the fake's key (header <c>typ</c> <c>JWT</c>,
    /// <c>alg</c>, <c>kid</c>, <c>x5t</c>). Claims: <c>aud</c>, <c>iss</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, then
    /// <c>appid</c> (v1) or <c>azp</c> (v2), <c>name</c>, <c>oid</c>, <c>preferred_username</c>, <c>roles</c>, <c>scp</c>,
    /// <c>sub</c>, <c>tid</c>, <c>unique_name</c>, <c>upn</c>, <c>ver</c> (each only when set), then the extra claims.
    /// </summary>
    /// <param name="descriptor">What to put in the token.</param>
    /// <returns>The compact JWT.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="descriptor"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The descriptor has no tenant id, or its version is neither 1 nor 2.</exception>
    public string MintAccessToken(FakeTokenDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (string.IsNullOrEmpty(descriptor.TenantId))
        {
            throw new ArgumentException("The descriptor needs a TenantId.", nameof(descriptor));
        }

        if (descriptor.Version is not (1 or 2))
        {
            throw new ArgumentException("The token version must be 1 or 2.", nameof(descriptor));
        }

        var v1 = descriptor.Version == 1;
        var tid = descriptor.TenantId;
        var issuedAt = descriptor.IssuedAt ?? TimeProvider.GetUtcNow();
        var claims = new List<KeyValuePair<string, object?>>();
        Add(claims, "aud", descriptor.Audience);
        Add(claims, "iss", descriptor.Issuer ?? (v1 ? V1Issuer(tid) : V2Issuer(tid)));
        Add(claims, "iat", issuedAt.ToUnixTimeSeconds());
        Add(claims, "nbf", (descriptor.NotBefore ?? issuedAt).ToUnixTimeSeconds());
        Add(claims, "exp", (descriptor.ExpiresAt ?? issuedAt + AccessTokenLifetime).ToUnixTimeSeconds());
        Add(claims, v1 ? "appid" : "azp", descriptor.AppId);
        Add(claims, "name", descriptor.Name);
        Add(claims, "oid", descriptor.ObjectId);
        Add(claims, "preferred_username", descriptor.PreferredUsername);
        Add(claims, "roles", descriptor.Roles?.ToArray());
        Add(claims, "scp", descriptor.Scopes);
        Add(claims, "sub", descriptor.Subject ?? descriptor.ObjectId);
        Add(claims, "tid", tid);
        Add(claims, "unique_name", descriptor.UniqueName);
        Add(claims, "upn", descriptor.Upn);
        Add(claims, "ver", v1 ? "1.0" : "2.0");
        foreach (var (name, value) in descriptor.ExtraClaims)
        {
            var index = claims.FindIndex(c => string.Equals(c.Key, name, StringComparison.Ordinal));
            if (index >= 0)
            {
                claims[index] = new(name, value);
            }
            else
            {
                claims.Add(new(name, value));
            }
        }

        var key = descriptor.Sign ? descriptor.SigningKeyOverride ?? _signingKey : null;
        return JwtWriter.Write(claims, key, descriptor.KeyId ?? KeyId);
    }

    /// <summary>
    /// Mints an opaque access token like those Entra ID issues for personal Microsoft accounts: about 1,000 base64
    /// characters starting with <c>EwB</c>, not a JWT. Nothing can validate it, just as with the real ones.
    /// </summary>
    /// <returns>The token.</returns>
    public string MintOpaqueToken()
    {
        Span<byte> bytes = stackalloc byte[750];
        RandomNumberGenerator.Fill(bytes);
        return "EwB" + Convert.ToBase64String(bytes);
    }

    /// <summary>Mints an opaque token and remembers what it stands for, as only Microsoft's own services can read real ones.</summary>
    internal string MintOpaqueToken(FakeTokenDescriptor descriptor)
    {
        var token = MintOpaqueToken();
        _opaqueTokens[token] = descriptor;
        return token;
    }

    /// <summary>What an opaque token minted by <see cref="MintOpaqueToken(FakeTokenDescriptor)"/> stands for, or <see langword="null"/>.</summary>
    internal FakeTokenDescriptor? ResolveOpaqueToken(string token) => _opaqueTokens.TryGetValue(token, out var descriptor) ? descriptor : null;

    /// <summary>
    /// The public signing key as a SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>): what Dovecot's
    /// <c>local_validation_key_dict</c> holds under <c>default/RS256/default</c> (or under the key id).
    /// </summary>
    /// <returns>The PEM text.</returns>
    public string ExportSigningPublicKeyPem() => _signingKey.ExportSubjectPublicKeyInfoPem();

    /// <summary>The JSON Web Key Set the keys endpoints serve: one RSA signing key with <c>kid</c>, <c>x5t</c>, <c>n</c> and <c>e</c>.</summary>
    /// <returns>The JWKS JSON.</returns>
    public string GetJwksJson()
    {
        var parameters = _signingKey.ExportParameters(includePrivateParameters: false);
        var key = new List<KeyValuePair<string, object?>>
        {
            new("kty", "RSA"),
            new("use", "sig"),
            new("kid", KeyId),
            new("x5t", KeyId),
            new("n", Base64Url.Encode(parameters.Modulus!)),
            new("e", Base64Url.Encode(parameters.Exponent!)),
        };
        return JsonValueWriter.ToJson([new("keys", new object[] { key })]);
    }

    /// <summary>
    /// Creates an in-process handler that answers every request as the fake would, whatever the host: give it to MSAL
    /// through an <c>IMsalHttpClientFactory</c> (or to <c>MailTokenProviderOptions.Transport</c>), with instance discovery off.
    /// The handler holds no resources; disposing it does not affect the fake.
    /// </summary>
    /// <returns>The handler.</returns>
    /// <exception cref="ObjectDisposedException">The fake is disposed.</exception>
    public HttpMessageHandler CreateHandler()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new InProcessHandler(this);
    }

    /// <summary>
    /// Starts an HTTPS server (the package's own, no ASP.NET Core runtime needed) on 127.0.0.1 (a free port) with a
    /// self-signed certificate for 127.0.0.1 and localhost, serving the same endpoints. It stops when disposed, or when this fake is disposed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ObjectDisposedException">The fake is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<FakeEntraIdServer> StartHttpsServerAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var server = await FakeEntraIdServer.StartAsync(this, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _servers.Add(server);
        }

        return server;
    }

    /// <summary>Stops the servers started by <see cref="StartHttpsServerAsync"/>, releases hanging requests, and disposes the signing key if the fake created it.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A task that completes when everything is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        FakeEntraIdServer[] servers;
        lock (_gate)
        {
            servers = _servers.ToArray();
            _servers.Clear();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsSigningKey)
        {
            _signingKey.Dispose();
        }

        _disposing.Dispose();
    }

    internal DateTimeOffset Now => TimeProvider.GetUtcNow();

    internal string V1Issuer(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    internal string V2Issuer(string tenantId) => $"{AuthorityHost.GetLeftPart(UriPartial.Authority)}/{tenantId}/v2.0";

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal void RemoveServer(FakeEntraIdServer server)
    {
        lock (_gate)
        {
            _servers.Remove(server);
        }
    }

    /// <summary>Counts and records a request, raises <see cref="RequestReceived"/>, and answers it.</summary>
    internal async Task<EntraHttpResponse> HandleAsync(EntraHttpRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var assertion = request.Field("client_assertion");
        var recorded = new FakeEntraRequest(
            Now,
            request.Method,
            request.Url.AbsolutePath,
            request.Field("grant_type"),
            request.Field("client_id"),
            request.Field("scope"),
            ManagedIdentityService.IsManagedIdentityPath(request.Url.AbsolutePath) ? request.Query("resource") : null,
            assertion is null ? null : FakeEntraRequest.Fingerprint(assertion));
        Interlocked.Increment(ref _requestCount);
        if (recorded.IsTokenRequest)
        {
            Interlocked.Increment(ref _tokenRequestCount);
        }

        if (recorded.IsManagedIdentityRequest)
        {
            Interlocked.Increment(ref _managedIdentityRequestCount);
        }

        _requests.Enqueue(recorded);
        RequestReceived?.Invoke(this, recorded);
        if (ManagedIdentityService.IsManagedIdentityPath(request.Url.AbsolutePath))
        {
            return _managedIdentities.Handle(request);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        return await _service.HandleAsync(request, recorded.IsTokenRequest, linked.Token).ConfigureAwait(false);
    }

    internal Fault? TakeFault()
    {
        lock (_gate)
        {
            return _faults.Count > 0 ? _faults.Dequeue() : null;
        }
    }

    internal bool RefreshTokensRejected
    {
        get
        {
            lock (_gate)
            {
                return _rejectRefreshTokens;
            }
        }
    }

    internal (FakeUser? User, FakeDeviceCodeOutcome Outcome, int PendingPolls) DeviceCodeSettings()
    {
        lock (_gate)
        {
            return (_deviceCodeUser, _deviceCodeOutcome, _deviceCodePendingPolls);
        }
    }

    internal (FakeUser? User, FakeBrowserOutcome Outcome) BrowserSettings()
    {
        lock (_gate)
        {
            return (_browserUser, _browserOutcome);
        }
    }

    /// <summary>The user a browser sign-in picks: the one <paramref name="loginHint"/> names in the request's tenant, else the default user.</summary>
    internal FakeUser? FindUser(string tenant, FakeApplication application, string? loginHint)
    {
        if (!string.IsNullOrEmpty(loginHint))
        {
            var pathTenant = string.Equals(tenant, ConsumersTenantId, StringComparison.OrdinalIgnoreCase) ? ConsumersTenant : tenant;
            lock (_gate)
            {
                foreach (var state in _tenantOrder)
                {
                    var match = state.Users.Find(u => string.Equals(u.UserName, loginHint, StringComparison.OrdinalIgnoreCase));
                    if (match is not null && (IsAlias(pathTenant) ? match.IsPersonalAccount == string.Equals(pathTenant, ConsumersTenant, StringComparison.OrdinalIgnoreCase) || string.Equals(pathTenant, "common", StringComparison.OrdinalIgnoreCase) : string.Equals(match.TenantId, pathTenant, StringComparison.OrdinalIgnoreCase)))
                    {
                        return match;
                    }
                }
            }
        }

        return FindDefaultUser(tenant, application);
    }

    internal void OnDeviceCodeIssued(FakeDeviceCode code) => DeviceCodeIssued?.Invoke(this, code);

    /// <summary>Whether the path's tenant exists: a registered tenant, or common, organizations, consumers.</summary>
    internal bool IsKnownTenant(string tenant)
    {
        if (IsAlias(tenant))
        {
            return true;
        }

        lock (_gate)
        {
            return _tenants.ContainsKey(tenant);
        }
    }

    /// <summary>
    /// The application a request names: registered in the path's tenant, or, for common, organizations and consumers, in
    /// any tenant (first registered wins).
    /// </summary>
    internal FakeApplication? FindApplication(string tenant, string clientId)
    {
        lock (_gate)
        {
            if (_tenants.TryGetValue(tenant, out var state) && state.Applications.TryGetValue(clientId, out var application))
            {
                return application;
            }

            if (IsAlias(tenant))
            {
                foreach (var candidate in _tenantOrder)
                {
                    if (candidate.Applications.TryGetValue(clientId, out application))
                    {
                        return application;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>The user a device code signs in when <see cref="DeviceCodeUser"/> is not set.</summary>
    internal FakeUser? FindDefaultUser(string tenant, FakeApplication application)
    {
        var pathTenant = string.Equals(tenant, ConsumersTenantId, StringComparison.OrdinalIgnoreCase) ? ConsumersTenant : tenant;
        lock (_gate)
        {
            if (_tenants.TryGetValue(pathTenant, out var state) && state.Users.Count > 0)
            {
                return state.Users[0];
            }

            return _tenants.TryGetValue(application.TenantId, out state) && state.Users.Count > 0 ? state.Users[0] : null;
        }
    }

    /// <summary>The <c>tid</c> for metadata of a path tenant; <see langword="null"/> for common and organizations.</summary>
    internal static string? TenantIdForPath(string tenant) =>
        string.Equals(tenant, ConsumersTenant, StringComparison.OrdinalIgnoreCase) ? ConsumersTenantId
        : string.Equals(tenant, "common", StringComparison.OrdinalIgnoreCase) || string.Equals(tenant, "organizations", StringComparison.OrdinalIgnoreCase) ? null
        : tenant;

    private static bool IsAlias(string tenant) =>
        string.Equals(tenant, "common", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(tenant, "organizations", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(tenant, ConsumersTenant, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(tenant, ConsumersTenantId, StringComparison.OrdinalIgnoreCase);

    private static void Add(List<KeyValuePair<string, object?>> claims, string name, object? value)
    {
        if (value is not null)
        {
            claims.Add(new(name, value));
        }
    }

    private static void ThrowIfEmpty(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} is empty.", name);
        }
    }

    private static string DeriveKeyId(RSA key)
    {
        var modulus = key.ExportParameters(includePrivateParameters: false).Modulus!;
        return Base64Url.Encode(SHA256.HashData(modulus))[..16];
    }

    private TenantState GetOrAddTenant(string tenantId)
    {
        if (!_tenants.TryGetValue(tenantId, out var tenant))
        {
            tenant = new TenantState();
            _tenants.Add(tenantId, tenant);
            _tenantOrder.Add(tenant);
        }

        return tenant;
    }

    private sealed class TenantState
    {
        public Dictionary<string, FakeApplication> Applications { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<FakeUser> Users { get; } = [];
    }
}
