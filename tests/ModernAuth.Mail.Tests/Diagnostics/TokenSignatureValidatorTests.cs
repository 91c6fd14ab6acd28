using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Diagnostics;
using static ModernAuth.Mail.Tests.Diagnostics.TestTokens;

namespace ModernAuth.Mail.Tests.Diagnostics;

public class TokenSignatureValidatorTests
{
    private static readonly string PublishedKeys = Jwks(SigningKey);

    [Fact]
    public async Task ValidateWithKeysAsync_GoodSignature_IsValid()
    {
        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(MintAppOnly("IMAP.AccessAsApp"), PublishedKeys, Issuer());

        var finding = Assert.Single(findings);
        Assert.Equal(MailFindingCodes.SignatureValid, finding.Code);
        Assert.Equal(MailFindingSeverity.Info, finding.Severity);
        Assert.Contains("kid = " + KeyId, finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateWithKeysAsync_ForgedSignatureSameKid_IsInvalid()
    {
        var forged = Mint(AppOnly("IMAP.AccessAsApp"), ForgedKey);

        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(forged, PublishedKeys);

        Assert.Equal(MailFindingCodes.SignatureInvalid, Assert.Single(findings).Code);
    }

    [Fact]
    public async Task ValidateWithKeysAsync_TamperedPayload_IsInvalid()
    {
        var token = MintAppOnly("IMAP.AccessAsApp");
        var other = MintAppOnly("IMAP.AccessAsApp", "full_access_as_app");
        var parts = token.Split('.');
        var tampered = parts[0] + "." + other.Split('.')[1] + "." + parts[2];

        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(tampered, PublishedKeys);

        Assert.Equal(MailFindingCodes.SignatureInvalid, Assert.Single(findings).Code);
    }

    [Fact]
    public async Task ValidateWithKeysAsync_UnknownKid_ReportsKeyNotFound()
    {
        var token = Mint(AppOnly("IMAP.AccessAsApp"), UnpublishedKey);

        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(token, PublishedKeys);

        var finding = Assert.Single(findings);
        Assert.Equal(MailFindingCodes.SigningKeyNotFound, finding.Code);
        Assert.Contains("kid = unpublished-key", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateWithKeysAsync_OtherIssuer_ReportsIssuerMismatch()
    {
        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(MintAppOnly("IMAP.AccessAsApp"), PublishedKeys, Issuer(OtherTenantId));

        Assert.Contains(findings, f => f.Code == MailFindingCodes.SignatureValid);
        var mismatch = Assert.Single(findings, f => f.Code == MailFindingCodes.IssuerMismatch);
        Assert.Contains("expected " + Issuer(OtherTenantId), mismatch.Observed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not json")]
    [InlineData("{\"keys\":[]}")]
    public async Task ValidateWithKeysAsync_BadKeySet_ReportsMetadataUnavailable(string? jwks)
    {
        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(MintAppOnly("IMAP.AccessAsApp"), jwks);

        Assert.Equal(MailFindingCodes.MetadataUnavailable, Assert.Single(findings).Code);
    }

    [Theory]
    [InlineData("EwBwA8l6BAAUbDba3x2OMJElkF7gJ4z/VbCPEz0AAQBp6kl7Ac6Q2mN5rLzYm0aXk0cM7Bq4WnZc1g==", MailFindingCodes.OpaqueToken)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0", MailFindingCodes.TokenMalformed)]
    [InlineData(null, MailFindingCodes.TokenEmpty)]
    public async Task ValidateWithKeysAsync_NotAJwt_ReportsShape(string? token, string code)
    {
        var findings = await new TokenSignatureValidator().ValidateWithKeysAsync(token, PublishedKeys);

        Assert.Equal(code, Assert.Single(findings).Code);
    }

    [Fact]
    public async Task ValidateAsync_V1Token_FetchesV1MetadataOnceAndValidates()
    {
        var handler = new MetadataHandler();
        using var client = new HttpClient(handler);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client, TimeProvider = new FakeTimeProvider(Now) });

        var first = await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));
        var second = await validator.ValidateAsync(MintAppOnly("POP.AccessAsApp"));

        Assert.Equal(MailFindingCodes.SignatureValid, Assert.Single(first).Code);
        Assert.Equal(MailFindingCodes.SignatureValid, Assert.Single(second).Code);
        Assert.Equal(new[] { "/" + TenantId + "/.well-known/openid-configuration", "/common/discovery/keys" }, handler.Paths);
    }

    [Fact]
    public async Task ValidateAsync_TransportHandler_IsUsed()
    {
        var handler = new MetadataHandler();
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { Transport = handler });

        var findings = await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));

        Assert.Equal(MailFindingCodes.SignatureValid, Assert.Single(findings).Code);
        Assert.Equal(2, handler.Paths.Count);
    }

