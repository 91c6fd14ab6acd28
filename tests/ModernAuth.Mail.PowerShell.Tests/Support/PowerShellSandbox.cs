using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ModernAuth.Mail.Shared;
using MailKit;
using MailKit.Search;
using MimeKit;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Testing;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.PowerShell.Tests.Support;

/// <summary>
/// A real pwsh with the packed module (artifacts/powershell/ModernAuth.Mail), the real Postfix and Dovecot of
/// <c>eng/test-servers.sh</c>, and a fake Entra ID over HTTPS that signs with the servers' key. Each run gets its own
/// HOME (so its profiles file and certificate store are the test's) and reaches the token service through settings
/// only: a profile with <c>authorityHost</c>, <c>disableInstanceDiscovery</c> and <c>authorityCertificatePath</c>.
/// </summary>
public sealed class PowerShellSandbox : IAsyncLifetime
{
    public const string SecretAppId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    public const string CertificateAppId = "0d6c3a9e-51f4-4c1b-8a77-2f3e4d5c6b7a";
    public const string PublicAppId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    public const string WorkloadAppId = "8e1d2c3b-4a59-4687-9b0c-1d2e3f4a5b6c";
    public const string FederatedIssuer = "https://oidc.pwsh-tests.contoso.test/cluster/";
    public const string FederatedSubject = "system:serviceaccount:mail:reports";
    public const string User = "adele@contoso.test";

    private RSA? _signingKey;
    private System.Net.Security.RemoteCertificateValidationCallback? _trustServer;

    public string Root { get; } = RepositoryRoot.Path;

    public string Pwsh { get; private set; } = string.Empty;

    public string ModulePath { get; private set; } = string.Empty;

    public FakeEntraId Entra { get; private set; } = null!;

    public FakeEntraIdServer Server { get; private set; } = null!;

    /// <summary>The registered client secret (made for this run; tests prove it never shows up in output).</summary>
    public string Secret { get; } = "pwsh-secret-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    public string TenantId { get; private set; } = string.Empty;

    public string Host { get; private set; } = string.Empty;

    public int SubmissionPort { get; private set; }

    public int ImapsPort { get; private set; }

    /// <summary>The servers' self-signed TLS certificate (PEM): what -TrustedCertificatePath pins.</summary>
    public string ServerCertificatePath { get; private set; } = string.Empty;

    /// <summary>The fake Entra ID's TLS certificate (PEM): the profile's authorityCertificatePath.</summary>
    public string AuthorityCertificatePath { get; private set; } = string.Empty;

    /// <summary>The certificate app's PFX (no password) and its thumbprint.</summary>
    public string CertificatePfxPath { get; private set; } = string.Empty;

    public string CertificateThumbprint { get; private set; } = string.Empty;

    public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("modernauth-pwsh-").FullName;

    /// <summary>The Azure resource's system-assigned managed identity, answered by the fake's App Service endpoint (<see cref="ManagedIdentityEnvironment"/>).</summary>
    public FakeManagedIdentity SystemIdentity { get; private set; } = null!;

    /// <summary>A user-assigned managed identity assigned to the same resource.</summary>
    public FakeManagedIdentity UserIdentity { get; private set; } = null!;

