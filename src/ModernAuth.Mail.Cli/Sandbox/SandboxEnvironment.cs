using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ModernAuth.Mail.Shared;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Cli.Sandbox;

/// <summary>
/// <c>--sandbox</c>: a fake Entra ID started by the tool itself (HTTPS loopback, signing with the local servers' key
/// and kid from servers.json, so Dovecot and Postfix accept its tokens), one built-in app registration per flow, the
/// user <c>adele@contoso.test</c>, and the local servers' ports with their self-signed certificate trusted. EWS is a
/// loopback <see cref="FakeEwsServer"/> the tool starts too (it accepts the fake Entra ID's tokens), with a mailbox for
/// the work user; its certificate is trusted by <see cref="EwsTransport"/>.
/// </summary>
internal sealed class SandboxEnvironment : IAsyncDisposable
{
    /// <summary>The built-in app registration for the client secret flow.</summary>
    public const string SecretAppId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";

    /// <summary>The built-in app registration for the client certificate flow.</summary>
    public const string CertificateAppId = "0d6c3a9e-51f4-4c1b-8a77-2f3e4d5c6b7a";

    /// <summary>The built-in public client for the device code flow (work accounts and personal accounts).</summary>
    public const string PublicAppId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";

    /// <summary>The built-in app registration for the workload identity flow (it trusts <see cref="FederatedIssuer"/>).</summary>
    public const string WorkloadAppId = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";

    /// <summary>The issuer of the sandbox's federated token (as a Kubernetes cluster's OIDC issuer would be).</summary>
    public const string FederatedIssuer = "https://oidc.sandbox.modernauth-mail.test/cluster/";

    /// <summary>The subject of the sandbox's federated token (a Kubernetes service account).</summary>
    public const string FederatedSubject = "system:serviceaccount:mail:modernauth-mail";

    /// <summary>The work account the device code flow signs in.</summary>
    public const string User = "adele@contoso.test";

    /// <summary>The personal account (consumers tenant) the device code flow signs in with <c>--cloud personal</c>.</summary>
    public const string PersonalUser = "megan@outlook.test";

    /// <summary>
    /// The built-in app's client secret. It is no secret: it only opens the fake Entra ID this process starts, and it is
    /// never printed. A MODERNAUTH_MAIL_CLIENT_SECRET or --client-secret-file replaces it (a wrong one is refused).
    /// </summary>
    internal const string BuiltInSecret = "sandbox-secret-7c1e0f3a-known-to-the-fake-entra-id-only";

    private readonly RSA _signingKey;
    private string? _federatedTokenFile;

    private SandboxEnvironment(TestServers servers, RSA signingKey, FakeEntraId entra, FakeEntraIdServer server, FakeEwsServer ews, FakeGraph graph, FakeGraphServer graphServer, X509Certificate2 appCertificate)
    {
        Ews = ews;
        EwsTransport = ews.CreateTrustingHandler();
        Graph = graph;
        GraphServer = graphServer;
        GraphTransport = graphServer.CreateTrustingHandler();
        Servers = servers;
        _signingKey = signingKey;
        Entra = entra;
        Browser = new FakeBrowser(entra);
        Server = server;
        AppCertificate = appCertificate;
        Cloud = MailCloud.Global with
        {
            Name = "Sandbox",
            Imap = new MailServerEndpoint(servers.Host, servers.ImapsPort, MailTlsMode.Implicit),
            Pop = new MailServerEndpoint(servers.Host, servers.Pop3sPort, MailTlsMode.Implicit),
            Smtp = new MailServerEndpoint(servers.Host, servers.SubmissionPort, MailTlsMode.StartTls),
            Ews = ews.Endpoint,
            Graph = graphServer.BaseAddress,
        };
        PersonalCloud = MailCloud.PersonalAccounts with
        {
            Name = "SandboxPersonal",
            Imap = Cloud.Imap,
            Pop = Cloud.Pop,
            Smtp = Cloud.Smtp,
            Graph = graphServer.BaseAddress,
        };
    }

    public TestServers Servers { get; }

    /// <summary>
    /// A federated token file for the workload identity flow, written for this run (as the kubelet projects one into a
    /// pod) and deleted when the sandbox ends.
    /// </summary>
    public string FederatedTokenFile => _federatedTokenFile ??= WriteFederatedToken();

