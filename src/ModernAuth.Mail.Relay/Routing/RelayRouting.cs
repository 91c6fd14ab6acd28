using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Which upstream mailbox and token provider deliver a sender's mail, and how to reach the upstream.</summary>
internal sealed class RelayRouting
{
    private readonly List<Route> _routes = new();

    public RelayRouting(RelayOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        var providers = new Dictionary<string, MailTokenProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in options.Routes)
        {
            var name = route.Credential!;
            if (!providers.TryGetValue(name, out var provider))
            {
                provider = options.TokenProviders.TryGetValue(name, out var given)
                    ? given
                    : CreateProvider(options.Credentials[name], loggerFactory, timeProvider);
                providers[name] = provider;
            }

            _routes.Add(new Route(new SenderPatterns(route.Senders), string.IsNullOrWhiteSpace(route.Mailbox) ? null : route.Mailbox.Trim(), name, provider));
        }

        var upstream = options.Upstream;
        Cloud = ParseCloud(upstream.Cloud);
        X509Certificate2? trusted = null;
        if (!string.IsNullOrWhiteSpace(upstream.TrustedCertificatePath))
        {
            trusted = LoadCertificate(upstream.TrustedCertificatePath);
        }

        var trustedHash = trusted?.GetCertHashString(HashAlgorithmName.SHA256);
        trusted?.Dispose();
        ConnectOptions = new MailKitConnectOptions
        {
            Host = upstream.Host,
            Port = upstream.Port,
            TlsMode = upstream.TlsMode,
            CheckCertificateRevocation = upstream.CheckCertificateRevocation && trustedHash is null,
            Timeout = upstream.Timeout,
            LocalDomain = upstream.LocalDomain,
            LoggerFactory = loggerFactory,
            TimeProvider = timeProvider,
            Cloud = Cloud,
            ServerCertificateValidationCallback = trustedHash is null
                ? null
                : (_, certificate, _, errors) => errors == SslPolicyErrors.None
                    || (certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), trustedHash, StringComparison.OrdinalIgnoreCase)),
        };
    }

    public MailCloud Cloud { get; }

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

    public static X509Certificate2 LoadCertificate(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : new X509Certificate2(File.ReadAllBytes(path));
    }

    private static MailTokenProvider CreateProvider(RelayCredentialOptions credential, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        var cloud = ParseCloud(credential.Cloud);
        switch (credential.Kind)
        {
            case RelayCredentialKind.ClientCertificate:
                return new ClientCertificateTokenProvider(
                    credential.TenantId!,
                    credential.ClientId!,
                    ClientCertificateSource.FromPfxFile(credential.CertificatePath!, credential.CertificatePassword),
                    Configure(new ClientCertificateTokenProviderOptions()));
            case RelayCredentialKind.DeviceCode:
                return new DeviceCodeTokenProvider(credential.ClientId!, Configure(new DeviceCodeTokenProviderOptions
                {
                    TenantId = credential.TenantId,
                    TokenCachePath = credential.TokenCachePath,
                    Username = credential.Username,
                    DisableInteractiveSignIn = true,
                }));
            default:
                return new ClientSecretTokenProvider(credential.TenantId!, credential.ClientId!, credential.ClientSecret!, Configure(new ClientSecretTokenProviderOptions()));
        }

        T Configure<T>(T options)
            where T : MailTokenProviderOptions
        {
            options.Cloud = cloud;
            options.AuthorityHost = credential.AuthorityHost;
            options.LoggerFactory = loggerFactory;
            options.TimeProvider = timeProvider;
            return options;
        }
    }

    internal sealed record Route(SenderPatterns Senders, string? Mailbox, string CredentialName, MailTokenProvider Provider)
    {
        /// <summary>The XOAUTH2 user for a sender: the route's mailbox, else the sender (app-only) or the signed-in user (delegated).</summary>
        public string? MailboxFor(string sender) => Mailbox ?? (Provider.IsAppOnly ? sender : null);

        public string LaneKey(string sender) => CredentialName + "|" + (MailboxFor(sender)?.ToLowerInvariant() ?? "(signed-in user)");
    }
}
