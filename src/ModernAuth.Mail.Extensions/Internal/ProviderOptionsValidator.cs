using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Checks every registered provider's settings when the host starts. Each failure names the exact key (for
/// example <c>ModernAuthMail:Providers:shared-inbox:ClientId</c>) and says what belongs there; secrets are never
/// echoed.
/// </summary>
internal sealed class ProviderOptionsValidator : IValidateOptions<ModernAuthMailProviderOptions>
{
    private static readonly string[] MultiTenantAliases = { "common", "organizations", "consumers" };

    // The settings configuration may hold: the bindable public properties (code-only ones are objects or delegates).
    private static readonly string[] KnownSettings = typeof(ModernAuthMailProviderOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && IsBindable(p.PropertyType))
        .Select(p => p.Name)
        .ToArray();

    private readonly ProviderRegistry _registry;

    public ProviderOptionsValidator(ProviderRegistry registry) => _registry = registry;

    public ValidateOptionsResult Validate(string? name, ModernAuthMailProviderOptions options)
    {
        if (name is null || _registry.Find(name) is not { } registered || _registry.CustomFactoryOf(registered) is not null)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        string Key(string setting) => _registry.KeyOf(registered, setting);

        if (_registry.SectionOf(registered) is { } section)
        {
            foreach (var child in section.GetChildren())
            {
                if (!KnownSettings.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    var suggestion = KnownSettings.OrderBy(k => Distance(k, child.Key)).First();
                    failures.Add(Distance(suggestion, child.Key) <= 3
                        ? $"{child.Path} is not a ModernAuth.Mail provider setting: did you mean {suggestion}?"
                        : $"{child.Path} is not a ModernAuth.Mail provider setting: the settings are {string.Join(", ", KnownSettings)}.");
                }
            }
        }

        var cloud = MailCloud.Global;
        if (options.Cloud is { Length: > 0 } cloudName && !MailCloud.TryGetWellKnown(cloudName, out cloud))
        {
            failures.Add($"{Key("Cloud")} '{cloudName}' is not a known cloud: use Global, PersonalAccounts, UsGovernmentHigh, UsGovernmentDod or China.");
        }

        if (options.Flow is not { } flow)
        {
            failures.Add($"{Key("Flow")} is missing: use ClientSecret or ClientCertificate (app-only), or DeviceCode (a user signs in once).");
        }
        else if (!Enum.IsDefined(typeof(MailTokenFlow), flow))
        {
            failures.Add($"{Key("Flow")} '{flow}' is not a flow: use ClientSecret, ClientCertificate or DeviceCode.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{Key("ClientId")} is missing: use the Application (client) ID from the app registration's Overview page in the Microsoft Entra admin center (a GUID).");
        }
        else if (!Guid.TryParse(options.ClientId!.Trim(), out _))
        {
            failures.Add($"{Key("ClientId")} '{options.ClientId}' is not a GUID: use the Application (client) ID from the app registration's Overview page, not the application's name.");
        }

        if (options.Flow is MailTokenFlow.ClientSecret or MailTokenFlow.ClientCertificate)
        {
            ValidateAppOnly(options, cloud, Key, failures);
        }

        if (options.AuthorityHost is { } host && (!host.IsAbsoluteUri || host.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Key("AuthorityHost")} '{host.OriginalString}' must be an absolute https URI such as https://login.microsoftonline.com.");
        }

        if (options.NetworkTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add($"{Key("NetworkTimeout")} must be positive (for example 00:00:30).");
        }

        if (options.RefreshMargin is { } margin && margin < TimeSpan.Zero)
        {
            failures.Add($"{Key("RefreshMargin")} cannot be negative (for example 00:05:00).");
        }

        if (options.Mailbox is { Length: > 0 } mailbox && mailbox.IndexOf('@') <= 0)
        {
            failures.Add($"{Key("Mailbox")} '{mailbox}' is not an email address: use the mailbox's SMTP address, such as shared@contoso.com.");
        }

        if (!Enum.IsDefined(typeof(MailProtocol), options.HealthCheckProtocol))
        {
            failures.Add($"{Key("HealthCheckProtocol")} must be Imap, Pop, Smtp or Ews.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateAppOnly(ModernAuthMailProviderOptions options, MailCloud cloud, Func<string, string> key, List<string> failures)
    {
        if (!cloud.SupportsAppOnly)
        {
            failures.Add($"{key("Cloud")} is {cloud.Name}, which has no app-only access (personal accounts only sign in as a user): use Flow DeviceCode.");
        }

        if (string.IsNullOrWhiteSpace(options.TenantId))
        {
            failures.Add($"{key("TenantId")} is missing: use the Directory (tenant) ID from the app registration's Overview page (a GUID) or a verified domain such as contoso.onmicrosoft.com.");
        }
        else if (MultiTenantAliases.Contains(options.TenantId!.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{key("TenantId")} is '{options.TenantId}': app-only flows need one specific tenant. Use the Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com.");
        }

        if (options.Flow == MailTokenFlow.ClientSecret)
        {
            if (string.IsNullOrWhiteSpace(options.ClientSecret))
            {
                failures.Add($"{key("ClientSecret")} is missing: use the secret's Value (not its Secret ID) from Certificates & secrets, and keep it out of files in source control (an environment variable or a secret store).");
            }
            else if (Guid.TryParse(options.ClientSecret!.Trim(), out _))
            {
                failures.Add($"{key("ClientSecret")} looks like a GUID: that is the secret's Secret ID, not its Value. Copy the Value (shown once, when the secret is created) from Certificates & secrets, or create a new secret.");
            }
        }
        else
        {
            ValidateCertificate(options, key, failures);
        }
    }

    private static void ValidateCertificate(ModernAuthMailProviderOptions options, Func<string, string> key, List<string> failures)
    {
        var hasPath = !string.IsNullOrWhiteSpace(options.CertificatePath);
        var hasThumbprint = !string.IsNullOrWhiteSpace(options.CertificateThumbprint);
        var sources = (hasPath ? 1 : 0) + (hasThumbprint ? 1 : 0) + (options.Certificate is null ? 0 : 1);
        if (sources == 0)
        {
            failures.Add($"{key("CertificatePath")} or {key("CertificateThumbprint")} is missing: give a PFX or PEM file, or the thumbprint of a certificate (with its private key) in the certificate store.");
        }
        else if (sources > 1)
        {
            failures.Add($"{key("CertificatePath")} and {key("CertificateThumbprint")} are both given: give one certificate source.");
        }

        if (hasPath && !File.Exists(options.CertificatePath))
        {
            failures.Add($"{key("CertificatePath")} '{options.CertificatePath}' does not exist (a relative path is resolved from {Directory.GetCurrentDirectory()}).");
        }

        if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath) && !File.Exists(options.CertificateKeyPath))
        {
            failures.Add($"{key("CertificateKeyPath")} '{options.CertificateKeyPath}' does not exist (a relative path is resolved from {Directory.GetCurrentDirectory()}).");
        }

        if (hasThumbprint)
        {
            var hex = options.CertificateThumbprint!.Count(Uri.IsHexDigit);
            var other = options.CertificateThumbprint!.Count(c => !Uri.IsHexDigit(c) && c != ' ' && c != ':');
            if (hex != 40 || other != 0)
            {
                failures.Add($"{key("CertificateThumbprint")} is not a SHA-1 thumbprint: use the 40 hex digits shown under Certificates & secrets or by the certificate store.");
            }

            if (!Enum.IsDefined(typeof(System.Security.Cryptography.X509Certificates.StoreLocation), options.CertificateStoreLocation))
            {
                failures.Add($"{key("CertificateStoreLocation")} must be CurrentUser or LocalMachine.");
            }
        }
    }

    private static bool IsBindable(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(TimeSpan) || underlying == typeof(Uri);
    }

    /// <summary>Levenshtein distance, case-insensitive: finds the setting a misspelt key meant.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    internal static string Describe(IEnumerable<string> names) =>
        string.Join(", ", names.Select(n => string.Format(CultureInfo.InvariantCulture, "'{0}'", n)));
}
