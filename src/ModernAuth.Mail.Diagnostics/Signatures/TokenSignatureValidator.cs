using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// Checks a JWT's signature against the keys its issuer publishes (OpenID Connect metadata and JWKS, fetched and
/// cached), or against a JWKS document given offline, and reports the result as findings:
/// <c>signature_valid</c>, <c>signature_invalid</c>, <c>signing_key_not_found</c>, <c>issuer_mismatch</c>,
/// <c>metadata_unavailable</c>.
/// </summary>
/// <remarks>
/// This is a diagnostic: only the server a token is meant for must validate it, and Microsoft does not promise that
/// its tokens can be validated by anyone else (Microsoft Graph tokens, for example, carry a <c>nonce</c> header and
/// never verify outside Graph). Exchange Online issues v1.0 tokens, whose issuer is
/// <c>https://sts.windows.net/{tid}/</c> and whose keys come from the v1.0 metadata
/// (<c>{authority}/{tid}/.well-known/openid-configuration</c>). Audience, lifetime and claims are
/// <see cref="TokenInspector"/>'s job.
/// </remarks>
public class TokenSignatureValidator
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(30) });

    private readonly HttpClient? _httpClient;
    private readonly Uri _authorityHost;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, CachedMetadata> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();

    /// <summary>Creates a validator for the global cloud with its own HTTP client.</summary>
    public TokenSignatureValidator()
        : this(new TokenSignatureValidatorOptions())
    {
    }

    /// <summary>Creates a validator.</summary>
    /// <param name="options">Where the keys come from and how long they are cached.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The cache duration is not positive.</exception>
    /// <exception cref="ArgumentException">The cloud or time provider is <see langword="null"/>.</exception>
    public TokenSignatureValidator(TokenSignatureValidatorOptions options)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (options.MetadataCacheDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MetadataCacheDuration, "The metadata cache duration must be positive.");
        }

        var cloud = options.Cloud ?? throw new ArgumentException("Cloud must not be null.", nameof(options));
        _httpClient = options.HttpClient ?? (options.Transport is { } transport ? new HttpClient(transport, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) } : null);
        _authorityHost = options.AuthorityHost ?? cloud.AuthorityHost;
        _cacheDuration = options.MetadataCacheDuration;
        _time = options.TimeProvider ?? throw new ArgumentException("TimeProvider must not be null.", nameof(options));
    }

    /// <summary>
    /// Validates the signature and issuer of <paramref name="token"/> with the keys of the tenant named in its
    /// <c>tid</c> claim: v1.0 tokens against <c>{authority}/{tid}/.well-known/openid-configuration</c>, v2.0 tokens
    /// against <c>{authority}/{tid}/v2.0/.well-known/openid-configuration</c>. Metadata and keys are cached; when
    /// the token's key id is not in the cached keys they are fetched again once (key rollover).
    /// </summary>
    /// <param name="token">The token. Anything that is not a JWT gives a <c>token_malformed</c> or <c>opaque_token</c> finding.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The findings.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<IReadOnlyList<MailFinding>> ValidateAsync(string? token, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var summary = Read(token, out var shapeFindings);
        if (summary is null)
        {
            return shapeFindings;
        }

        var tenant = string.IsNullOrWhiteSpace(summary.TenantId) ? "common" : summary.TenantId!;
        var v2 = summary.Version is "2.0" or "2";
        var url = _authorityHost.GetLeftPart(UriPartial.Authority) + "/" + Uri.EscapeDataString(tenant) + (v2 ? "/v2.0" : string.Empty) + "/.well-known/openid-configuration";

        CachedMetadata? metadata;
        string? failure;
        (metadata, failure) = await GetMetadataAsync(url, forceRefresh: false, cancellationToken).ConfigureAwait(false);
        if (metadata is not null && summary.KeyId is not null && !metadata.HasKey(summary.KeyId) && metadata.FromCache)
        {
            (metadata, failure) = await GetMetadataAsync(url, forceRefresh: true, cancellationToken).ConfigureAwait(false);
        }

        if (metadata is null)
        {
            return new[]
            {
                new MailFinding(
                    MailFindingCodes.MetadataUnavailable,
                    MailFindingSeverity.Warning,
                    failure ?? "no metadata",
                    "The issuer's published keys could not be had, so the signature was not checked. This says nothing about the token.",
                    "Check that this machine reaches " + _authorityHost.GetLeftPart(UriPartial.Authority) + " (proxy, firewall), or validate offline with the key set (JWKS) saved from the issuer's jwks_uri."),
            };
        }

        var expectedIssuer = metadata.Issuer?.Replace("{tenantid}", summary.TenantId ?? "{tenantid}");
        return await ValidateCoreAsync(token!, summary, metadata.Keys, expectedIssuer, metadata.Source).ConfigureAwait(false);
    }

    /// <summary>
    /// Validates the signature of <paramref name="token"/> offline with the keys of <paramref name="jwksJson"/> (a
    /// JWKS document as served at the issuer's <c>jwks_uri</c>), and its issuer when <paramref name="expectedIssuer"/> is given.
    /// </summary>
    /// <param name="token">The token.</param>
    /// <param name="jwksJson">The key set, as JSON.</param>
    /// <param name="expectedIssuer">The issuer the token must name, for example <c>https://sts.windows.net/{tid}/</c>; <see langword="null"/> to skip that check.</param>
    /// <param name="cancellationToken">Cancels the validation.</param>
    /// <returns>The findings.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<IReadOnlyList<MailFinding>> ValidateWithKeysAsync(string? token, string? jwksJson, string? expectedIssuer = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var summary = Read(token, out var shapeFindings);
        if (summary is null)
        {
            return Task.FromResult(shapeFindings);
        }

        var keys = ParseKeys(jwksJson, out var failure);
        if (keys is null)
        {
            IReadOnlyList<MailFinding> result = new[]
            {
                new MailFinding(
                    MailFindingCodes.MetadataUnavailable,
                    MailFindingSeverity.Warning,
                    failure!,
                    "The key set could not be read, so the signature was not checked.",
                    "Pass the JSON served at the issuer's jwks_uri (a document with a \"keys\" array)."),
            };
            return Task.FromResult(result);
        }

        return ValidateCoreAsync(token!, summary, keys, expectedIssuer, "the given key set");
    }

    private static TokenSummary? Read(string? token, out IReadOnlyList<MailFinding> shapeFindings)
    {
        var inspection = new TokenInspector().Inspect(token);
        if (inspection.Summary.Kind == TokenKind.Jwt)
        {
            shapeFindings = Array.Empty<MailFinding>();
            return inspection.Summary;
        }

        shapeFindings = inspection.Findings
            .Where(f => f.Code is MailFindingCodes.TokenEmpty or MailFindingCodes.TokenMalformed or MailFindingCodes.TokenTooLarge or MailFindingCodes.OpaqueToken)
            .ToArray();
        return null;
    }

    private static async Task<IReadOnlyList<MailFinding>> ValidateCoreAsync(string token, TokenSummary summary, IList<SecurityKey> keys, string? expectedIssuer, string keySource)
    {
        var findings = new List<MailFinding>();
        var kid = summary.KeyId;
        if (kid is not null && !keys.Any(k => KeyMatches(k, kid)))
        {
            findings.Add(new MailFinding(
                MailFindingCodes.SigningKeyNotFound,
                MailFindingSeverity.Error,
                "kid = " + kid + ", not among the " + keys.Count.ToString(CultureInfo.InvariantCulture) + " key(s) of " + keySource,
                "The token was signed with a key the issuer does not publish: it comes from another issuer or cloud (or a test token service), the keys were rolled over since it was issued, or it was signed by hand.",
                "Validate against the keys of the issuer named in iss (" + (summary.Issuer ?? "missing") + "); for a v1.0 Exchange token that is " + "https://login.microsoftonline.com/" + (summary.TenantId ?? "<tenant id>") + "/.well-known/openid-configuration (jwks_uri). Request a new token if the keys rolled over.")
            { Claim = "kid" });
        }
        else
        {
            findings.Add(await CheckSignatureAsync(token, summary, keys, keySource).ConfigureAwait(false));
        }

        if (expectedIssuer is not null && summary.Issuer is not null && !string.Equals(summary.Issuer, expectedIssuer, StringComparison.Ordinal))
        {
            findings.Add(new MailFinding(
                MailFindingCodes.IssuerMismatch,
                MailFindingSeverity.Error,
                "iss = " + summary.Issuer + ", expected " + expectedIssuer,
                "The token names another issuer than the authority: another tenant, another cloud, the v2.0 issuer where v1.0 was expected (Exchange tokens are v1.0: https://sts.windows.net/{tid}/), or another token service.",
                "Request the token from the mailbox's tenant and cloud; check the authority host and tenant id in the configuration.")
            { Claim = "iss" });
        }

        return findings;
    }

    private static async Task<MailFinding> CheckSignatureAsync(string token, TokenSummary summary, IList<SecurityKey> keys, string keySource)
    {
        TokenValidationResult result;
        try
        {
            var parameters = new TokenValidationParameters
            {
                ValidateAudience = false,
                ValidateIssuer = false,
                ValidateLifetime = false,
                ValidateIssuerSigningKey = false,
                RequireExpirationTime = false,
                RequireSignedTokens = true,
                IssuerSigningKeys = keys,
                TryAllIssuerSigningKeys = summary.KeyId is null,
            };
            result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure of the validation library is a finding, not a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Invalid(summary, "the validator failed (" + ex.GetType().Name + ")");
        }

        if (result.IsValid)
        {
            return new MailFinding(
                MailFindingCodes.SignatureValid,
                MailFindingSeverity.Info,
                "alg = " + (summary.Algorithm ?? "missing") + ", kid = " + (summary.KeyId ?? "none") + ", verified with " + keySource,
                "The token was signed by the issuer's published key and not altered since.",
                "Nothing to do for the signature; see the other findings for audience, permissions and lifetime.")
            { Claim = "kid" };
        }

        return result.Exception switch
        {
            SecurityTokenSignatureKeyNotFoundException => new MailFinding(
                MailFindingCodes.SigningKeyNotFound,
                MailFindingSeverity.Error,
                "kid = " + (summary.KeyId ?? "none") + ": no key of " + keySource + " verifies the token",
                "No published key matches the token's key.",
                "Validate against the keys of the issuer named in iss (" + (summary.Issuer ?? "missing") + ").")
            { Claim = "kid" },
            _ => Invalid(summary, "the signature does not verify (" + (result.Exception?.GetType().Name ?? "unknown reason") + ")"),
        };
    }

    private static MailFinding Invalid(TokenSummary summary, string observed) => new(
        MailFindingCodes.SignatureInvalid,
        MailFindingSeverity.Error,
        observed + "; alg = " + (summary.Algorithm ?? "missing") + ", kid = " + (summary.KeyId ?? "none"),
        "The token was altered after signing, signed by someone else with the same key id, or cut off. Microsoft Graph tokens also fail here on purpose (their header carries a nonce), which is one more sign the token is not for Exchange.",
        "Copy the token again, whole, from the token response; never edit a token. If it is a Graph token, request one for Exchange Online instead.");

    private static bool KeyMatches(SecurityKey key, string kid)
    {
        if (string.Equals(key.KeyId, kid, StringComparison.Ordinal))
        {
            return true;
        }

        return key is JsonWebKey jwk && string.Equals(jwk.X5t, kid, StringComparison.Ordinal);
    }

    private static IList<SecurityKey>? ParseKeys(string? jwksJson, out string? failure)
    {
        if (string.IsNullOrWhiteSpace(jwksJson))
        {
            failure = "no key set (JWKS) given";
            return null;
        }

        try
        {
            var set = new JsonWebKeySet(jwksJson);
            var keys = set.GetSigningKeys();
            if (keys.Count == 0)
            {
                failure = "the key set has no usable signing key";
                return null;
            }

            failure = null;
            return keys;
        }
#pragma warning disable CA1031 // Any malformed key set is a finding.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = "the key set is not a valid JWKS document (" + ex.GetType().Name + ")";
            return null;
        }
    }

    private async Task<(CachedMetadata? Metadata, string? Failure)> GetMetadataAsync(string url, bool forceRefresh, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!forceRefresh && _cache.TryGetValue(url, out var cached) && now - cached.FetchedAt < _cacheDuration)
            {
                return (cached.AsCached(), null);
            }
        }

        var client = _httpClient ?? SharedClient.Value;
        string? jwksUri;
        string? issuer;
        try
        {
            var json = await GetStringAsync(client, url, cancellationToken).ConfigureAwait(false);
            var config = OpenIdConnectConfiguration.Create(json);
            jwksUri = config.JwksUri;
            issuer = config.Issuer;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A metadata failure is a finding.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (null, "metadata " + url + " could not be read (" + Reason(ex) + ")");
        }

        if (string.IsNullOrEmpty(jwksUri))
        {
            return (null, "metadata " + url + " has no jwks_uri");
        }

        IList<SecurityKey>? keys;
        string? failure;
        try
        {
            var jwks = await GetStringAsync(client, jwksUri, cancellationToken).ConfigureAwait(false);
            keys = ParseKeys(jwks, out failure);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A key-set failure is a finding.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (null, "keys " + jwksUri + " could not be read (" + Reason(ex) + ")");
        }

        if (keys is null)
        {
            return (null, "keys " + jwksUri + ": " + failure);
        }

        var entry = new CachedMetadata(issuer, keys, now, jwksUri, fromCache: false);
        lock (_gate)
        {
            _cache[url] = entry;
        }

        return (entry, null);
    }

    private static async Task<string> GetStringAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException("HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }

        return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
    }

    private static string Reason(Exception ex) => ex is HttpRequestException && ex.Message.StartsWith("HTTP ", StringComparison.Ordinal) ? ex.Message : ex.GetType().Name;

    private sealed class CachedMetadata
    {
        public CachedMetadata(string? issuer, IList<SecurityKey> keys, DateTimeOffset fetchedAt, string source, bool fromCache)
        {
            Issuer = issuer;
            Keys = keys;
            FetchedAt = fetchedAt;
            Source = source;
            FromCache = fromCache;
        }

        public string? Issuer { get; }

        public IList<SecurityKey> Keys { get; }

        public DateTimeOffset FetchedAt { get; }

        public string Source { get; }

        public bool FromCache { get; }

        public bool HasKey(string kid) => Keys.Any(k => KeyMatches(k, kid));

        public CachedMetadata AsCached() => new(Issuer, Keys, FetchedAt, Source, fromCache: true);
    }
}
