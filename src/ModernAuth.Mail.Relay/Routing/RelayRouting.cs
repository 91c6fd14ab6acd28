using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Which upstream mailbox and token provider deliver a sender's mail, and how to reach the upstream.</summary>
internal sealed class RelayRouting
{
    private readonly List<Route> _routes = new();

    /// <param name="options">The validated options.</param>
    /// <param name="providers">The providers registered with <c>AddModernAuthMail()</c>; those in <see cref="RelayOptions.TokenProviders"/> come first.</param>
    /// <param name="loggerFactory">Where upstream connections log.</param>
    /// <param name="timeProvider">The clock.</param>
    public RelayRouting(RelayOptions options, MailTokenProviderFactory? providers, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        foreach (var route in options.Routes)
        {
            var name = route.Provider!;
            var provider = options.TokenProviders.TryGetValue(name, out var given)
                ? given
                : providers?.GetProvider(name) ?? throw new RelayConfigurationException("Routes", $"no token provider is named '{name}'.");
            _routes.Add(new Route(new SenderPatterns(route.Senders), string.IsNullOrWhiteSpace(route.Mailbox) ? null : route.Mailbox.Trim(), name, provider, route.Upstream));
        }

        var upstream = options.Upstream;
        Cloud = string.IsNullOrWhiteSpace(upstream.Cloud) ? null : ParseCloud(upstream.Cloud);
        var pinned = PinnedCertificateValidation(upstream.TrustedCertificatePath);
        ConnectOptions = new MailKitConnectOptions
        {
            Host = upstream.Host,
            Port = upstream.Port,
            TlsMode = upstream.TlsMode,
            CheckCertificateRevocation = upstream.CheckCertificateRevocation && pinned is null,
            Timeout = upstream.Timeout,
            LocalDomain = upstream.LocalDomain,
            LoggerFactory = loggerFactory,
            TimeProvider = timeProvider,
            Cloud = Cloud,
            ServerCertificateValidationCallback = pinned,
        };
    }

    /// <summary>The upstream cloud when configured; <see langword="null"/>: each route's provider's cloud.</summary>
    public MailCloud? Cloud { get; }

    public MailKitConnectOptions ConnectOptions { get; }

    public Route? Find(string sender)
    {
        foreach (var route in _routes)
        {
            if (route.Senders.Matches(sender))
            {
                return route;
            }
        }

        return null;
    }

    public static MailCloud ParseCloud(string? name) =>
        string.IsNullOrWhiteSpace(name) ? MailCloud.Global : MailCloud.TryGetWellKnown(name, out var cloud) ? cloud : throw new RelayConfigurationException("Cloud", $"'{name}' is not a known cloud.");

    /// <summary>
    /// For a <c>TrustedCertificatePath</c> (the SMTP upstream's or Graph's): accept a chain the system trusts, or exactly
    /// the certificate in that file (compared by SHA-256). <see langword="null"/> without a path: the system's checks alone.
    /// </summary>
    public static RemoteCertificateValidationCallback? PinnedCertificateValidation(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        using var trusted = LoadCertificate(path);
        var hash = trusted.GetCertHashString(HashAlgorithmName.SHA256);
        return (_, certificate, _, errors) => errors == SslPolicyErrors.None
            || (certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), hash, StringComparison.OrdinalIgnoreCase));
    }

    public static X509Certificate2 LoadCertificate(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : new X509Certificate2(File.ReadAllBytes(path));
    }

    internal sealed record Route(SenderPatterns Senders, string? Mailbox, string ProviderName, MailTokenProvider Provider, RelayUpstreamKind Upstream = RelayUpstreamKind.Smtp)
    {
        /// <summary>The XOAUTH2 user (or Graph mailbox) for a sender: the route's mailbox, else the sender (app-only) or the signed-in user (delegated).</summary>
        public string? MailboxFor(string sender) => Mailbox ?? (Provider.IsAppOnly ? sender : null);

        // SMTP and Graph lanes of one mailbox are separate: each keeps its own connection or client.
        public string LaneKey(string sender) => Upstream + "|" + ProviderName + "|" + (MailboxFor(sender)?.ToLowerInvariant() ?? "(signed-in user)");
    }
}
