using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// The one validator of <see cref="MailTokenProviderSettings"/>. Each failure names its setting as a placeholder the
/// front end renders, says what belongs there, and never echoes a secret.
/// </summary>
internal static class MailTokenProviderSettingsValidator
{
    private static readonly string[] MultiTenantAliases = { "common", "organizations", "consumers" };

    public static IReadOnlyList<MailSettingsFailure> Validate(MailTokenProviderSettings settings)
    {
        var failures = new List<MailSettingsFailure>();
        void Fail(string setting, string message) => failures.Add(new MailSettingsFailure(setting, message));
        static string K(string setting) => MailSettingsFailure.Key(setting);
        static string V(string? value) => MailSettingsFailure.Value(value);

        var cloud = ResolveCloud(settings, failures) ?? MailCloud.Global;

        if (settings.Flow is not { } flow)
        {
            Fail("Flow", $"{K("Flow")} is missing: use ClientSecret or ClientCertificate (app-only), ManagedIdentity (app-only, running in Azure), WorkloadIdentity (app-only, Kubernetes or CI with federated credentials), or DeviceCode or InteractiveBrowser (a user signs in once).");
        }
        else if (!Enum.IsDefined(typeof(MailTokenFlow), flow))
        {
            Fail("Flow", $"{K("Flow")} {V(flow.ToString())} is not a flow: use ClientSecret, ClientCertificate, ManagedIdentity, WorkloadIdentity, DeviceCode or InteractiveBrowser.");
        }

        if (settings.Flow == MailTokenFlow.ManagedIdentity)
        {
            ValidateManagedIdentity(settings, cloud, Fail);
        }
        else if (settings.Flow == MailTokenFlow.WorkloadIdentity && string.IsNullOrWhiteSpace(settings.ClientId) && string.IsNullOrWhiteSpace(WorkloadEnvironment().ClientId))
        {
            Fail("ClientId", $"{K("ClientId")} is missing: use the Application (client) ID of the app registration (or user-assigned managed identity) whose federated credential trusts this workload, or set the environment variable AZURE_CLIENT_ID (the Azure Workload Identity webhook sets it from the service account's annotation).");
        }
        else if (string.IsNullOrWhiteSpace(settings.ClientId) && settings.Flow != MailTokenFlow.WorkloadIdentity)
        {
            Fail("ClientId", $"{K("ClientId")} is missing: use the Application (client) ID from the app registration's Overview page in the Microsoft Entra admin center (a GUID).");
        }
        else if (!string.IsNullOrWhiteSpace(settings.ClientId) && !Guid.TryParse(settings.ClientId!.Trim(), out _))
        {
            Fail("ClientId", $"{K("ClientId")} {V(settings.ClientId)} is not a GUID: use the Application (client) ID from the app registration's Overview page, not the application's name.");
        }

        if (settings.Flow is MailTokenFlow.ClientSecret or MailTokenFlow.ClientCertificate or MailTokenFlow.WorkloadIdentity)
        {
            ValidateAppOnly(settings, cloud, Fail);
        }

        if (settings.AuthorityHost is { } host && (!host.IsAbsoluteUri || host.Scheme != Uri.UriSchemeHttps))
        {
            Fail("AuthorityHost", $"{K("AuthorityHost")} {V(host.OriginalString)} must be an absolute https URI such as https://login.microsoftonline.com.");
        }

        FileMustExist(settings.AuthorityCertificatePath, "AuthorityCertificatePath", Fail);

        if (settings.RedirectUri is { } redirect && !InteractiveBrowserTokenProvider.IsLoopbackRedirect(redirect))
        {
            Fail("RedirectUri", $"{K("RedirectUri")} {V(redirect.OriginalString)} must be an http loopback address registered on the app registration: http://localhost (any free port), http://localhost:PORT or http://127.0.0.1.");
        }

        if (settings.SignInTimeout is { } signInTimeout && signInTimeout <= TimeSpan.Zero)
        {
            Fail("SignInTimeout", $"{K("SignInTimeout")} must be positive (for example 00:05:00).");
        }

        if (settings.NetworkTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            Fail("NetworkTimeout", $"{K("NetworkTimeout")} must be positive (for example 00:00:30).");
        }

        if (settings.RefreshMargin is { } margin && margin < TimeSpan.Zero)
        {
            Fail("RefreshMargin", $"{K("RefreshMargin")} cannot be negative (for example 00:05:00).");
        }

        if (!string.IsNullOrWhiteSpace(settings.Mailbox) && !IsAddress(settings.Mailbox!))
        {
            Fail("Mailbox", $"{K("Mailbox")} {V(settings.Mailbox)} is not an email address: use the mailbox's SMTP address, such as shared@contoso.com.");
        }

        if (!string.IsNullOrWhiteSpace(settings.Username) && !IsAddress(settings.Username!))
        {
            Fail("Username", $"{K("Username")} {V(settings.Username)} is not a user name: use the account's sign-in address, such as adele@contoso.com.");
        }

        return failures;
    }

