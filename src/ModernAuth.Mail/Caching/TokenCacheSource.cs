namespace ModernAuth.Mail.Caching;

/// <summary>
/// Where <see cref="TokenCacheGate"/> gets a token on a miss: one flow (an MSAL application, or any other source) for
/// one cloud. It knows the scopes it asks for per protocol, and from them which requests share a token, so the gate
/// alone turns a request into a cache key.
/// </summary>
internal abstract class TokenCacheSource
{
    private readonly IReadOnlyList<string>[] _scopesByProtocol;
    private readonly int[] _scopeSetByProtocol;

    /// <param name="cloud">The cloud: it decides the scopes per protocol.</param>
    /// <param name="appOnly">Whether tokens act as the application: then one token serves every mailbox.</param>
    protected TokenCacheSource(MailCloud cloud, bool appOnly)
    {
        Cloud = cloud;
        IsAppOnly = appOnly;
        var protocols = MailProtocols.All;
        _scopesByProtocol = new IReadOnlyList<string>[protocols.Count];
        _scopeSetByProtocol = new int[protocols.Count];
        var sets = new List<IReadOnlyList<string>>();
        foreach (var protocol in protocols)
        {
            var scopes = cloud.GetScopes(protocol, appOnly);
            var index = sets.FindIndex(s => s.SequenceEqual(scopes, StringComparer.OrdinalIgnoreCase));
            if (index < 0)
            {
                sets.Add(scopes);
                index = sets.Count - 1;
            }

            _scopesByProtocol[(int)protocol] = scopes;
            _scopeSetByProtocol[(int)protocol] = index;
        }
    }

    /// <summary>The cloud the tokens are for.</summary>
    public MailCloud Cloud { get; }

    /// <summary>Whether tokens act as the application (one token for every mailbox) rather than as a signed-in user.</summary>
    public bool IsAppOnly { get; }

    /// <summary>The scopes asked for <paramref name="protocol"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined protocol.</exception>
    public IReadOnlyList<string> ScopesFor(MailProtocol protocol) => _scopesByProtocol[MailProtocols.IndexOf(protocol)];

    /// <summary>
    /// The cache key of <paramref name="request"/>: tokens are shared by the protocols that ask for the same scopes; an
    /// app-only token also by every mailbox, a delegated one is kept per account.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The request's protocol is not defined.</exception>
    public TokenCacheKey KeyFor(in MailTokenRequest request) =>
        new(_scopeSetByProtocol[MailProtocols.IndexOf(request.Protocol)], IsAppOnly ? null : request.Mailbox);

    /// <summary>Gets a token from the source (never from the gate's cache). Cancellation passes through untouched.</summary>
    /// <param name="request">The request that caused it.</param>
    /// <param name="forceRefresh">Whether the source must bypass its own cache too.</param>
    /// <param name="cancellationToken">Cancels the acquisition (when every waiter gave up).</param>
    public abstract Task<MailAccessToken> AcquireAsync(MailTokenRequest request, bool forceRefresh, CancellationToken cancellationToken);
}