    /// <summary>
    /// Sends the managed identity's IMDS requests (169.254.169.254) to the sandbox's fake Entra ID over
    /// <paramref name="transport"/>; every other request goes through unchanged.
    /// </summary>
    public HttpMessageHandler RouteManagedIdentity(HttpMessageHandler transport) => new ImdsRoute(transport, Server.BaseAddress);

    public FakeEntraId Entra { get; }

    /// <summary>The scripted browser the interactive flow opens instead of the system browser.</summary>
    public FakeBrowser Browser { get; }

    /// <summary>The sandbox's fake Microsoft Graph (mailboxes of the work and the personal user).</summary>
    public FakeGraph Graph { get; }

    /// <summary>The HTTPS server of <see cref="Graph"/>: the Graph endpoint of <see cref="Cloud"/> and the personal cloud.</summary>
    public FakeGraphServer GraphServer { get; }

    /// <summary>A handler that trusts exactly <see cref="GraphServer"/>'s certificate, owned by the sandbox.</summary>
    public HttpMessageHandler GraphTransport { get; }

    public FakeEntraIdServer Server { get; }

    /// <summary>The sandbox's EWS endpoint (the default EWS URL of <see cref="Cloud"/>).</summary>
    public FakeEwsServer Ews { get; }

    /// <summary>A handler that trusts exactly <see cref="Ews"/>'s certificate, owned by the sandbox (EWS clients do not dispose it).</summary>
    public HttpMessageHandler EwsTransport { get; }

    /// <summary>The built-in certificate app's certificate (with its private key), made for this run.</summary>
    public X509Certificate2 AppCertificate { get; }

    /// <summary>The global cloud with the local servers' endpoints.</summary>
    public MailCloud Cloud { get; }

    /// <summary>Personal accounts with the local servers' endpoints.</summary>
    public MailCloud PersonalCloud { get; }

    public string TenantId => Servers.TenantId;

    /// <summary>Trusts exactly the local servers' self-signed certificate.</summary>
    public RemoteCertificateValidationCallback TrustServers => Servers.TrustServerCertificate;

    /// <summary>The built-in client id for a flow.</summary>
    public static string ClientIdFor(MailTokenFlow flow) => flow switch
    {
        MailTokenFlow.ClientSecret => SecretAppId,
        MailTokenFlow.ClientCertificate => CertificateAppId,
        MailTokenFlow.WorkloadIdentity => WorkloadAppId,
        _ => PublicAppId,
    };