    /// <summary>The settings' cloud with its overrides, or <see langword="null"/> (with failures added) when they are invalid.</summary>
    public static MailCloud? ResolveCloud(MailTokenProviderSettings settings, List<MailSettingsFailure>? failures = null)
    {
        var ok = true;
        void Fail(string setting, string message)
        {
            ok = false;
            failures?.Add(new MailSettingsFailure(setting, message));
        }

        static string K(string setting) => MailSettingsFailure.Key(setting);
        var cloud = MailCloud.Global;
        if (!string.IsNullOrWhiteSpace(settings.Cloud) && !MailCloud.TryGetWellKnown(settings.Cloud, out cloud))
        {
            Fail("Cloud", $"{K("Cloud")} {MailSettingsFailure.Value(settings.Cloud)} is not a known cloud: use Global, PersonalAccounts, UsGovernmentHigh, UsGovernmentDod or China.");
            cloud = MailCloud.Global;
        }

        if (Server(settings.ImapServer, cloud.Imap, "ImapServer", Fail) is { } imap)
        {
            cloud = cloud with { Imap = imap };
        }

        if (Server(settings.PopServer, cloud.Pop, "PopServer", Fail) is { } pop)
        {
            cloud = cloud with { Pop = pop };
        }

        if (Server(settings.SmtpServer, cloud.Smtp, "SmtpServer", Fail) is { } smtp)
        {
            cloud = cloud with { Smtp = smtp };
        }

        if (!string.IsNullOrWhiteSpace(settings.EwsUrl))
        {
            if (Uri.TryCreate(settings.EwsUrl!.Trim(), UriKind.Absolute, out var ews) && (ews.Scheme == Uri.UriSchemeHttps || ews.Scheme == Uri.UriSchemeHttp))
            {
                cloud = cloud with { Ews = ews };
            }
            else
            {
                Fail("EwsUrl", $"{K("EwsUrl")} {MailSettingsFailure.Value(settings.EwsUrl)} is not an http(s) URL, for example https://outlook.office365.com/EWS/Exchange.asmx.");
            }
        }

        if (!string.IsNullOrWhiteSpace(settings.GraphUrl))
        {
            if (Uri.TryCreate(settings.GraphUrl!.Trim(), UriKind.Absolute, out var graph) && (graph.Scheme == Uri.UriSchemeHttps || graph.Scheme == Uri.UriSchemeHttp))
            {
                cloud = cloud with { Graph = new Uri(graph.GetLeftPart(UriPartial.Authority)) };
            }
            else
            {
                Fail("GraphUrl", $"{K("GraphUrl")} {MailSettingsFailure.Value(settings.GraphUrl)} is not an http(s) URL, for example https://graph.microsoft.us.");
            }
        }

        return ok ? cloud : null;
    }