    /// <summary>
    /// What App Service or Functions sets for a managed identity (<c>IDENTITY_ENDPOINT</c>, <c>IDENTITY_HEADER</c>), here
    /// pointing at the fake Entra ID: MSAL's own way of finding the endpoint, so the module needs no hook for it.
    /// </summary>
    public IDictionary<string, string> ManagedIdentityEnvironment => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = new Uri(Server.BaseAddress, "/msi/token").ToString(),
        ["IDENTITY_HEADER"] = Entra.ManagedIdentityHeader,
    };

    /// <summary>Writes a federated token (as the kubelet projects one into a pod) to a new file and returns its path.</summary>
    public string WriteFederatedToken(string subject = FederatedSubject)
    {
        var path = Path.Combine(WorkDirectory, $"federated-{Guid.NewGuid():N}.token");
        File.WriteAllText(path, Entra.MintFederatedToken(FederatedIssuer, subject));
        return path;
    }

    public async Task InitializeAsync()
    {
        Pwsh = (await RunProcessAsync(Path.Combine(Root, "eng", "install-pwsh.sh"), [], Root, null, TimeSpan.FromMinutes(3))).Out.Trim().Split('\n')[^1].Trim();
        ModulePath = await EnsureModuleAsync();

        var servers = TestServers.Load();
        Host = servers.Host;
        SubmissionPort = servers.SubmissionPort;
        ImapsPort = servers.ImapsPort;
        TenantId = servers.TenantId;
        ServerCertificatePath = servers.TlsCertificatePath;
        _trustServer = servers.TrustServerCertificate;
        _signingKey = RSA.Create();
        _signingKey.ImportFromPem(await File.ReadAllTextAsync(servers.SigningKeyPath));
        Entra = new FakeEntraId(new FakeEntraIdOptions { SigningKey = _signingKey, KeyId = servers.KeyId });
        Server = await Entra.StartHttpsServerAsync();
        AuthorityCertificatePath = Path.Combine(WorkDirectory, "authority.crt");
        await File.WriteAllTextAsync(AuthorityCertificatePath, Server.Certificate.ExportCertificatePem());

        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ModernAuth.Mail PowerShell tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        CertificatePfxPath = Path.Combine(WorkDirectory, "app.pfx");
        await File.WriteAllBytesAsync(CertificatePfxPath, certificate.Export(X509ContentType.Pkcs12));
        CertificateThumbprint = certificate.Thumbprint;

        Entra.RegisterApplication(TenantId, SecretAppId).WithSecret(Secret);
        Entra.RegisterApplication(TenantId, CertificateAppId).WithCertificate(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)));
        Entra.RegisterApplication(TenantId, PublicAppId).AsPublicClient();
        Entra.RegisterApplication(TenantId, WorkloadAppId).WithFederatedCredential(FederatedIssuer, FederatedSubject);
        SystemIdentity = Entra.AddSystemAssignedIdentity(TenantId);
        UserIdentity = Entra.AddUserAssignedIdentity(TenantId, "reports-sender");
        Entra.DeviceCodeUser = Entra.AddUser(TenantId, User, "Adele Vance");
    }

    public async Task DisposeAsync()
    {
        await Entra.DisposeAsync();
        _signingKey?.Dispose();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A HOME for one pwsh run, with a profiles file whose profile "sandbox" reaches the fake Entra ID and the local servers.</summary>
    public string NewHome(string? extraProfileJson = null)
    {
        var home = Directory.CreateTempSubdirectory("home-").FullName;
        var config = Path.Combine(home, ".config", "modernauth-mail");
        Directory.CreateDirectory(config);
        var sandbox = $$"""
            "tenantId": "{{TenantId}}",
            "authorityHost": "{{Server.BaseAddress.GetLeftPart(UriPartial.Authority)}}",
            "disableInstanceDiscovery": true,
            "authorityCertificatePath": "{{AuthorityCertificatePath}}",
            "smtpServer": "{{Host}}:{{SubmissionPort}}",
            "imapServer": "{{Host}}:{{ImapsPort}}"
            """;
        File.WriteAllText(Path.Combine(config, "profiles.json"), $$"""
            {
              "profiles": {
                "sandbox": { {{sandbox}} },
                "reports": { {{sandbox}}, "clientId": "{{SecretAppId}}", "flow": "secret", "mailbox": "reports@contoso.test" }{{(extraProfileJson is null ? "" : ", " + extraProfileJson)}}
              }
            }
            """);
        return home;
    }

    /// <summary>Puts the certificate app's certificate (with its key) into the CurrentUser\My store of <paramref name="home"/>'s account (.NET keeps it under HOME on Linux).</summary>
    public async Task StoreCertificateAsync(string home)
    {
        var stored = await RunAsync($"""
            $certificate = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12FromFile('{CertificatePfxPath}', $null, 'Exportable,PersistKeySet')
            $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
            $store.Open('ReadWrite'); $store.Add($certificate); $store.Close()
            """, home);
        Assert.True(stored.ExitCode == 0, stored.ToString());
    }

    /// <summary>Runs a script in pwsh (no profile, non-interactive, no colours) with the module importable by name.</summary>
    public async Task<PwshResult> RunAsync(string script, string? home = null, IDictionary<string, string>? environment = null)
    {
        home ??= NewHome();
        var file = Path.Combine(WorkDirectory, $"script-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(file, "$ErrorActionPreference = 'Stop'\n$ProgressPreference = 'SilentlyContinue'\n" + script, new UTF8Encoding(true));
        var env = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["NO_COLOR"] = "1",
            ["PSModulePath"] = Path.GetDirectoryName(ModulePath)!,
            ["MODERNAUTH_MAIL_TEST_SECRET"] = Secret,
            ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
            ["POWERSHELL_UPDATECHECK"] = "Off",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var result = await RunProcessAsync(Pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", file], WorkDirectory, env, TimeSpan.FromMinutes(2));
        return result;
    }

    /// <summary>Reads the newest message with the subject from a mailbox over IMAP (app-only token from the fake Entra ID).</summary>
    public async Task<MimeMessage> ReadBackAsync(string mailbox, string subject)
    {
        var provider = new ClientSecretTokenProvider(TenantId, SecretAppId, Secret, new ClientSecretTokenProviderOptions().UseFakeEntraId(Server));
        using var imap = await MailKitConnector.ConnectImapAsync(provider, mailbox, new MailKitConnectOptions
        {
            Host = Host,
            Port = ImapsPort,
            TlsMode = MailTlsMode.Implicit,
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = _trustServer,
        });
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            var uids = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains(subject));
            if (uids.Count > 0)
            {
                return await imap.Inbox.GetMessageAsync(uids[^1]);
            }

            await Task.Delay(100);
            await imap.NoOpAsync();
        }

        throw new InvalidOperationException($"'{subject}' did not arrive in {mailbox} within 20 s.");
    }

    public static string NewMailbox(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)] + "@contoso.test";

    /// <summary>The packed module, rebuilt when the cmdlets' assembly in it is not the one this test run built.</summary>
    private async Task<string> EnsureModuleAsync()
    {
        var module = Path.Combine(Root, "artifacts", "powershell", "ModernAuth.Mail", "ModernAuth.Mail.psd1");
        var built = Path.Combine(AppContext.BaseDirectory, "ModernAuth.Mail.PowerShell.dll");
        var packed = Path.Combine(Path.GetDirectoryName(module)!, "ModernAuth.Mail.PowerShell.dll");
        if (!File.Exists(packed) || !File.ReadAllBytes(packed).AsSpan().SequenceEqual(File.ReadAllBytes(built)))
        {
            var release = Path.Combine(Root, "src", "ModernAuth.Mail.PowerShell", "bin", "Release", "netstandard2.0", "ModernAuth.Mail.PowerShell.dll");
            var noBuild = File.Exists(release) && File.ReadAllBytes(release).AsSpan().SequenceEqual(File.ReadAllBytes(built));
            var result = await RunProcessAsync(Path.Combine(Root, "eng", "build-powershell-module.sh"), noBuild ? ["--no-build"] : [], Root, null, TimeSpan.FromMinutes(5));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException("eng/build-powershell-module.sh failed: " + result);
            }
        }

        return Path.GetDirectoryName(module)!;
    }

    private static async Task<PwshResult> RunProcessAsync(string file, string[] arguments, string directory, IDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout}: {await stdout}{await stderr}");
        }

        return new PwshResult(process.ExitCode, await stdout, await stderr);
    }

}

/// <summary>What a pwsh run printed and how it ended.</summary>
public sealed record PwshResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    /// <summary>The JSON the script printed last (scripts end with <c>ConvertTo-Json</c>).</summary>
    public JsonElement Json()
    {
        var start = Out.IndexOfAny(['{', '[']);
        Assert.True(start >= 0, "The script printed no JSON: " + this);
        return JsonDocument.Parse(Out[start..]).RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

[CollectionDefinition(Name)]
public sealed class PowerShellCollection : ICollectionFixture<PowerShellSandbox>
{
    public const string Name = "PowerShell module in a real pwsh";
}
