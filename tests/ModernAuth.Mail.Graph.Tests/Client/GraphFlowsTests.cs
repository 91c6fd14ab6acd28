using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.Graph.Tests.Client;

/// <summary>
/// Every flow end to end through the real GraphServiceClient (GraphMailClient) against the fake Graph, tokens from real
/// MSAL and the fake Entra ID: a 5 MB attachment goes through an upload session and reads back byte for byte, and no
/// token, secret or Authorization header reaches the logs of the provider or the client.
/// </summary>
public sealed class GraphFlowsTests : IAsyncLifetime
{
    private const string PublicClientId = "5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716";

    private GraphTestContext _ctx = null!;
    private X509Certificate2? _certificate;
    private string? _cachePath;

    public async Task InitializeAsync() => _ctx = await GraphTestContext.StartAsync();

    public async Task DisposeAsync()
    {
        _certificate?.Dispose();
        if (_cachePath is not null)
        {
            File.Delete(_cachePath);
        }

        await _ctx.DisposeAsync();
    }

    public static TheoryData<string> Flows() => ["secret", "certificate", "device-code", "device-code-personal"];

    [Theory]
    [MemberData(nameof(Flows))]
    public async Task SendMessageAsync_EveryFlowFiveMegabyteAttachment_UploadSessionThenReadsBack(string flow)
    {
        var (provider, sender, recipient) = CreateFlow(flow);
        using var client = _ctx.Client(provider, sender);
        var attachment = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var message = new MimeMessage { Subject = "Quarterly figures (" + flow + ")" };
        message.From.Add(MailboxAddress.Parse(sender));
        message.To.Add(MailboxAddress.Parse(recipient));
        var body = new BodyBuilder { TextBody = "The figures are attached." };
        body.Attachments.Add("figures.bin", attachment);
        message.Body = body.ToMessageBody();

        await client.SendMessageAsync(message);

        // App-only reads the recipient's mailbox; a signed-in user reads their own (they sent it to themselves).
        using var reader = provider.IsAppOnly ? _ctx.Client(provider, recipient) : client;
        var item = Assert.Single((await reader.FindItemsAsync(GraphWellKnownFolders.Inbox)).Items);
        Assert.Equal("Quarterly figures (" + flow + ")", item.Subject);
        var received = await MimeMessage.LoadAsync((await reader.GetItemAsync(item.Id)).OpenMimeContent());
        var part = Assert.IsType<MimePart>(Assert.Single(received.Attachments));
        using var bytes = new MemoryStream();
        await part.Content!.DecodeToAsync(bytes);
        Assert.Equal(attachment, bytes.ToArray());
        Assert.Equal("figures.bin", part.FileName);

        var requests = _ctx.Graph.Requests;
        Assert.Contains(requests, r => r.Path.EndsWith("/attachments/createUploadSession", StringComparison.Ordinal));
        var uploads = requests.Where(r => r.Path.StartsWith("/attachmentSessions/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, u => Assert.False(u.HasAuthorization));
        Assert.All(requests, r => Assert.True(r.ContentLength <= FakeGraph.MaxRequestBytes));
        Assert.All(requests.Except(uploads), r => Assert.StartsWith(provider.IsAppOnly ? "/v1.0/users/" : "/v1.0/me/", r.Path, StringComparison.Ordinal));
        var mailbox = _ctx.Graph.Mailbox(sender);
        Assert.Empty(mailbox.MessagesIn(mailbox.FindFolder("drafts", true)!.Id));
        Assert.Single(mailbox.MessagesIn(mailbox.FindFolder("sentitems", true)!.Id));

        var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, provider.IsAppOnly ? sender : null));
        Assert.Equal(flow != "device-code-personal", token.IsJwt);
        var logs = _ctx.Logs.AllText;
        Assert.Contains("Graph AddAttachment for " + sender + " completed", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token[^16..], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(GraphTestContext.Secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer ", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(attachment[..48]), logs, StringComparison.Ordinal);
    }

    private (MailTokenProvider Provider, string Sender, string Recipient) CreateFlow(string flow)
    {
        switch (flow)
        {
            case "secret":
                return (_ctx.AppOnlyProvider(), "shared@contoso.test", "adele@contoso.test");
            case "certificate":
                const string certificateClientId = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
                using (var rsa = RSA.Create(2048))
                {
                    var request = new CertificateRequest("CN=ModernAuth.Mail Graph tests", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                    using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                    _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
                }

                _ctx.Entra.RegisterApplication(GraphTestContext.Tenant, certificateClientId)
                    .WithCertificate(X509CertificateLoader.LoadCertificate(_certificate.Export(X509ContentType.Cert)));
                var options = new ClientCertificateTokenProviderOptions { LoggerFactory = _ctx.Logs.CreateFactory() }.UseFakeEntraId(_ctx.EntraServer);
                return (new ClientCertificateTokenProvider(GraphTestContext.Tenant, certificateClientId, ClientCertificateSource.FromCertificate(_certificate), options),
                    "shared@contoso.test", "adele@contoso.test");
            case "device-code":
                _ctx.Entra.RegisterApplication(GraphTestContext.Tenant, PublicClientId).AsPublicClient();
                _ctx.Entra.DeviceCodeUser = _ctx.Entra.AddUser(GraphTestContext.Tenant, "adele@contoso.test");
                return (DeviceCode(MailCloud.Global, GraphTestContext.Tenant), "adele@contoso.test", "adele@contoso.test");
            default:
                _ctx.Entra.RegisterApplication(FakeEntraId.ConsumersTenant, PublicClientId).AsPublicClient();
                _ctx.Entra.DeviceCodeUser = _ctx.Entra.AddUser(FakeEntraId.ConsumersTenant, "megan@outlook.com");
                _ctx.Graph.AddPersonalMailbox("megan@outlook.com");
                return (DeviceCode(MailCloud.PersonalAccounts, null), "megan@outlook.com", "megan@outlook.com");
        }
    }

    private DeviceCodeTokenProvider DeviceCode(MailCloud cloud, string? tenant)
    {
        _cachePath = Path.Combine(Path.GetTempPath(), "graph-flows-" + Guid.NewGuid().ToString("N") + ".bin");
        return new DeviceCodeTokenProvider(PublicClientId, new DeviceCodeTokenProviderOptions
        {
            Cloud = cloud,
            TenantId = tenant,
            TokenCachePath = _cachePath,
            DeviceCodeCallback = (_, _) => Task.CompletedTask,
            LoggerFactory = _ctx.Logs.CreateFactory(),
        }.UseFakeEntraId(_ctx.EntraServer));
    }
}