    private static MailServerEndpoint? Server(string? value, MailServerEndpoint current, string setting, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value!.Trim();
        var colon = text.LastIndexOf(':');
        var host = colon > 0 ? text.Substring(0, colon) : text;
        var port = current.Port;
        if (colon > 0 && (!int.TryParse(text.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            fail(setting, $"{MailSettingsFailure.Key(setting)} {MailSettingsFailure.Value(value)} is not host[:port] with a port from 1 to 65535, for example smtp.office365.com:587.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(host) || host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            fail(setting, $"{MailSettingsFailure.Key(setting)} {MailSettingsFailure.Value(value)} has no valid host name: use host[:port], for example smtp.office365.com:587.");
            return null;
        }

        return current with { Host = host, Port = port };
    }

    private static void ValidateAppOnly(MailTokenProviderSettings settings, MailCloud cloud, Action<string, string> fail)
    {
        static string K(string setting) => MailSettingsFailure.Key(setting);
        if (!cloud.SupportsAppOnly)
        {
            fail("Cloud", $"{K("Cloud")} is {cloud.Name}, which has no app-only access (personal accounts only sign in as a user): use {K("Flow")} DeviceCode or InteractiveBrowser.");
        }

        var tenantId = settings.Flow == MailTokenFlow.WorkloadIdentity && string.IsNullOrWhiteSpace(settings.TenantId) ? WorkloadEnvironment().TenantId : settings.TenantId;
        if (string.IsNullOrWhiteSpace(tenantId) && settings.Flow == MailTokenFlow.WorkloadIdentity)
        {
            fail("TenantId", $"{K("TenantId")} is missing: use the Directory (tenant) ID of the app registration (a GUID) or a verified domain, or set the environment variable AZURE_TENANT_ID (the Azure Workload Identity webhook sets it).");
        }
        else if (string.IsNullOrWhiteSpace(tenantId))
        {
            fail("TenantId", $"{K("TenantId")} is missing: use the Directory (tenant) ID from the app registration's Overview page (a GUID) or a verified domain such as contoso.onmicrosoft.com.");
        }
        else if (MultiTenantAliases.Contains(tenantId!.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            fail("TenantId", $"{K("TenantId")} is {MailSettingsFailure.Value(tenantId)}: app-only flows need one specific tenant. Use the Directory (tenant) ID (a GUID) or a verified domain such as contoso.onmicrosoft.com.");
        }

        if (settings.Flow == MailTokenFlow.WorkloadIdentity)
        {
            ValidateWorkloadIdentity(settings, fail);
        }
        else if (settings.Flow == MailTokenFlow.ClientSecret)
        {
            var hasSecret = !string.IsNullOrWhiteSpace(settings.ClientSecret);
            var hasFile = !string.IsNullOrWhiteSpace(settings.ClientSecretFile);
            if (!hasSecret && !hasFile)
            {
                fail("ClientSecret", $"{K("ClientSecret")} is missing: use the secret's Value (not its Secret ID) from Certificates & secrets, kept out of files in source control (an environment variable or a secret store), or name a file that holds it with {K("ClientSecretFile")}.");
            }
            else if (hasSecret && hasFile)
            {
                fail("ClientSecretFile", $"{K("ClientSecret")} and {K("ClientSecretFile")} are both given: give one.");
            }
            else if (hasSecret && Guid.TryParse(settings.ClientSecret!.Trim(), out _))
            {
                fail("ClientSecret", $"{K("ClientSecret")} looks like a GUID: that is the secret's Secret ID, not its Value. Copy the Value (shown once, when the secret is created) from Certificates & secrets, or create a new secret.");
            }

            FileMustExist(settings.ClientSecretFile, "ClientSecretFile", fail);
        }
        else
        {
            ValidateCertificate(settings, fail);
        }
    }

    private static void ValidateManagedIdentity(MailTokenProviderSettings settings, MailCloud cloud, Action<string, string> fail)
    {
        static string K(string setting) => MailSettingsFailure.Key(setting);
        if (!cloud.SupportsAppOnly)
        {
            fail("Cloud", $"{K("Cloud")} is {cloud.Name}, which has no app-only access (personal accounts only sign in as a user): a managed identity cannot read personal mailboxes; use {K("Flow")} DeviceCode.");
        }

        if (!string.IsNullOrWhiteSpace(settings.ClientId))
        {
            fail("ClientId", $"{K("ClientId")} is not used with {K("Flow")} ManagedIdentity (it names an app registration): put a user-assigned identity's client id in {K("ManagedIdentityClientId")}, or remove it for the system-assigned identity.");
        }

        var hasClientId = !string.IsNullOrWhiteSpace(settings.ManagedIdentityClientId);
        if (hasClientId && !string.IsNullOrWhiteSpace(settings.ManagedIdentityResourceId))
        {
            fail("ManagedIdentityResourceId", $"{K("ManagedIdentityClientId")} and {K("ManagedIdentityResourceId")} are both given: name the user-assigned identity one way, or give neither for the system-assigned identity.");
        }

        if (hasClientId && !Guid.TryParse(settings.ManagedIdentityClientId!.Trim(), out _))
        {
            fail("ManagedIdentityClientId", $"{K("ManagedIdentityClientId")} {MailSettingsFailure.Value(settings.ManagedIdentityClientId)} is not a GUID: use the Client ID on the user-assigned managed identity's Overview page (not its name or object id), or leave it empty for the system-assigned identity.");
        }

        if (!string.IsNullOrWhiteSpace(settings.ManagedIdentityResourceId) &&
            settings.ManagedIdentityResourceId!.Trim().IndexOf("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/", StringComparison.OrdinalIgnoreCase) < 0)
        {
            fail("ManagedIdentityResourceId", $"{K("ManagedIdentityResourceId")} {MailSettingsFailure.Value(settings.ManagedIdentityResourceId)} is not a user-assigned identity's resource id: use /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name> (the identity's Properties page).");
        }

        if (HasSecretOrCertificate(settings))
        {
            fail("Flow", $"{K("Flow")} is ManagedIdentity, which uses no secret or certificate, yet one is configured: remove it, or choose {K("Flow")} ClientSecret or ClientCertificate.");
        }
    }

    private static void ValidateWorkloadIdentity(MailTokenProviderSettings settings, Action<string, string> fail)
    {
        static string K(string setting) => MailSettingsFailure.Key(setting);
        var file = string.IsNullOrWhiteSpace(settings.FederatedTokenFile) ? WorkloadEnvironment().TokenFile : settings.FederatedTokenFile;
        if (settings.FederatedTokenCallback is not null && !string.IsNullOrWhiteSpace(settings.FederatedTokenFile))
        {
            fail("FederatedTokenFile", $"{K("FederatedTokenFile")} and a token callback are both given: give one.");
        }
        else if (settings.FederatedTokenCallback is null && string.IsNullOrWhiteSpace(file))
        {
            fail("FederatedTokenFile", $"{K("FederatedTokenFile")} is missing: name the file that holds the workload's OIDC token, or set AZURE_FEDERATED_TOKEN_FILE (in Kubernetes the Azure Workload Identity webhook sets it when the pod is labelled azure.workload.identity/use: \"true\").");
        }
        else if (settings.FederatedTokenCallback is null)
        {
            FileMustExist(file, "FederatedTokenFile", fail);
        }

        if (HasSecretOrCertificate(settings))
        {
            fail("Flow", $"{K("Flow")} is WorkloadIdentity, which proves the application with the federated token, yet a secret or certificate is configured: remove it, or choose {K("Flow")} ClientSecret or ClientCertificate.");
        }
    }

    private static bool HasSecretOrCertificate(MailTokenProviderSettings settings) =>
        !string.IsNullOrWhiteSpace(settings.ClientSecret) || !string.IsNullOrWhiteSpace(settings.ClientSecretFile) ||
        !string.IsNullOrWhiteSpace(settings.CertificatePath) || !string.IsNullOrWhiteSpace(settings.CertificateThumbprint);

    /// <summary>What the Azure Workload Identity webhook (and Azure.Identity's WorkloadIdentityCredential) reads from the environment.</summary>
    internal static (string? TenantId, string? ClientId, string? TokenFile) WorkloadEnvironment() =>
        (Environment.GetEnvironmentVariable("AZURE_TENANT_ID"), Environment.GetEnvironmentVariable("AZURE_CLIENT_ID"), Environment.GetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE"));

    private static void ValidateCertificate(MailTokenProviderSettings settings, Action<string, string> fail)
    {
        static string K(string setting) => MailSettingsFailure.Key(setting);
        var hasPath = !string.IsNullOrWhiteSpace(settings.CertificatePath);
        var hasThumbprint = !string.IsNullOrWhiteSpace(settings.CertificateThumbprint);
        var sources = (hasPath ? 1 : 0) + (hasThumbprint ? 1 : 0) + (settings.Certificate is null ? 0 : 1);
        if (sources == 0)
        {
            fail("CertificatePath", $"{K("CertificatePath")} or {K("CertificateThumbprint")} is missing: give a PFX or PEM file, or the thumbprint of a certificate (with its private key) in the certificate store.");
        }
        else if (sources > 1)
        {
            fail("CertificatePath", $"{K("CertificatePath")} and {K("CertificateThumbprint")} are both given: give one certificate source.");
        }

        FileMustExist(settings.CertificatePath, "CertificatePath", fail);
        FileMustExist(settings.CertificateKeyPath, "CertificateKeyPath", fail);

        if (hasThumbprint)
        {
            var hex = settings.CertificateThumbprint!.Count(Uri.IsHexDigit);
            var other = settings.CertificateThumbprint!.Count(c => !Uri.IsHexDigit(c) && c != ' ' && c != ':');
            if (hex != 40 || other != 0)
            {
                fail("CertificateThumbprint", $"{K("CertificateThumbprint")} is not a SHA-1 thumbprint: use the 40 hex digits shown under Certificates & secrets or by the certificate store.");
            }

            if (!Enum.IsDefined(typeof(StoreLocation), settings.CertificateStoreLocation))
            {
                fail("CertificateStoreLocation", $"{K("CertificateStoreLocation")} must be CurrentUser or LocalMachine.");
            }
        }
    }

    private static void FileMustExist(string? path, string setting, Action<string, string> fail)
    {
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
        {
            fail(setting, $"{MailSettingsFailure.Key(setting)} {MailSettingsFailure.Value(path)} does not exist (a relative path is resolved from {Directory.GetCurrentDirectory()}).");
        }
    }

    private static bool IsAddress(string value)
    {
        var text = value.Trim();
        var at = text.IndexOf('@');
        return at > 0 && at < text.Length - 1 && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
    }
}