    /// <summary>Starts the fake Entra ID on the servers' signing key.</summary>
    /// <param name="environment">Environment variables: the servers' location, and MODERNAUTH_MAIL_SANDBOX_DEVICE_CODE
    /// (<c>approve</c>, <c>decline</c>, <c>expire</c>, <c>blocked</c>: Conditional Access blocks the device code flow),
    /// MODERNAUTH_MAIL_SANDBOX_BROWSER (<c>signin</c>, <c>decline</c>, <c>never</c>, <c>blocked</c>) and
    /// MODERNAUTH_MAIL_SANDBOX_FAULT (<c>hang</c>, <c>unavailable</c>) to try failures offline.</param>
    /// <param name="personal">Whether the device code signs in the personal account instead of the work account.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<SandboxEnvironment> StartAsync(Func<string, string?> environment, bool personal, CancellationToken cancellationToken)
    {
        var servers = LoadServers(environment);
        RSA? signingKey = null;
        FakeEntraId? entra = null;
        FakeEwsServer? ews = null;
        FakeGraph? graph = null;
        try
        {
            signingKey = servers.CreateSigningKey();
            entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = signingKey, KeyId = servers.KeyId });
            var server = await entra.StartHttpsServerAsync(cancellationToken);
            var certificate = CreateAppCertificate();
            entra.RegisterApplication(servers.TenantId, SecretAppId).WithSecret(BuiltInSecret);
            entra.RegisterApplication(servers.TenantId, CertificateAppId).WithCertificate(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)));
            entra.RegisterApplication(servers.TenantId, PublicAppId).AsPublicClient();
            entra.RegisterApplication(servers.TenantId, WorkloadAppId).WithFederatedCredential(FederatedIssuer, FederatedSubject);
            entra.AddSystemAssignedIdentity(servers.TenantId);
            entra.RegisterApplication(FakeEntraId.ConsumersTenant, PublicAppId).AsPublicClient();
            entra.DeviceCodeUser = personal
                ? entra.AddUser(FakeEntraId.ConsumersTenant, PersonalUser, "Megan Bowen")
                : entra.AddUser(servers.TenantId, User, "Adele Vance");
            entra.BrowserUser = entra.DeviceCodeUser;
            ews = await FakeEwsServer.StartAsync(entra, servers.TenantId, cancellationToken);
            ews.AddMailbox(User);
            graph = new FakeGraph(entra, servers.TenantId);
            graph.AddMailbox(User);
            graph.AddPersonalMailbox(PersonalUser);
            var graphServer = await graph.StartHttpsServerAsync(cancellationToken);
            ApplyKnobs(entra, environment);
            return new SandboxEnvironment(servers, signingKey, entra, server, ews, graph, graphServer, certificate);
        }
        catch (Exception error) when (error is IOException or CryptographicException or UnauthorizedAccessException)
        {
            if (graph is not null)
            {
                await graph.DisposeAsync();
            }

            if (ews is not null)
            {
                await ews.DisposeAsync();
            }

            if (entra is not null)
            {
                await entra.DisposeAsync();
            }

            signingKey?.Dispose();
            throw new ConfigurationException($"The sandbox could not read the local servers' keys ({error.Message}). Run `eng/test-servers.sh start` again.");
        }
    }

    /// <summary>Reads servers.json (<see cref="TestServers"/>).</summary>
    /// <exception cref="ConfigurationException">It is missing or unreadable: the message says how to start the servers.</exception>
    public static TestServers LoadServers(Func<string, string?> environment)
    {
        try
        {
            return TestServers.Load(environment);
        }
        catch (InvalidOperationException error)
        {
            throw new ConfigurationException("--sandbox needs the local mail servers. " + error.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_federatedTokenFile is not null)
        {
            File.Delete(_federatedTokenFile);
        }

        GraphTransport.Dispose();
        await Graph.DisposeAsync();
        EwsTransport.Dispose();
        await Ews.DisposeAsync();
        await Entra.DisposeAsync();
        AppCertificate.Dispose();
        _signingKey.Dispose();
    }

    private static void ApplyKnobs(FakeEntraId entra, Func<string, string?> environment)
    {
        switch (environment("MODERNAUTH_MAIL_SANDBOX_DEVICE_CODE")?.Trim().ToUpperInvariant())
        {
            case "DECLINE": entra.DeviceCodeOutcome = FakeDeviceCodeOutcome.Decline; break;
            case "EXPIRE": entra.DeviceCodeOutcome = FakeDeviceCodeOutcome.Expire; break;
            case "BLOCKED": entra.BlockDeviceCodeFlow = true; break;
            default: entra.DeviceCodeOutcome = FakeDeviceCodeOutcome.Approve; break;
        }

        entra.BrowserOutcome = environment("MODERNAUTH_MAIL_SANDBOX_BROWSER")?.Trim().ToUpperInvariant() switch
        {
            "DECLINE" => FakeBrowserOutcome.Decline,
            "NEVER" => FakeBrowserOutcome.NeverAnswer,
            "BLOCKED" => FakeBrowserOutcome.ConditionalAccessBlock,
            _ => FakeBrowserOutcome.SignIn,
        };

        switch (environment("MODERNAUTH_MAIL_SANDBOX_FAULT")?.Trim().ToUpperInvariant())
        {
            case "HANG": entra.HangNext(20); break;
            case "UNAVAILABLE": entra.FailNext(20, System.Net.HttpStatusCode.ServiceUnavailable, TimeSpan.Zero); break;
            default: break;
        }
    }

    private static X509Certificate2 CreateAppCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail sandbox app", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private string WriteFederatedToken()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modernauth-mail-sandbox-{Environment.ProcessId}-{Guid.NewGuid():N}.token");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Entra.MintFederatedToken(FederatedIssuer, FederatedSubject));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    /// <summary>Rewrites IMDS' address to the sandbox's server; the fake answers IMDS' path and query shape.</summary>
    private sealed class ImdsRoute(HttpMessageHandler inner, Uri server) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { Host: "169.254.169.254" } imds)
            {
                request.RequestUri = new Uri(server, imds.PathAndQuery);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
