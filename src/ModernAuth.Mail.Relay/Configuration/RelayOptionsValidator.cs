using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Extensions;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Checks <see cref="RelayOptions"/> and names the configuration key of every problem.</summary>
internal static class RelayOptionsValidator
{
    /// <param name="options">The options.</param>
    /// <param name="prefix">The configuration path of the relay's section, for the messages.</param>
    /// <param name="providers">The token providers registered with <c>AddModernAuthMail()</c>, if any.</param>
    public static IReadOnlyList<string> Validate(RelayOptions options, string prefix = "Relay", MailTokenProviderFactory? providers = null)
    {
        var errors = new List<string>();
        bool IsRegistered(string name) => providers?.ProviderNames.Contains(name, StringComparer.OrdinalIgnoreCase) == true;
        MailTokenProviderSettings? Settings(string name)
        {
            try
            {
                return providers?.GetProviderOptions(name);
            }
            catch (Exception error) when (error is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                // A provider from a custom factory has no settings; invalid settings are reported by the provider's own validation.
                return null;
            }
        }

        void Error(string key, string message) => errors.Add($"{prefix}:{key}: {message}");

        void TrustedCertificate(string? path, string key)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                return;
            }

            try
            {
                using var certificate = RelayRouting.LoadCertificate(path);
            }
            catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
            {
                Error(key, $"'{path}' could not be read as a PEM or DER certificate: {ex.Message}");
            }
        }

        Endpoints(options.Listen, "Listen", "write 127.0.0.1:2525, [::1]:2525 or 0.0.0.0:25");
        Endpoints(options.ImplicitTlsListen, "ImplicitTlsListen", "write 0.0.0.0:465 or [::]:465");
        if (options.ImplicitTlsListen.Count > 0 && string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            Error("ImplicitTlsListen", "needs CertificatePath: a PFX with the certificate and key the TLS listener presents.");
        }

        for (var i = 0; i < options.AuthenticationWithoutTlsNetworks.Count; i++)
        {
            if (!IpNetwork.TryParse(options.AuthenticationWithoutTlsNetworks[i], out _))
            {
                Error($"AuthenticationWithoutTlsNetworks:{i}", $"'{options.AuthenticationWithoutTlsNetworks[i]}' is not a CIDR range (write 192.168.1.0/24 or fd00::/8).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ServerName))
        {
            Error("ServerName", "must not be empty.");
        }

        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            try
            {
                using var certificate = LoadPfx(options.CertificatePath, options.CertificatePassword);
                if (!certificate.HasPrivateKey)
                {
                    Error("CertificatePath", $"'{options.CertificatePath}' has no private key: STARTTLS needs a PFX with the key.");
                }
            }
            catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
            {
                Error("CertificatePath", $"'{options.CertificatePath}' could not be loaded as a PFX with {(options.CertificatePassword is null ? "no password" : "the password in CertificatePassword")}: {ex.Message}");
            }
        }

        Positive(options.MaxMessageSize, "MaxMessageSize");
        Positive(options.MaxRecipients, "MaxRecipients");
        Positive(options.MaxConnections, "MaxConnections");
        Positive(options.CommandTimeout, "CommandTimeout");
        Positive(options.IdleTimeout, "IdleTimeout");
        Positive(options.SessionTimeout, "SessionTimeout");

        for (var i = 0; i < options.Networks.Count; i++)
        {
            var network = options.Networks[i];
            if (network.Ranges.Count == 0)
            {
                Error($"Networks:{i}:Ranges", "needs at least one CIDR range (192.168.1.0/24, 10.0.0.5/32, fd00::/8).");
            }

            for (var j = 0; j < network.Ranges.Count; j++)
            {
                if (!IpNetwork.TryParse(network.Ranges[j], out _))
                {
                    Error($"Networks:{i}:Ranges:{j}", $"'{network.Ranges[j]}' is not a CIDR range (write 192.168.1.0/24, 10.0.0.5/32 or fd00::/8).");
                }
            }

            Senders(network.AllowedSenders, $"Networks:{i}:AllowedSenders");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var account = options.Accounts[i];
            if (string.IsNullOrWhiteSpace(account.UserName))
            {
                Error($"Accounts:{i}:UserName", "is required.");
            }
            else if (!names.Add(account.UserName))
            {
                Error($"Accounts:{i}:UserName", $"'{account.UserName}' is listed twice.");
            }

            if (!RelayPasswordHasher.IsValidHash(account.PasswordHash))
            {
                Error($"Accounts:{i}:PasswordHash", "is not a relay password hash: make one with `modernauth-mail relay hash-password` (PBKDF2-SHA256$<iterations>$<salt>$<hash>); never write the password itself.");
            }
            else if (RelayPasswordHasher.GetIterations(account.PasswordHash!) is var iterations && iterations < RelayPasswordHasher.MinimumIterations)
            {
                Error($"Accounts:{i}:PasswordHash", $"has {iterations.ToString(CultureInfo.InvariantCulture)} PBKDF2 iterations, fewer than 100,000: a stolen configuration would give the password up quickly. Make a new hash with `modernauth-mail relay hash-password` (600,000 iterations).");
            }

            Senders(account.AllowedSenders, $"Accounts:{i}:AllowedSenders");
        }

        if (options.Networks.Count == 0 && options.Accounts.Count == 0)
        {
            Error("Networks", "no network and no account may relay: add Networks (client ranges) or Accounts (relay logins). The relay is never open.");
        }

        if (options.Routes.Count == 0)
        {
            Error("Routes", "needs at least one route: which upstream mailbox and credential deliver which senders (\"Senders\": [\"*\"] takes all).");
        }

        for (var i = 0; i < options.Routes.Count; i++)
        {
            var route = options.Routes[i];
            Senders(route.Senders, $"Routes:{i}:Senders");
            if (string.IsNullOrWhiteSpace(route.Provider))
            {
                Error($"Routes:{i}:Provider", "is required: the name of a token provider (under ModernAuthMail:Providers, or added in code).");
            }
            else if (!options.TokenProviders.ContainsKey(route.Provider) && !IsRegistered(route.Provider))
            {
                var known = options.TokenProviders.Keys.Concat(providers?.ProviderNames ?? Array.Empty<string>()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                Error($"Routes:{i}:Provider", $"'{route.Provider}' is not a token provider: add it under ModernAuthMail:Providers:{route.Provider} (Flow, TenantId, ClientId, ...). Known: {(known.Count == 0 ? "none" : string.Join(", ", known))}.");
            }
            else if (!options.TokenProviders.ContainsKey(route.Provider) && Settings(route.Provider) is { Flow: MailTokenFlow.DeviceCode, DisableInteractiveSignIn: false })
            {
                Error($"Routes:{i}:Provider", $"'{route.Provider}' uses the device code flow, which would wait for a person to sign in: set ModernAuthMail:Providers:{route.Provider}:DisableInteractiveSignIn to true, and sign in once beforehand with `modernauth-mail token --flow device-code{(route.Upstream == RelayUpstreamKind.Graph ? " --protocol graph" : string.Empty)} --token-cache-path <its TokenCachePath>`.");
            }

            if (!Enum.IsDefined(route.Upstream))
            {
                Error($"Routes:{i}:Upstream", $"'{route.Upstream}' is not an upstream: use Smtp (SMTP AUTH with XOAUTH2, the default) or Graph (Microsoft Graph sendMail).");
            }
            else if (route.Upstream == RelayUpstreamKind.Graph && string.IsNullOrWhiteSpace(route.Mailbox) && !string.IsNullOrWhiteSpace(route.Provider)
                && (options.TokenProviders.TryGetValue(route.Provider, out var given) ? !given.IsAppOnly : MailTokenProviderSettings.IsAppOnlyFlow(Settings(route.Provider)?.Flow) == false))
            {
                // A delegated token opens the signed-in user's own mailbox (/me): Graph needs no address, but the relay
                // has no way to learn it before the first send, and a wrong guess would send as someone else.
                Error($"Routes:{i}:Mailbox", $"is required with Upstream Graph and the delegated provider '{route.Provider}': write the signed-in user's address (Graph sends as that user, through /me).");
            }
            else if (!string.IsNullOrWhiteSpace(route.Provider) && !options.TokenProviders.ContainsKey(route.Provider) && Settings(route.Provider) is { Flow: MailTokenFlow.InteractiveBrowser, DisableInteractiveSignIn: false })
            {
                Error($"Routes:{i}:Provider", $"'{route.Provider}' uses the interactive browser flow, which would open a browser on the relay's machine and wait for a person who is not there: set ModernAuthMail:Providers:{route.Provider}:DisableInteractiveSignIn to true, and sign in once beforehand on that machine with `modernauth-mail token --flow interactive --token-cache-path <its TokenCachePath>` (or use an app-only flow for the relay).");
            }

            if (route.Mailbox is not null && (route.Mailbox.Trim() == "*" || !SenderPatterns.IsValid(route.Mailbox) || route.Mailbox.Trim().StartsWith('@')))
            {
                Error($"Routes:{i}:Mailbox", $"'{route.Mailbox}' is not a mailbox address.");
            }
        }

        Cloud(options.Upstream.Cloud, "Upstream:Cloud");
        if (options.Upstream.TlsMode == MailTlsMode.None && !IsLoopbackHost(options.Upstream.Host))
        {
            Error("Upstream:TlsMode", $"None would send OAuth tokens in clear to {(string.IsNullOrWhiteSpace(options.Upstream.Host) ? "the cloud's SMTP host" : options.Upstream.Host)}: use StartTls or Implicit (None is for a loopback test server only).");
        }
        if (options.Upstream.Port is { } port && port is < 1 or > 65535)
        {
            Error("Upstream:Port", $"{port} is not a TCP port.");
        }

        TrustedCertificate(options.Upstream.TrustedCertificatePath, "Upstream:TrustedCertificatePath");

        var graph = options.Graph ?? new RelayGraphOptions();
        if (graph.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback))))
        {
            Error("Graph:Endpoint", $"'{endpoint}' is not an https URL of Microsoft Graph with its version, for example https://graph.microsoft.com/v1.0 (http only for a loopback test server: tokens would travel in clear).");
        }

        if (graph.MaxRetries is < 0 or > 10)
        {
            Error("Graph:MaxRetries", $"{graph.MaxRetries.ToString(CultureInfo.InvariantCulture)} is outside 0 to 10 (the Graph SDK's limit).");
        }

        TrustedCertificate(graph.TrustedCertificatePath, "Graph:TrustedCertificatePath");

        var delivery = options.Delivery;
        Positive(delivery.MessageLifetime, "Delivery:MessageLifetime");
        Positive(delivery.InitialRetryDelay, "Delivery:InitialRetryDelay");
        Positive(delivery.MaxRetryDelay, "Delivery:MaxRetryDelay");
        Positive(delivery.RateLimitWindow, "Delivery:RateLimitWindow");
        Positive(delivery.MaxConcurrentMailboxes, "Delivery:MaxConcurrentMailboxes");
        if (delivery.RateLimitCount < 0)
        {
            Error("Delivery:RateLimitCount", "must be 0 (no pacing) or more.");
        }

        if (delivery.MaxRetryDelay < delivery.InitialRetryDelay)
        {
            Error("Delivery:MaxRetryDelay", "must not be shorter than Delivery:InitialRetryDelay.");
        }

        Positive(options.MaxReceiveMemory, "MaxReceiveMemory");
        if (options.MaxReceiveMemory > 0 && options.MaxReceiveMemory < options.MaxMessageSize)
        {
            Error("MaxReceiveMemory", $"must hold at least one message of MaxMessageSize ({options.MaxMessageSize.ToString(CultureInfo.InvariantCulture)} bytes).");
        }

        NotNegative(options.MaxConnectionsPerClient, "MaxConnectionsPerClient");
        NotNegative(options.MaxConnectionRatePerClient, "MaxConnectionRatePerClient");
        NotNegative(options.MinimumFreeDiskSpace, "MinimumFreeDiskSpace");
        NotNegative(options.MaxQueuedMessages, "MaxQueuedMessages");
        var throttling = options.LoginThrottling;
        NotNegative(throttling.MaxFailures, "LoginThrottling:MaxFailures");
        Positive(throttling.FailureWindow, "LoginThrottling:FailureWindow");
        Positive(throttling.LockoutDuration, "LoginThrottling:LockoutDuration");
        NotNegative(throttling.FailureDelay, "LoginThrottling:FailureDelay");
        NotNegative(throttling.MaxFailureDelay, "LoginThrottling:MaxFailureDelay");
        if (options.PickupDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(options.PickupDirectory))
            {
                Error("PickupDirectory", "must not be empty: a directory path, or leave the key out.");
            }

            Positive(options.PickupInterval, "PickupInterval");
        }

        if (string.IsNullOrWhiteSpace(options.SpoolDirectory))
        {
            Error("SpoolDirectory", "is required: a directory on a local disk where messages wait between 250 and delivery.");
        }

        return errors;

        void Positive<T>(T value, string key)
            where T : IComparable<T>
        {
            if (value.CompareTo(default!) <= 0)
            {
                Error(key, $"must be positive (is {Convert.ToString(value, CultureInfo.InvariantCulture)}).");
            }
        }

        void NotNegative<T>(T value, string key)
            where T : IComparable<T>
        {
            if (value.CompareTo(default!) < 0)
            {
                Error(key, $"must not be negative (is {Convert.ToString(value, CultureInfo.InvariantCulture)}).");
            }
        }

        void Endpoints(IList<string> list, string key, string example)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (!IPEndPoint.TryParse(list[i] ?? string.Empty, out var endpoint) || !list[i].Contains(':', StringComparison.Ordinal))
                {
                    Error($"{key}:{i}", $"'{list[i]}' is not address:port ({example}).");
                }
                else if (endpoint.Port is < 0 or > 65535)
                {
                    Error($"{key}:{i}", $"{endpoint.Port} is not a TCP port.");
                }
            }
        }

        void Senders(IList<string> senders, string key)
        {
            if (senders.Count == 0)
            {
                Error(key, "needs at least one sender address, @domain, or *.");
            }

            for (var j = 0; j < senders.Count; j++)
            {
                if (!SenderPatterns.IsValid(senders[j]))
                {
                    Error($"{key}:{j}", $"'{senders[j]}' is not a sender address (scanner@contoso.com), a domain (@contoso.com) or *.");
                }
            }
        }

        void Cloud(string? name, string key)
        {
            if (!string.IsNullOrWhiteSpace(name) && !MailCloud.TryGetWellKnown(name, out _))
            {
                Error(key, $"'{name}' is not a known cloud (Global, PersonalAccounts, UsGovernmentHigh, UsGovernmentDod, China).");
            }
        }
    }

    /// <summary>What is allowed but dangerous: each warning with its key, logged loudly at start.</summary>
    public static IReadOnlyList<(string Key, string Warning)> Warnings(RelayOptions options, string prefix = "Relay")
    {
        var warnings = new List<(string, string)>();
        for (var i = 0; i < options.Networks.Count; i++)
        {
            for (var j = 0; j < options.Networks[i].Ranges.Count; j++)
            {
                if (IpNetwork.TryParse(options.Networks[i].Ranges[j], out var range) && range!.PrefixLength == 0)
                {
                    warnings.Add(($"{prefix}:Networks:{i}:Ranges:{j}", $"'{options.Networks[i].Ranges[j]}' lets EVERY address relay without logging in: anyone who reaches the port can send as {string.Join(", ", options.Networks[i].AllowedSenders)}. List the devices' own ranges instead."));
                }
            }
        }

        if (options.AllowAuthenticationWithoutTls == true)
        {
            warnings.Add(($"{prefix}:AllowAuthenticationWithoutTls", "is true: relay passwords may cross the network in clear from any client. Prefer AuthenticationWithoutTlsNetworks for the devices that cannot do TLS."));
        }

        return warnings;
    }

    private static bool IsLoopbackHost(string? host) =>
        !string.IsNullOrWhiteSpace(host)
        && (string.Equals(host.Trim(), "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim().Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    public static X509Certificate2 LoadPfx(string path, string? password) =>
        new(File.ReadAllBytes(path), password);
}
