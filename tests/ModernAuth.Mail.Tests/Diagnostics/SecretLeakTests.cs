using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Diagnostics;
using static ModernAuth.Mail.Tests.Diagnostics.TestTokens;

namespace ModernAuth.Mail.Tests.Diagnostics;

/// <summary>No finding, summary or rendered output ever contains a token or its signature.</summary>
public class SecretLeakTests
{
    public static TheoryData<string> Tokens() => new()
    {
        MintAppOnly("IMAP.AccessAsApp"),
        MintAppOnly(),
        MintDelegated("IMAP.AccessAsUser.All offline_access"),
        Mint(TokenInspectorTests.With(Delegated("SMTP.Send"), "aud", "https://graph.microsoft.com")),
        Mint(AppOnly("SMTP.SendAsApp"), UnpublishedKey),
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task EveryOutput_NeverContainsTokenOrSignature(string token)
    {
        var signature = Signature(token);
        var inspector = new TokenInspector(new TokenInspectorOptions
        {
            Protocol = MailProtocol.Smtp,
            AppOnly = true,
            Mailbox = "shared@contoso.com",
            TenantId = OtherTenantId,
            ClientId = OtherClientId,
            TimeProvider = new FakeTimeProvider(Now.AddDays(1)),
        });

        var result = inspector.Inspect("Bearer " + token);
        var signatureFindings = await new TokenSignatureValidator().ValidateWithKeysAsync(token, Jwks(SigningKey), Issuer(OtherTenantId));
        var explanation = MailResponseCatalog.Default.Explain("535 5.7.3 Authentication unsuccessful " + token);
        var outputs = new List<string>
        {
            MailFindingFormatter.FormatText(result),
            MailFindingFormatter.FormatJson(result),
            MailFindingFormatter.FormatText(signatureFindings),
            MailFindingFormatter.FormatJson(signatureFindings),
            MailFindingFormatter.FormatText(explanation),
            MailFindingFormatter.FormatJson(explanation),
            result.Summary.ToString(),
            explanation.ToString(),
        };
        outputs.AddRange(result.Findings.Select(f => f.ToString()));
        outputs.AddRange(signatureFindings.Select(f => f.ToString()));

        Assert.True(result.Findings.Count >= 5);
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
            Assert.DoesNotContain(signature, output, StringComparison.Ordinal);
            Assert.DoesNotContain(signature.Substring(0, 24), output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Formatter_FindingBuiltWithAToken_RedactsIt()
    {
        var token = MintAppOnly("IMAP.AccessAsApp");
        var finding = new MailFinding("custom", MailFindingSeverity.Error, "saw " + token, "because", "fix");

        var text = MailFindingFormatter.FormatText(new[] { finding }) + MailFindingFormatter.FormatJson(new[] { finding });

        Assert.DoesNotContain(Signature(token), text, StringComparison.Ordinal);
        Assert.Contains("<redacted token>", text, StringComparison.Ordinal);
    }
}
