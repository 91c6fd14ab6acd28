using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Diagnostics;
using static ModernAuth.Mail.Tests.Diagnostics.TestTokens;

namespace ModernAuth.Mail.Tests.Diagnostics;

public class MailFindingFormatterTests
{
    [Fact]
    public void FormatJson_Inspection_FollowsTheDocumentedSchema()
    {
        var result = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Smtp, TimeProvider = new FakeTimeProvider(Now) }).Inspect(MintAppOnly("IMAP.AccessAsApp"));

        using var doc = JsonDocument.Parse(MailFindingFormatter.FormatJson(result));
        var root = doc.RootElement;

        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("token_inspection", root.GetProperty("kind").GetString());
        var token = root.GetProperty("token");
        Assert.Equal("jwt", token.GetProperty("kind").GetString());
        Assert.Equal("1.0", token.GetProperty("version").GetString());
        Assert.Equal("https://outlook.office365.com", token.GetProperty("audience").GetString());
        Assert.Equal(ClientId, token.GetProperty("appId").GetString());
        Assert.True(token.GetProperty("appOnly").GetBoolean());
        Assert.Equal("IMAP.AccessAsApp", token.GetProperty("roles")[0].GetString());
        Assert.Equal(0, token.GetProperty("scopes").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, token.GetProperty("user").ValueKind);
        Assert.Equal("2026-03-02T10:50:00Z", token.GetProperty("expiresOn").GetString());
        Assert.True(root.GetProperty("hasErrors").GetBoolean());
        var first = root.GetProperty("findings")[0];
        Assert.Equal(MailFindingCodes.MissingRole, first.GetProperty("code").GetString());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Equal("roles", first.GetProperty("claim").GetString());
        foreach (var name in new[] { "observed", "explanation", "fix" })
        {
            Assert.Equal(JsonValueKind.String, first.GetProperty(name).ValueKind);
        }
    }

    [Fact]
    public void FormatJson_ServerReply_FollowsTheDocumentedSchema()
    {
        var explanation = MailResponseCatalog.Default.Explain("A7 BAD Request is throttled. Suggested Backoff Time: 5000 milliseconds");

        using var doc = JsonDocument.Parse(MailFindingFormatter.FormatJson(explanation));
        var reply = doc.RootElement.GetProperty("reply");

        Assert.Equal("server_reply", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(MailFindingCodes.ImapThrottled, reply.GetProperty("code").GetString());
        Assert.Equal("warning", reply.GetProperty("severity").GetString());
        Assert.True(reply.GetProperty("recognised").GetBoolean());
        Assert.True(reply.GetProperty("retryable").GetBoolean());
        Assert.Equal("imap", reply.GetProperty("source").GetString());
        Assert.Equal("BAD", reply.GetProperty("status").GetString());
        Assert.Equal(5000, reply.GetProperty("backoffMilliseconds").GetInt64());
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("aadstsCode").ValueKind);
        foreach (var name in new[] { "enhancedStatusCode", "serverText", "explanation", "remedy", "traceId", "correlationId", "timestamp", "serverTrace" })
        {
            Assert.True(reply.TryGetProperty(name, out _), name);
        }
    }

    [Fact]
    public void FormatJson_Findings_HasKindFindings()
    {
        using var doc = JsonDocument.Parse(MailFindingFormatter.FormatJson(new[] { new MailFinding("x", MailFindingSeverity.Info, "o", "e", "f") }));

        Assert.Equal("findings", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal("info", doc.RootElement.GetProperty("findings")[0].GetProperty("severity").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("findings")[0].GetProperty("claim").ValueKind);
    }

    [Fact]
    public void FormatText_Inspection_ShowsSummaryAndFindings()
    {
        var result = new TokenInspector(new TokenInspectorOptions { Protocol = MailProtocol.Imap, TimeProvider = new FakeTimeProvider(Now) })
            .Inspect(Mint(TokenInspectorTests.With(Delegated("IMAP.AccessAsUser.All"), "aud", "https://graph.microsoft.com")));

        var text = MailFindingFormatter.FormatText(result);

        Assert.StartsWith("Token: JWT v1.0, ", text, StringComparison.Ordinal);
        Assert.Contains("  aud   https://graph.microsoft.com\n", text, StringComparison.Ordinal);
        Assert.Contains("ERROR   wrong_audience (aud)\n", text, StringComparison.Ordinal);
        Assert.Contains("  Fix:    Request a token for Exchange Online", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatText_NoFindings_SaysSo()
    {
        Assert.Equal("No findings.\n", MailFindingFormatter.FormatText(Array.Empty<MailFinding>()));
    }

    [Fact]
    public void FormatJson_LoneSurrogateInText_StillWritesValidJson()
    {
        var json = MailFindingFormatter.FormatJson(new[] { new MailFinding("x", MailFindingSeverity.Info, "bad \ud800 text", "e", "f") });

        using var doc = JsonDocument.Parse(json);
        Assert.Equal("bad \ufffd text", doc.RootElement.GetProperty("findings")[0].GetProperty("observed").GetString());
    }
}
