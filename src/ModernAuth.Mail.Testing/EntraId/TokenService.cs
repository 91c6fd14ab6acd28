using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// The endpoints of the fake: token (client credentials, device code, refresh token), device code, OpenID metadata, keys
/// and instance discovery. Answers follow Entra ID's JSON shapes, HTTP statuses and AADSTS codes.
/// </summary>
internal sealed class TokenService
{
    private const string ClientCredentialsGrant = "client_credentials";
    private const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    // MSAL.NET 4.92 posts the short form; Entra ID accepts both.
    private const string DeviceCodeGrantTypeShort = "device_code";
    private const string RefreshTokenGrant = "refresh_token";
    private const string AuthorizationCodeGrant = "authorization_code";
    private const int AuthorizationCodeLifetimeSeconds = 600;
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private const string VerificationUri = "https://microsoft.com/devicelogin";
    private const int DeviceCodeLifetimeSeconds = 900;

    private readonly FakeEntraId _fake;
    private readonly ConcurrentDictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceCodeGrant> _deviceCodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthorizationCodeGrantState> _authorizationCodes = new(StringComparer.Ordinal);
    private long _revocationEpoch;

    public TokenService(FakeEntraId fake) => _fake = fake;

    public void RevokeAll() => Interlocked.Increment(ref _revocationEpoch);

