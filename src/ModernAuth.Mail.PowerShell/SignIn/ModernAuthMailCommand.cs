using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.PowerShell.Engine.Logging;
using ModernAuth.Mail.PowerShell.Engine.SignIn;
using ModernAuth.Mail.PowerShell.Errors;
using ModernAuth.Mail.Profiles;

namespace ModernAuth.Mail.PowerShell.SignIn;

/// <summary>
/// What every cmdlet that signs in shares: the sign-in parameters (named as the settings they set, see
/// docs/configuration.md), the profile, turning them into <see cref="MailTokenProviderSettings"/>, and running the
/// engine's asynchronous work while its steps reach the verbose stream on the pipeline thread.
/// </summary>
public abstract class ModernAuthMailCommand : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// <para type="description">The Directory (tenant) ID of the app registration (a GUID) or a verified domain such as contoso.onmicrosoft.com. Required for -ClientSecret, -CertificateThumbprint and -CertificatePath (unless the profile has it); optional for -DeviceCode and -Interactive; for -WorkloadIdentity the default is the AZURE_TENANT_ID environment variable; -ManagedIdentity needs none.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>
    /// <para type="description">The Application (client) ID of the app registration (a GUID), from its Overview page in the Microsoft Entra admin center. Required unless the profile has it; for -WorkloadIdentity the default is the AZURE_CLIENT_ID environment variable; not used with -ManagedIdentity (a user-assigned identity is named with -ManagedIdentityClientId).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    /// <summary>
    /// <para type="description">Signs in as the app with a client secret: its Value (not its Secret ID) as a SecureString, for example from Get-Secret, Read-Host -AsSecureString or Import-Clixml. Never shown or logged. With -Profile it may complete a profile whose flow is a secret; without it a profile's secret comes from "clientSecretFile" or the MODERNAUTH_MAIL_CLIENT_SECRET environment variable.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.ClientSecret)]
    [Parameter(ParameterSetName = SignInParameterSets.Profile)]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    /// <summary>
    /// <para type="description">Signs in as the app with a certificate (and its private key) from the certificate store, by its SHA-1 thumbprint (40 hex digits). The store is -CertificateStoreLocation's "My" store.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.CertificateThumbprint)]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }

    /// <summary>
    /// <para type="description">Where -CertificateThumbprint looks: CurrentUser (the default) or LocalMachine (a scheduled task running as SYSTEM or a service account usually needs LocalMachine, with read access to the private key).</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.CertificateThumbprint)]
    public StoreLocation CertificateStoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>
    /// <para type="description">Signs in as the app with a certificate file: a .pfx/.p12 file (with -CertificatePassword when it has one) or a PEM certificate (with -CertificateKeyPath unless the key is in the same file). A relative path is resolved from the current location.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.CertificatePath)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary>
    /// <para type="description">The password of the -CertificatePath PFX file, as a SecureString. Never shown or logged.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.CertificatePath)]
    [ValidateNotNull]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>
    /// <para type="description">The unencrypted PEM private key of a PEM -CertificatePath, when the key is not in the certificate file.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.CertificatePath)]
    [ValidateNotNullOrEmpty]
    public string? CertificateKeyPath { get; set; }

    /// <summary>
    /// <para type="description">Signs in as a user with a device code: the first run shows a code to enter at the sign-in page (on the information stream); the sign-in is then kept in the token cache, so later runs (a scheduled task as the same account) sign in silently.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.DeviceCode)]
    public SwitchParameter DeviceCode { get; set; }

    /// <summary>
    /// <para type="description">Signs in as a user in the system browser (a loopback redirect with PKCE): the first run opens the sign-in page, where a tenant's Conditional Access or MFA apply; the sign-in is then kept in the token cache, so later runs as the same account are silent. Needs a public client app registration (-ClientId) with the redirect URI http://localhost under "Mobile and desktop applications". Where no browser can be started (a server, a container, SSH) it stops with browser_unavailable: use -DeviceCode there.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.Interactive)]
    public SwitchParameter Interactive { get; set; }

    /// <summary>
    /// <para type="description">The loopback redirect URI registered on the app registration for -Interactive: http://localhost (the default, any free port), http://localhost:PORT or http://127.0.0.1.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.Interactive)]
    [ValidateNotNull]
    public Uri? RedirectUri { get; set; }

    /// <summary>
    /// <para type="description">How long the person has to finish the -Interactive sign-in in the browser before the command stops with sign_in_timed_out. Default 00:05:00.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.Interactive)]
    public TimeSpan? SignInTimeout { get; set; }

    /// <summary>
    /// <para type="description">Signs in as the Azure resource's managed identity (a VM, App Service, Functions, Container Apps, AKS, an Azure Arc server, Cloud Shell): no secret, certificate, -TenantId or -ClientId. Alias -Identity, as Connect-AzAccount. The system-assigned identity unless -ManagedIdentityClientId or -ManagedIdentityResourceId names a user-assigned one. The identity's service principal needs the Exchange permission and access to the mailbox, as any app.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.ManagedIdentity)]
    [Alias("Identity")]
    public SwitchParameter ManagedIdentity { get; set; }

    /// <summary>
    /// <para type="description">With -ManagedIdentity: the client id (a GUID, from its Overview page) of a user-assigned managed identity assigned to the resource. Default: the system-assigned identity.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.ManagedIdentity)]
    [ValidateNotNullOrEmpty]
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// <para type="description">With -ManagedIdentity: the Azure resource id of a user-assigned managed identity (/subscriptions/.../providers/Microsoft.ManagedIdentity/userAssignedIdentities/name), instead of -ManagedIdentityClientId.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.ManagedIdentity)]
    [ValidateNotNullOrEmpty]
    public string? ManagedIdentityResourceId { get; set; }

    /// <summary>
    /// <para type="description">Signs in as the app with workload identity federation: a federated (OIDC) token from Kubernetes, a CI system or another identity provider proves the app registration, which trusts it through a federated credential; no secret. -TenantId, -ClientId and -FederatedTokenFile default to AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE, which the Azure Workload Identity webhook sets in a pod.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SignInParameterSets.WorkloadIdentity)]
    public SwitchParameter WorkloadIdentity { get; set; }

    /// <summary>
    /// <para type="description">With -WorkloadIdentity: the file that holds the federated token, read again for every token request so a rotated token is used at once. Default: the AZURE_FEDERATED_TOKEN_FILE environment variable. A relative path is resolved from the current location.</para>
    /// </summary>
    [Parameter(ParameterSetName = SignInParameterSets.WorkloadIdentity)]
    [ValidateNotNullOrEmpty]
    public string? FederatedTokenFile { get; set; }

    /// <summary>
    /// <para type="description">The Microsoft cloud: Global (the default), PersonalAccounts (Outlook.com; device code only), UsGovernmentHigh, UsGovernmentDod or China.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Cloud { get; set; }

    /// <summary>
    /// <para type="description">A named profile of the modernauth-mail tool's profiles file (~/.config/modernauth-mail/profiles.json, or -ProfilePath): its settings are used wherever a parameter does not give one. Without -Profile the MODERNAUTH_MAIL_PROFILE environment variable, then the file's "defaultProfile", are used, as the tool does.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Profile { get; set; }

    /// <summary>
    /// <para type="description">The profiles file. Default: the MODERNAUTH_MAIL_CONFIG environment variable, else ~/.config/modernauth-mail/profiles.json ($XDG_CONFIG_HOME if set), the file the modernauth-mail tool reads.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfilePath { get; set; }

    /// <summary>How each setting is named to this cmdlet's user: the parameter when there is one.</summary>
    internal virtual string DescribeSetting(string setting) => setting switch
    {
        "TenantId" or "ClientId" or "ClientSecret" or "CertificateThumbprint" or "CertificateStoreLocation" or "CertificatePath" or "CertificatePassword" or "CertificateKeyPath" or "Cloud"
            or "ManagedIdentityClientId" or "ManagedIdentityResourceId" or "FederatedTokenFile" or "RedirectUri" or "SignInTimeout" => "-" + setting,
        "Flow" => $"the sign-in ({SignInParameterSets.Describe()})",
        "ClientSecretFile" => "\"clientSecretFile\" in the profile",
        _ => $"\"{ProfileKeys.ProfileKey(setting)}\" in the profile",
    };

    /// <summary>
    /// The settings from the parameters over the profile. Validated: failures become one terminating error naming each
    /// parameter or profile key.
    /// </summary>
    internal MailTokenProviderSettings ResolveSettings()
    {
        var settings = new MailTokenProviderSettings();
        var given = new List<string>();
        void Set(string setting, string? value, Action<string> assign)
        {
            if (value is not null)
            {
                assign(value);
                given.Add(setting);
            }
        }

        Set("TenantId", TenantId, v => settings.TenantId = v);
        Set("ClientId", ClientId, v => settings.ClientId = v);
        Set("Cloud", Cloud, v => settings.Cloud = v);
        // Each sign-in parameter is null unless its set was chosen; the set's row (SignInParameterSets.Flows) gives the flow.
        if (CertificateThumbprint is not null)
        {
            settings.CertificateThumbprint = CertificateThumbprint;
            settings.CertificateStoreLocation = CertificateStoreLocation;
        }

        settings.CertificatePath = CertificatePath is null ? null : ProviderPath(CertificatePath);
        settings.CertificateKeyPath = CertificateKeyPath is null ? null : ProviderPath(CertificateKeyPath);
        settings.CertificatePassword = CertificatePassword is null ? null : Plain(CertificatePassword);
        if (ManagedIdentityClientId is not null || ManagedIdentityResourceId is not null)
        {
            // One way of naming the user-assigned identity: a profile's other way must not be added to it.
            settings.ManagedIdentityClientId = ManagedIdentityClientId;
            settings.ManagedIdentityResourceId = ManagedIdentityResourceId;
            given.AddRange(new[] { "ManagedIdentityClientId", "ManagedIdentityResourceId" });
        }

        Set("FederatedTokenFile", FederatedTokenFile is null ? null : ProviderPath(FederatedTokenFile), v => settings.FederatedTokenFile = v);
        if (RedirectUri is not null)
        {
            settings.RedirectUri = RedirectUri;
            given.Add("RedirectUri");
        }

        if (SignInTimeout is { } signInTimeout)
        {
            settings.SignInTimeout = signInTimeout;
            given.Add("SignInTimeout");
        }
        if (SignInParameterSets.Find(ParameterSetName) is { } signIn)
        {
            settings.Flow = signIn.Flow;
            given.Add("Flow");
            given.AddRange(signIn.Settings);
        }

        if (ClientSecret is not null)
        {
            settings.ClientSecret = Plain(ClientSecret);
            settings.Flow ??= MailTokenFlow.ClientSecret;
            given.AddRange(new[] { "ClientSecret", "ClientSecretFile" });
        }

        var profile = LoadProfile();
        if (profile is null && settings.Flow is null && NonEmpty(Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET")) is null)
        {
            // Nothing says how to sign in. A device code sign-in is never guessed here: it waits for a person, and a
            // scheduled task has none.
            throw new CmdletFailure(
                MailErrorCodes.InvalidConfiguration,
                "No sign-in was given.",
                "Sign in as an app with -TenantId and -ClientId plus -ClientSecret, -CertificateThumbprint or -CertificatePath; on Azure with -ManagedIdentity; with federated credentials with -WorkloadIdentity; as a user with -ClientId -DeviceCode or -ClientId -Interactive; or name a profile of the modernauth-mail tool with -Profile.",
                ErrorCategory.InvalidArgument);
        }

        try
        {
            profile?.ApplyTo(settings, given);
        }
        catch (ProfileException error)
        {
            throw new CmdletFailure("profile_invalid", error.Message, "Correct the profile (docs/configuration.md lists the keys).", ErrorCategory.InvalidData);
        }

        settings.Flow ??= InferFlow(settings);
        if (settings.Flow == MailTokenFlow.ClientSecret && settings.ClientSecret is null && settings.ClientSecretFile is null
            && NonEmpty(Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET")) is { } fromEnvironment)
        {
            settings.ClientSecret = fromEnvironment;
        }

        if (MailTokenProviderSettings.IsAppOnlyFlow(settings.Flow) == false)
        {
            settings.Username ??= settings.Mailbox;
        }

        Configure(settings);
        RequireReadableStore(settings);
        var failures = settings.Validate();
        if (failures.Count > 0)
        {
            throw new CmdletFailure(
                MailErrorCodes.InvalidConfiguration,
                string.Join(" ", failures.Select(f => f.Format(DescribeSetting))),
                "Correct the parameters or profile keys named above.",
                ErrorCategory.InvalidArgument);
        }

        return settings;
    }

    /// <summary>Lets a cmdlet add its own settings (its -Mailbox, -SmtpServer) after the profile.</summary>
    internal virtual void Configure(MailTokenProviderSettings settings)
    {
    }

    /// <summary>The provider for the settings, with the libraries' logs on the verbose stream.</summary>
    internal static MailTokenProvider CreateProvider(MailTokenProviderSettings settings, EngineLog log) => ProviderBuilder.Create(settings, log);

    /// <summary>
    /// Runs the engine's work on the thread pool and, meanwhile, writes its verbose and information messages on this
    /// (the pipeline's) thread, where PowerShell requires them. Ctrl+C (StopProcessing) cancels it.
    /// </summary>
    internal T Run<T>(Func<EngineLog, CancellationToken, Task<T>> work)
    {
        using var messages = new BlockingCollection<Action>();
        var log = new EngineLog(
            text => Post(messages, () => WriteVerbose(text)),
            text => Post(messages, () => WriteInformation(new HostInformationMessage { Message = text }, new[] { "PSHOST" })));
        var task = Task.Run(() => work(log, _stopping.Token));
        task.ContinueWith(_ => messages.CompleteAdding(), TaskScheduler.Default);
        foreach (var write in messages.GetConsumingEnumerable())
        {
            write();
        }

        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Turns any failure into a PowerShell error: terminating (<see cref="Cmdlet.ThrowTerminatingError"/>) or not.</summary>
    internal void Fail(Exception error, object? target, bool terminating)
    {
        if (error is OperationCanceledException && _stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        var record = ErrorRecords.From(error, target);
        if (terminating)
        {
            ThrowTerminatingError(record);
        }

        WriteError(record);
    }

    /// <summary>A path as PowerShell's current location sees it (relative to Get-Location, not the process).</summary>
    internal string ProviderPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    private Profile? LoadProfile()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        try
        {
            return ProfileStore.Load(ProfilePath is null ? null : ProviderPath(ProfilePath), Profile, Environment.GetEnvironmentVariable, home, "-ProfilePath");
        }
        catch (ProfileException error)
        {
            throw new CmdletFailure("profile_invalid", error.Message, "Correct the profiles file or the profile name (see docs/cli.md, \"Profiles\").", ErrorCategory.InvalidData);
        }
    }

    /// <summary>
    /// On Linux .NET opens only the Root and CertificateAuthority stores of LocalMachine, never "My": say so (and what to
    /// use instead) before anything signs in, whether -CertificateStoreLocation or a profile asked for it.
    /// </summary>
    private static void RequireReadableStore(MailTokenProviderSettings settings)
    {
        if (settings.Flow == MailTokenFlow.ClientCertificate && settings.CertificatePath is null && settings.CertificateThumbprint is not null
            && settings.CertificateStoreLocation == StoreLocation.LocalMachine && RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            throw new CmdletFailure(
                MailErrorCodes.CertificateUnavailable,
                $"-CertificateStoreLocation LocalMachine cannot be read on Linux: .NET has no LocalMachine\\{settings.CertificateStoreName} store there (only Root and CertificateAuthority), so the certificate {settings.CertificateThumbprint} cannot be found in it.",
                "On Linux use -CertificateStoreLocation CurrentUser (the store of the account that runs the script) or -CertificatePath with the PFX or PEM file. LocalMachine is for Windows.",
                ErrorCategory.ResourceUnavailable);
        }
    }

    /// <summary>A profile without "flow" (or the secret in the environment): the flow its settings point to, as the tool infers it.</summary>
    private static MailTokenFlow InferFlow(MailTokenProviderSettings settings) =>
        settings.CertificatePath is not null || settings.CertificateThumbprint is not null ? MailTokenFlow.ClientCertificate
        : settings.ClientSecretFile is not null || NonEmpty(Environment.GetEnvironmentVariable("MODERNAUTH_MAIL_CLIENT_SECRET")) is not null ? MailTokenFlow.ClientSecret
        : MailTokenFlow.DeviceCode;

    private static string Plain(SecureString secret) => new NetworkCredential(string.Empty, secret).Password;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    private static void Post(BlockingCollection<Action> messages, Action write)
    {
        try
        {
            messages.Add(write);
        }
        catch (Exception error) when (error is InvalidOperationException or ObjectDisposedException)
        {
            // The work has finished: a late message (a background token refresh) has nowhere to go.
        }
    }
}