    [Fact]
    public async Task ValidateAsync_CacheExpired_FetchesAgain()
    {
        var handler = new MetadataHandler();
        using var client = new HttpClient(handler);
        var time = new FakeTimeProvider(Now);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client, TimeProvider = time, MetadataCacheDuration = TimeSpan.FromHours(1) });

        await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));
        time.Advance(TimeSpan.FromHours(2));
        await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));

        Assert.Equal(4, handler.Paths.Count);
    }

    [Fact]
    public async Task ValidateAsync_V1TokenWithV2Issuer_ReportsIssuerMismatch()
    {
        var handler = new MetadataHandler();
        using var client = new HttpClient(handler);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client });
        var token = Mint(TokenInspectorTests.With(AppOnly("IMAP.AccessAsApp"), "iss", "https://login.microsoftonline.com/" + TenantId + "/v2.0"));

        var findings = await validator.ValidateAsync(token);

        Assert.Contains(findings, f => f.Code == MailFindingCodes.IssuerMismatch);
    }

    [Fact]
    public async Task ValidateAsync_UnknownKidAfterCaching_RefetchesKeysOnce()
    {
        var handler = new MetadataHandler();
        using var client = new HttpClient(handler);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client });
        await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));

        var findings = await validator.ValidateAsync(Mint(AppOnly("IMAP.AccessAsApp"), UnpublishedKey));

        Assert.Equal(MailFindingCodes.SigningKeyNotFound, Assert.Single(findings).Code);
        Assert.Equal(4, handler.Paths.Count);
    }

    [Fact]
    public async Task ValidateAsync_MetadataNotFound_ReportsMetadataUnavailable()
    {
        var handler = new MetadataHandler { Status = HttpStatusCode.NotFound };
        using var client = new HttpClient(handler);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client });

        var findings = await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));

        var finding = Assert.Single(findings);
        Assert.Equal(MailFindingCodes.MetadataUnavailable, finding.Code);
        Assert.Contains("HTTP 404", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_Cancelled_Throws()
    {
        var handler = new MetadataHandler { Hang = true };
        using var client = new HttpClient(handler);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client });
        using var cts = new CancellationTokenSource();

        var task = validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"), cts.Token);
        await handler.Started.Task;
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task ValidateAsync_AuthorityHostOverride_IsUsed()
    {
        var handler = new MetadataHandler();
        using var client = new HttpClient(handler);
        var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { HttpClient = client, AuthorityHost = new Uri("https://login.fake.test") });

        await validator.ValidateAsync(MintAppOnly("IMAP.AccessAsApp"));

        Assert.Equal("login.fake.test", handler.Hosts[0]);
    }

    private sealed class MetadataHandler : HttpMessageHandler
    {
        public List<string> Paths { get; } = new();

        public List<string> Hosts { get; } = new();

        public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

        public bool Hang { get; init; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Paths.Add(request.RequestUri!.AbsolutePath);
            Hosts.Add(request.RequestUri.Host);
            Started.TrySetResult();
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Status != HttpStatusCode.OK)
            {
                return new HttpResponseMessage(Status);
            }

            var authority = request.RequestUri.GetLeftPart(UriPartial.Authority);
            var path = request.RequestUri.AbsolutePath;
            var body = path.EndsWith("/keys", StringComparison.Ordinal)
                ? PublishedKeys
                : "{\"issuer\":\"https://sts.windows.net/" + path.Split('/')[1] + "/\",\"jwks_uri\":\"" + authority + "/common/discovery/keys\",\"authorization_endpoint\":\"" + authority + "/x/oauth2/authorize\"}";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }
}