    public async Task<EntraHttpResponse> HandleAsync(EntraHttpRequest request, bool isTokenRequest, CancellationToken cancellationToken)
    {
        var segments = request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var isPost = string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase);
        var isGet = string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase);

        if (isTokenRequest)
        {
            return await TokenAsync(request, segments[0], cancellationToken).ConfigureAwait(false);
        }

        if (Matches(segments, "*", "oauth2", "v2.0", "token") || Matches(segments, "*", "oauth2", "v2.0", "devicecode"))
        {
            if (isPost)
            {
                return DeviceCode(request, segments[0]);
            }

            return Error(request, new AadError(400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a " + request.Method + " request."));
        }

        if (isGet && Matches(segments, "*", "oauth2", "v2.0", "authorize"))
        {
            return await AuthorizeAsync(request, segments[0], cancellationToken).ConfigureAwait(false);
        }

        if (isGet && Matches(segments, "common", "discovery", "instance"))
        {
            return InstanceDiscovery(request);
        }

        if (isGet && Matches(segments, "*", "v2.0", ".well-known", "openid-configuration"))
        {
            return Metadata(request, segments[0], v2: true);
        }

        if (isGet && Matches(segments, "*", ".well-known", "openid-configuration"))
        {
            return Metadata(request, segments[0], v2: false);
        }

        if (isGet && (Matches(segments, "*", "discovery", "v2.0", "keys") || Matches(segments, "*", "discovery", "keys")))
        {
            return new EntraHttpResponse(200, _fake.GetJwksJson());
        }

        return new EntraHttpResponse(404, null);
    }

    private static bool Matches(string[] segments, params string[] pattern)
    {
        if (segments.Length != pattern.Length)
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != "*" && !string.Equals(segments[i], pattern[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<EntraHttpResponse> TokenAsync(EntraHttpRequest request, string tenant, CancellationToken cancellationToken)
    {
        if (_fake.TakeFault() is { } fault)
        {
            if (fault.Hangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            return FaultResponse(request, fault);
        }

        var grantType = request.Field("grant_type");
        if (grantType is null)
        {
            return Error(request, MissingParameter("grant_type"));
        }

        if (FindClient(request, tenant, request.Field("client_id"), out var application) is { } refused)
        {
            return refused;
        }

        return grantType switch
        {
            ClientCredentialsGrant => ClientCredentials(request, tenant, application),
            DeviceCodeGrantType or DeviceCodeGrantTypeShort => DeviceCodeToken(request, tenant, application),
            RefreshTokenGrant => RefreshToken(request, tenant, application),
            AuthorizationCodeGrant => AuthorizationCodeToken(request, tenant, application),
            _ => Error(request, new AadError(400, "unsupported_grant_type", 70003, $"The app requested an unsupported grant type '{grantType}'.")),
        };
    }

    private EntraHttpResponse ClientCredentials(EntraHttpRequest request, string tenant, FakeApplication application)
    {
        var authentication = AuthenticateClient(request, tenant, application, credentialRequired: true);
        if (authentication.Error is not null)
        {
            return Error(request, authentication.Error);
        }

        var scope = request.Field("scope");
        if (scope is null)
        {
            return Error(request, MissingParameter("scope"));
        }

        var scopes = ScopeRequest.Parse(scope);
        if (scopes.OpenIdScopes.Count > 0 || scopes.Permissions.Count == 0 ||
            scopes.Permissions.Any(p => !string.Equals(p.Permission, ".default", StringComparison.OrdinalIgnoreCase)))
        {
            return Error(request, new AadError(400, "invalid_scope", 1002012, $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
        }

        if (scopes.Resources.Count > 1)
        {
            return Error(request, MixedResources(scope));
        }

        var now = _fake.Now;
        var tenantId = application.TenantId;
        var roles = application.AppRoles.Where(r => RoleAppliesTo(r, scopes.Resources[0])).Select(PermissionName).ToArray();
        var descriptor = new FakeTokenDescriptor
        {
            Version = 1,
            TenantId = tenantId,
            Audience = scopes.Resources[0],
            AppId = application.ClientId,
            ObjectId = application.ObjectId,
            Subject = application.ObjectId,
            Roles = roles.Length > 0 ? roles : null,
            IssuedAt = now,
            ExpiresAt = now + _fake.AccessTokenLifetime,
        };
        descriptor.ExtraClaims["appidacr"] = authentication.AppIdAcr;
        descriptor.ExtraClaims["idp"] = _fake.V1Issuer(tenantId);
        descriptor.ExtraClaims["idtyp"] = "app";
        descriptor.ExtraClaims["uti"] = NewUti();

        var lifetime = (long)_fake.AccessTokenLifetime.TotalSeconds;
        return Ok([
            new("token_type", "Bearer"),
            new("expires_in", lifetime),
            new("ext_expires_in", lifetime),
            new("access_token", _fake.MintAccessToken(descriptor)),
        ]);
    }

    /// <summary>
    /// The checks every endpoint that names a client makes first, in Entra ID's order: the tenant, then the
    /// <c>client_id</c>, then its registration. Returns the error to answer, or <see langword="null"/> with the application.
    /// </summary>
    private EntraHttpResponse? FindClient(EntraHttpRequest request, string tenant, string? clientId, out FakeApplication application)
    {
        application = null!;
        if (!_fake.IsKnownTenant(tenant))
        {
            return Error(request, UnknownTenant(tenant));
        }

        if (clientId is null)
        {
            return Error(request, MissingParameter("client_id"));
        }

        var found = _fake.FindApplication(tenant, clientId);
        if (found is null)
        {
            return Error(request, UnknownApplication(tenant, clientId));
        }

        application = found;
        return null;
    }

    private EntraHttpResponse DeviceCode(EntraHttpRequest request, string tenant)
    {
        if (FindClient(request, tenant, request.Field("client_id"), out var application) is { } refused)
        {
            return refused;
        }

        var scope = request.Field("scope");
        if (scope is null)
        {
            return Error(request, MissingParameter("scope"));
        }

        var shapeError = CheckDelegatedScopeShape(ScopeRequest.Parse(scope));
        if (shapeError is not null)
        {
            return Error(request, shapeError);
        }

        var (user, outcome, pendingPolls) = _fake.DeviceCodeSettings();
        var expiresOn = _fake.Now.AddSeconds(DeviceCodeLifetimeSeconds);
        var deviceCode = "DAQABIQEAAAD" + RandomToken(96);
        var userCode = NewUserCode();
        _deviceCodes[deviceCode] = new DeviceCodeGrant(tenant, application, scope, user, outcome, pendingPolls, expiresOn);
        _fake.OnDeviceCodeIssued(new FakeDeviceCode(tenant, application.ClientId, userCode, scope, expiresOn));

        return Ok([
            new("user_code", userCode),
            new("device_code", deviceCode),
            new("verification_uri", VerificationUri),
            new("expires_in", DeviceCodeLifetimeSeconds),
            new("interval", 0),
            new("message", $"To sign in, use a web browser to open the page {VerificationUri} and enter the code {userCode} to authenticate."),
        ]);
    }

    private EntraHttpResponse DeviceCodeToken(EntraHttpRequest request, string tenant, FakeApplication application)
    {
        var code = request.Field("device_code");
        if (code is null)
        {
            return Error(request, MissingParameter("device_code"));
        }

        var authentication = AuthenticateClient(request, tenant, application, credentialRequired: !application.IsPublicClient);
        if (authentication.Error is not null)
        {
            return Error(request, authentication.Error);
        }

        if (_fake.BlockDeviceCodeFlow)
        {
            return Error(request, ConditionalAccessBlock());
        }

        if (!_deviceCodes.TryGetValue(code, out var grant) || !ReferenceEquals(grant.Application, application))
        {
            return Error(request, new AadError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed."));
        }

        var step = grant.Poll(_fake.Now);
        switch (step)
        {
            case DeviceCodeStep.Pending:
                return Error(request, new AadError(400, "authorization_pending", 70016, "The provided request has not yet been authorized by the user. The user must input their code."));
            case DeviceCodeStep.Declined:
                return Error(request, new AadError(400, "authorization_declined", 65004, "User declined to consent to access the app."));
            case DeviceCodeStep.Expired:
                return Error(request, new AadError(400, "expired_token", 70019, "Verification code expired."));
            case DeviceCodeStep.Redeemed:
                return Error(request, new AadError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed. The device code was already redeemed."));
        }

        var user = grant.User ?? _fake.FindDefaultUser(grant.Tenant, application);
        if (user is null)
        {
            return Error(request, new AadError(400, "invalid_grant", 50034, $"The user account {{EUII Hidden}} does not exist in the '{application.TenantId}' directory. To sign into this application, the account must be added to the directory."));
        }

        var issued = IssueUserTokens(request, application, user, grant.Scope, authentication.AppIdAcr);
        if (issued.StatusCode == 200)
        {
            _deviceCodes.TryRemove(code, out _);
        }

        return issued;
    }

    /// <summary>
    /// The sign-in page as a scripted browser sees it: checks the request like Entra ID (client, <c>response_type=code</c>,
    /// an http loopback <c>redirect_uri</c>, an S256 <c>code_challenge</c>), then does what <see cref="FakeEntraId.BrowserOutcome"/>
    /// says and answers with a 302 to the redirect URI carrying a code (or an error) and the request's <c>state</c>.
    /// </summary>
    private async Task<EntraHttpResponse> AuthorizeAsync(EntraHttpRequest request, string tenant, CancellationToken cancellationToken)
    {
        if (FindClient(request, tenant, request.Query("client_id"), out var application) is { } refused)
        {
            return refused;
        }

        // Entra ID never redirects to an address it cannot trust: a bad redirect URI is an error page, not a redirect.
        var redirect = request.Query("redirect_uri");
        if (redirect is null || !Uri.TryCreate(redirect, UriKind.Absolute, out var redirectUri) || redirectUri.Scheme != Uri.UriSchemeHttp ||
            !(string.Equals(redirectUri.Host, "localhost", StringComparison.OrdinalIgnoreCase) || redirectUri.Host == "127.0.0.1"))
        {
            return Error(request, new AadError(400, "invalid_request", 50011, $"The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{application.ClientId}'. A public client's browser sign-in must use an http loopback redirect URI such as http://localhost."));
        }

        var state = request.Query("state");
        var formPost = string.Equals(request.Query("response_mode"), "form_post", StringComparison.Ordinal);
        EntraHttpResponse Redirect(string error, int code, string text) => RedirectError(redirectUri, state, formPost, error, code, text);
        if (!string.Equals(request.Query("response_type"), "code", StringComparison.Ordinal))
        {
            return Redirect("unsupported_response_type", 700054, "response_type 'code' is required for this flow.");
        }

        var challenge = request.Query("code_challenge");
        if (challenge is null || !string.Equals(request.Query("code_challenge_method"), "S256", StringComparison.Ordinal))
        {
            return Redirect("invalid_request", 9002325, "Proof Key for Code Exchange is required: send code_challenge with code_challenge_method S256.");
        }

        var scope = request.Query("scope");
        if (scope is null)
        {
            return Redirect("invalid_request", 900144, "The request body must contain the following parameter: 'scope'.");
        }

        var (browserUser, outcome) = _fake.BrowserSettings();
        switch (outcome)
        {
            case FakeBrowserOutcome.NeverAnswer:
                // The user never finishes: the page stays open and nothing comes back to the app.
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                break;
            case FakeBrowserOutcome.Decline:
                return Redirect("access_denied", 65004, "User declined to consent to access the app.");
            case FakeBrowserOutcome.ConditionalAccessBlock:
                var block = ConditionalAccessBlock();
                return Redirect("access_denied", block.Code, block.Text);
        }

        var hint = request.Query("login_hint");
        var user = browserUser ?? _fake.FindUser(tenant, application, hint);
        if (user is null)
        {
            return Redirect("invalid_request", 50034, $"The user account {{EUII Hidden}} does not exist in the '{application.TenantId}' directory. To sign into this application, the account must be added to the directory.");
        }

        var code = "1.A" + RandomToken(120);
        _authorizationCodes[code] = new AuthorizationCodeGrantState(application, user, scope, redirect, challenge, _fake.Now.AddSeconds(AuthorizationCodeLifetimeSeconds));
        return Answer(redirect, formPost, [new("code", code), new("state", state), new("session_state", Guid.NewGuid().ToString())]);
    }

    private EntraHttpResponse RedirectError(Uri redirectUri, string? state, bool formPost, string error, int code, string text)
    {
        var description = string.Create(CultureInfo.InvariantCulture, $"AADSTS{code}: {text}\r\nTrace ID: {Guid.NewGuid()}\r\nCorrelation ID: {Guid.NewGuid()}\r\nTimestamp: {Timestamp(_fake.Now)}");
        return Answer(redirectUri.OriginalString, formPost, [new("error", error), new("error_description", description), new("state", state)]);
    }

    /// <summary>
    /// The sign-in page's answer to the app, as Entra ID sends it: a 302 to the redirect URI with the fields in the query,
    /// or, for <c>response_mode=form_post</c> (MSAL's loopback listener asks for it), a page whose form posts them there.
    /// </summary>
    private static EntraHttpResponse Answer(string redirect, bool formPost, List<KeyValuePair<string, string?>> fields)
    {
        var present = fields.Where(f => f.Value is not null).ToList();
        if (!formPost)
        {
            var location = redirect + (redirect.Contains('?', StringComparison.Ordinal) ? "&" : "?") +
                string.Join('&', present.Select(f => f.Key + "=" + Uri.EscapeDataString(f.Value!)));
            return new EntraHttpResponse(302, null, [new("Location", location)]);
        }

        var html = new StringBuilder("<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"")
            .Append(System.Net.WebUtility.HtmlEncode(redirect)).Append("\">");
        foreach (var (name, value) in present)
        {
            html.Append("<input type=\"hidden\" name=\"").Append(name).Append("\" value=\"").Append(System.Net.WebUtility.HtmlEncode(value)).Append("\" />");
        }

        html.Append("<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form>")
            .Append("<script language=\"javascript\">document.forms[0].submit();</script></body></html>");
        return new EntraHttpResponse(200, html.ToString(), null, "text/html");
    }

    private static AadError ConditionalAccessBlock() =>
        new(400, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", "bad_token");

    /// <summary>Redeems a code from <see cref="AuthorizeAsync"/>: once, by the same client, with the same redirect URI and the PKCE verifier.</summary>
    private EntraHttpResponse AuthorizationCodeToken(EntraHttpRequest request, string tenant, FakeApplication application)
    {
        var code = request.Field("code");
        if (code is null)
        {
            return Error(request, MissingParameter("code"));
        }

        var authentication = AuthenticateClient(request, tenant, application, credentialRequired: !application.IsPublicClient);
        if (authentication.Error is not null)
        {
            return Error(request, authentication.Error);
        }

        if (!_authorizationCodes.TryRemove(code, out var grant) || !ReferenceEquals(grant.Application, application))
        {
            return Error(request, new AadError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
        }

        if (_fake.Now >= grant.ExpiresOn)
        {
            return Error(request, new AadError(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
        }

        if (!string.Equals(request.Field("redirect_uri"), grant.RedirectUri, StringComparison.Ordinal))
        {
            return Error(request, new AadError(400, "invalid_grant", 50011, "The redirect URI of the token request does not match the redirect URI of the authorization request."));
        }

        var verifier = request.Field("code_verifier");
        if (verifier is null || !string.Equals(Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), grant.CodeChallenge, StringComparison.Ordinal))
        {
            return Error(request, new AadError(400, "invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."));
        }

        return IssueUserTokens(request, application, grant.User, request.Field("scope") ?? grant.Scope, authentication.AppIdAcr);
    }

    private EntraHttpResponse RefreshToken(EntraHttpRequest request, string tenant, FakeApplication application)
    {
        var token = request.Field("refresh_token");
        if (token is null)
        {
            return Error(request, MissingParameter("refresh_token"));
        }

        var authentication = AuthenticateClient(request, tenant, application, credentialRequired: !application.IsPublicClient);
        if (authentication.Error is not null)
        {
            return Error(request, authentication.Error);
        }

        if (_fake.RefreshTokensRejected)
        {
            return Error(request, new AadError(400, "invalid_grant", 700082, $"The refresh token has expired due to inactivity. The token was issued on {Timestamp(_fake.Now.AddDays(-91))} and was inactive for 90.00:00:00."));
        }

        if (!_refreshTokens.TryGetValue(token, out var grant))
        {
            return Error(request, new AadError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."));
        }

        if (grant.Epoch < Interlocked.Read(ref _revocationEpoch))
        {
            return Error(request, new AadError(400, "invalid_grant", 50173, $"The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{Timestamp(grant.IssuedAt)}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{Timestamp(_fake.Now)}'."));
        }

        if (!string.Equals(grant.ClientId, application.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(request, new AadError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed."));
        }

        var scope = request.Field("scope") ?? grant.Scope;
        return IssueUserTokens(request, application, grant.User, scope, authentication.AppIdAcr);
    }

    private EntraHttpResponse IssueUserTokens(EntraHttpRequest request, FakeApplication application, FakeUser user, string scope, string appIdAcr)
    {
        var scopes = ScopeRequest.Parse(scope);
        var shapeError = CheckDelegatedScopeShape(scopes);
        if (shapeError is not null)
        {
            return Error(request, shapeError);
        }

        var resource = scopes.Resources.Count == 1 ? scopes.Resources[0] : ScopeRequest.GraphResource;
        var permissions = new List<string>();
        foreach (var (scopeResource, permission) in scopes.Permissions)
        {
            if (string.Equals(permission, ".default", StringComparison.OrdinalIgnoreCase))
            {
                permissions.AddRange(application.DelegatedScopes.Where(s => AppliesTo(s, scopeResource)).Select(PermissionName));
            }
            else if (application.DelegatedScopes.Any(s => AppliesTo(s, scopeResource) && string.Equals(PermissionName(s), permission, StringComparison.OrdinalIgnoreCase)))
            {
                permissions.Add(permission);
            }
            else
            {
                return Error(request, new AadError(
                    400,
                    "invalid_grant",
                    65001,
                    $"The user or administrator has not consented to use the application with ID '{application.ClientId}' named '{application.ClientId}'. Send an interactive authorization request for this user and resource.",
                    "consent_required"));
            }
        }

        if (scopes.Permissions.Count == 0)
        {
            permissions.AddRange(scopes.OpenIdScopes.Where(s => !string.Equals(s, "offline_access", StringComparison.OrdinalIgnoreCase)));
        }

        var granted = permissions.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var now = _fake.Now;
        var expiresAt = now + _fake.AccessTokenLifetime;
        var tenantId = user.HomeTenantId;
        var pairwiseSubject = PairwiseSubject(user.ObjectId, application.ClientId);

        var descriptor = new FakeTokenDescriptor
        {
            Version = 1,
            TenantId = tenantId,
            Audience = scopes.Audience(resource),
            AppId = application.ClientId,
            ObjectId = user.ObjectId,
            Subject = pairwiseSubject,
            Name = user.DisplayName,
            Scopes = string.Join(' ', granted),
            Upn = user.UserName,
            UniqueName = user.UserName,
            IssuedAt = now,
            ExpiresAt = expiresAt,
        };
        descriptor.ExtraClaims["amr"] = new[] { "pwd" };
        descriptor.ExtraClaims["appidacr"] = appIdAcr;
        descriptor.ExtraClaims["idtyp"] = "user";
        descriptor.ExtraClaims["uti"] = NewUti();

        // Personal accounts get opaque tokens; the fake remembers what each one stands for, so its fake APIs can accept it.
        var accessToken = user.IsPersonalAccount ? _fake.MintOpaqueToken(descriptor) : _fake.MintAccessToken(descriptor);

        var lifetime = (long)_fake.AccessTokenLifetime.TotalSeconds;
        var grantedScope = string.Join(' ', granted.Select(p => resource + "/" + p));
        if (scopes.WantsRefreshToken)
        {
            grantedScope = (grantedScope + " offline_access").TrimStart();
        }

        var members = new List<KeyValuePair<string, object?>>
        {
            new("token_type", "Bearer"),
            new("scope", grantedScope),
            new("expires_in", lifetime),
            new("ext_expires_in", lifetime),
            new("access_token", accessToken),
        };

        if (scopes.WantsRefreshToken)
        {
            var refreshToken = "1.A" + RandomToken(180);
            _refreshTokens[refreshToken] = new RefreshGrant(application.ClientId, user, scope, now, Interlocked.Read(ref _revocationEpoch));
            members.Add(new("refresh_token", refreshToken));
        }

        if (scopes.OpenIdScopes.Contains("openid", StringComparer.OrdinalIgnoreCase))
        {
            var idToken = new FakeTokenDescriptor
            {
                Version = 2,
                TenantId = tenantId,
                Audience = application.ClientId,
                ObjectId = user.ObjectId,
                Subject = pairwiseSubject,
                Name = user.DisplayName,
                PreferredUsername = user.UserName,
                IssuedAt = now,
                ExpiresAt = now.AddHours(1),
            };
            idToken.ExtraClaims["uti"] = NewUti();
            members.Add(new("id_token", _fake.MintAccessToken(idToken)));
        }

        if (string.Equals(request.Field("client_info"), "1", StringComparison.Ordinal))
        {
            var clientInfo = JsonValueWriter.ToJson([new("uid", user.ObjectId), new("utid", tenantId)]);
            members.Add(new("client_info", Base64Url.Encode(clientInfo)));
        }

        return Ok(members);
    }

    private static AadError? CheckDelegatedScopeShape(ScopeRequest scopes)
    {
        if (scopes.Resources.Count > 1)
        {
            return MixedResources(scopes.Raw);
        }

        var empty = scopes.Permissions.FirstOrDefault(p => p.Permission.Length == 0);
        if (empty != default || (scopes.Permissions.Count == 0 && scopes.OpenIdScopes.Count == 0))
        {
            return new AadError(400, "invalid_scope", 70011, $"The provided value for the input parameter 'scope' is not valid. The scope {scopes.Raw} is not valid.");
        }

        return null;
    }

    /// <summary>Whether a consented scope (a bare name, or resource/name) covers a permission of <paramref name="resource"/>.</summary>
    private static bool AppliesTo(string consented, string resource)
    {
        var slash = consented.LastIndexOf('/');
        return slash < 0 || string.Equals(consented[..slash].TrimEnd('/'), resource, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether an app role goes into a token for <paramref name="resource"/>: <c>{resource}/{name}</c> only there; a bare
    /// <c>Mail.*</c> role (Microsoft Graph's) only into Graph tokens; any other bare role (Exchange's) into the others.
    /// </summary>
    internal static bool RoleAppliesTo(string role, string resource)
    {
        if (role.LastIndexOf('/') >= 0)
        {
            return AppliesTo(role, resource);
        }

        var graph = string.Equals(resource, ScopeRequest.GraphResource, StringComparison.OrdinalIgnoreCase) ||
                    string.Equals(resource, ScopeRequest.GraphAppId, StringComparison.OrdinalIgnoreCase);
        return role.StartsWith("Mail.", StringComparison.OrdinalIgnoreCase) == graph;
    }

    internal static string PermissionName(string consented)
    {
        var slash = consented.LastIndexOf('/');
        return slash < 0 ? consented : consented[(slash + 1)..];
    }

    private ClientAuthentication AuthenticateClient(EntraHttpRequest request, string tenant, FakeApplication application, bool credentialRequired)
    {
        var secret = request.Field("client_secret");
        if (secret is not null)
        {
            return application.SecretMatches(secret)
                ? new ClientAuthentication("1", null)
                : new ClientAuthentication("1", new AadError(401, "invalid_client", 7000215, $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{application.ClientId}'."));
        }

        var assertion = request.Field("client_assertion");
        if (assertion is not null)
        {
            if (!string.Equals(request.Field("client_assertion_type"), JwtBearerAssertionType, StringComparison.Ordinal))
            {
                return new ClientAuthentication("2", new AadError(401, "invalid_client", 700027, $"Client assertion type must be '{JwtBearerAssertionType}'."));
            }

            var audiences = new List<string>
            {
                request.Url.GetLeftPart(UriPartial.Path),
                $"{request.BaseAddress}/{tenant}/oauth2/token",
                $"{_fake.AuthorityHost.GetLeftPart(UriPartial.Authority)}/{tenant}/oauth2/v2.0/token",
            };
            // Entra ID tells the two kinds apart by the issuer: the application itself signs a certificate assertion;
            // anything else is a federated token from an external identity provider.
            return FederatedAssertionValidator.IsFederated(assertion, application)
                ? new ClientAuthentication("2", FederatedAssertionValidator.Validate(assertion, application, _fake))
                : new ClientAuthentication("2", ClientAssertionValidator.Validate(assertion, application, audiences, _fake.Now));
        }

        return credentialRequired
            ? new ClientAuthentication("0", new AadError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."))
            : new ClientAuthentication("0", null);
    }

    private EntraHttpResponse Metadata(EntraHttpRequest request, string tenant, bool v2)
    {
        if (!_fake.IsKnownTenant(tenant))
        {
            return Error(request, new AadError(400, "invalid_tenant", 90002, UnknownTenantText(tenant)));
        }

        var tid = FakeEntraId.TenantIdForPath(tenant);
        var baseAddress = request.BaseAddress;
        var host = new Uri(baseAddress).Authority;
        var prefix = $"{baseAddress}/{tenant}";
        var members = new List<KeyValuePair<string, object?>>
        {
            new("token_endpoint", v2 ? $"{prefix}/oauth2/v2.0/token" : $"{prefix}/oauth2/token"),
            new("token_endpoint_auth_methods_supported", new[] { "client_secret_post", "private_key_jwt", "client_secret_basic" }),
            new("jwks_uri", v2 ? $"{prefix}/discovery/v2.0/keys" : $"{baseAddress}/common/discovery/keys"),
            new("response_modes_supported", new[] { "query", "fragment", "form_post" }),
            new("subject_types_supported", new[] { "pairwise" }),
            new("id_token_signing_alg_values_supported", new[] { "RS256" }),
            new("response_types_supported", new[] { "code", "id_token", "code id_token", "token id_token", "token" }),
            new("scopes_supported", new[] { "openid", "profile", "email", "offline_access" }),
            new("issuer", v2 ? _fake.V2Issuer(tid ?? "{tenantid}") : _fake.V1Issuer(tid ?? "{tenantid}")),
            new("request_uri_parameter_supported", false),
            new("userinfo_endpoint", "https://graph.microsoft.com/oidc/userinfo"),
            new("authorization_endpoint", v2 ? $"{prefix}/oauth2/v2.0/authorize" : $"{prefix}/oauth2/authorize"),
            new("device_authorization_endpoint", v2 ? $"{prefix}/oauth2/v2.0/devicecode" : $"{prefix}/oauth2/devicecode"),
            new("http_logout_supported", true),
            new("frontchannel_logout_supported", true),
            new("end_session_endpoint", v2 ? $"{prefix}/oauth2/v2.0/logout" : $"{prefix}/oauth2/logout"),
            new("claims_supported", new[] { "sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email" }),
            new("tenant_region_scope", null),
            new("cloud_instance_name", host),
            new("cloud_graph_host_name", "graph.windows.net"),
            new("msgraph_host", "graph.microsoft.com"),
            new("rbac_url", "https://pas.windows.net"),
        };
        return Ok(members);
    }

    private EntraHttpResponse InstanceDiscovery(EntraHttpRequest request)
    {
        // MSAL asks with ?api-version=1.1&authorization_endpoint=https://host/tenant/oauth2/v2.0/authorize.
        var host = new Uri(request.BaseAddress).Authority;
        var tenant = "common";
        var query = EntraHttpRequest.ParseForm(request.Url.Query.TrimStart('?'));
        if (query.TryGetValue("authorization_endpoint", out var endpoint) && Uri.TryCreate(endpoint, UriKind.Absolute, out var authorize))
        {
            host = authorize.Authority;
            tenant = authorize.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? tenant;
        }

        var scheme = new Uri(request.BaseAddress).Scheme;
        return Ok([
            new("tenant_discovery_endpoint", $"{scheme}://{host}/{tenant}/v2.0/.well-known/openid-configuration"),
            new("api-version", "1.1"),
            new("metadata", new object[]
            {
                new List<KeyValuePair<string, object?>>
                {
                    new("preferred_network", host),
                    new("preferred_cache", host),
                    new("aliases", new[] { host }),
                },
            }),
        ]);
    }

    private EntraHttpResponse FaultResponse(EntraHttpRequest request, Fault fault)
    {
        var error = fault.StatusCode switch
        {
            429 => new AadError(429, "temporarily_unavailable", 90055, "There are too many incoming requests. Please try again later."),
            503 => new AadError(503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
            >= 500 => new AadError(fault.StatusCode, "server_error", 50000, "There was an error issuing a token or an issue with our sign-in service. Please try again."),
            _ => new AadError(fault.StatusCode, "invalid_request", 90023, "The authentication service request is not valid."),
        };
        IReadOnlyList<KeyValuePair<string, string>>? headers = fault.RetryAfter is { } retryAfter
            ? [new("Retry-After", ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture))]
            : null;
        return error.ToResponse(_fake.Now, request.ClientRequestId, headers);
    }

    private static EntraHttpResponse Ok(List<KeyValuePair<string, object?>> members) => new(200, JsonValueWriter.ToJson(members));

    private EntraHttpResponse Error(EntraHttpRequest request, AadError error) => error.ToResponse(_fake.Now, request.ClientRequestId);

    private static AadError MissingParameter(string name) =>
        new(400, "invalid_request", 900144, $"The request body must contain the following parameter: '{name}'.");

    private static AadError UnknownTenant(string tenant) => new(400, "invalid_request", 90002, UnknownTenantText(tenant));

    private static string UnknownTenantText(string tenant) =>
        $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.";

    private static AadError UnknownApplication(string tenant, string clientId) =>
        new(400, "unauthorized_client", 700016, $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");

    private static AadError MixedResources(string scope) =>
        new(400, "invalid_scope", 28000, $"Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.");

    internal static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    internal static string NewUti() => RandomToken(16);

    private static string RandomToken(int bytes)
    {
        var buffer = new byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        return Base64Url.Encode(buffer);
    }

    private static string NewUserCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(9, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    /// <summary>A stable per-application subject, like Entra ID's pairwise <c>sub</c> (43 base64url characters).</summary>
    private static string PairwiseSubject(string objectId, string clientId) =>
        Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(objectId + ":" + clientId)));

    private readonly record struct ClientAuthentication(string AppIdAcr, AadError? Error);

    private sealed record AuthorizationCodeGrantState(FakeApplication Application, FakeUser User, string Scope, string RedirectUri, string CodeChallenge, DateTimeOffset ExpiresOn);

    private sealed record RefreshGrant(string ClientId, FakeUser User, string Scope, DateTimeOffset IssuedAt, long Epoch);

    private enum DeviceCodeStep
    {
        Pending,
        Approved,
        Declined,
        Expired,
        Redeemed,
    }

    private sealed class DeviceCodeGrant
    {
        private readonly object _gate = new();
        private int _pendingPolls;
        private bool _redeemed;

        public DeviceCodeGrant(string tenant, FakeApplication application, string scope, FakeUser? user, FakeDeviceCodeOutcome outcome, int pendingPolls, DateTimeOffset expiresOn)
        {
            Tenant = tenant;
            Application = application;
            Scope = scope;
            User = user;
            Outcome = outcome;
            _pendingPolls = pendingPolls;
            ExpiresOn = expiresOn;
        }

        public string Tenant { get; }

        public FakeApplication Application { get; }

        public string Scope { get; }

        public FakeUser? User { get; }

        public FakeDeviceCodeOutcome Outcome { get; }

        public DateTimeOffset ExpiresOn { get; }

        public DeviceCodeStep Poll(DateTimeOffset now)
        {
            lock (_gate)
            {
                if (_redeemed)
                {
                    return DeviceCodeStep.Redeemed;
                }

                if (now >= ExpiresOn)
                {
                    return DeviceCodeStep.Expired;
                }

                if (_pendingPolls > 0)
                {
                    _pendingPolls--;
                    return DeviceCodeStep.Pending;
                }

                switch (Outcome)
                {
                    case FakeDeviceCodeOutcome.Decline:
                        return DeviceCodeStep.Declined;
                    case FakeDeviceCodeOutcome.Expire:
                        return DeviceCodeStep.Expired;
                    default:
                        _redeemed = true;
                        return DeviceCodeStep.Approved;
                }
            }
        }
    }
}
