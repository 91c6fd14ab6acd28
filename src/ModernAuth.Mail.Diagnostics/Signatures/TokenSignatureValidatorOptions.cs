namespace ModernAuth.Mail.Diagnostics;

/// <summary>How <see cref="TokenSignatureValidator"/> finds and caches the issuer's published keys.</summary>
public sealed class TokenSignatureValidatorOptions
{
    /// <summary>
    /// The HTTP client that fetches the OpenID Connect metadata and keys. The validator never disposes it.
    /// Default: <see langword="null"/>, a shared client of the validator's own.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// The HTTP handler to send requests through when <see cref="HttpClient"/> is not set, for example an in-process
    /// test handler (the same role as <see cref="MailTokenProviderOptions.Transport"/>). The validator never disposes
    /// it. Default: <see langword="null"/>.
    /// </summary>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>The cloud whose authority host publishes the keys. Default: <see cref="MailCloud.Global"/>.</summary>
    public MailCloud Cloud { get; set; } = MailCloud.Global;

    /// <summary>
    /// An authority host that overrides <see cref="Cloud"/>'s, for example a test token service such as
    /// <c>ModernAuth.Mail.Testing</c>'s fake Entra ID. Default: <see langword="null"/>.
    /// </summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>How long fetched metadata and keys are reused. Default: 24 hours. Must be positive.</summary>
    public TimeSpan MetadataCacheDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The clock that ages the cache. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
