using System.Reflection;
using System.Text.RegularExpressions;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Tests.Diagnostics;

/// <summary>docs/troubleshooting.md and the code list the same codes, so neither drifts from the other.</summary>
public class TroubleshootingDocTests
{
    [Fact]
    public void TroubleshootingDoc_ListsExactlyTheCodesOfTheCatalogs()
    {
        var documented = Regex.Matches(File.ReadAllText(RepositoryRoot.File("docs", "troubleshooting.md")), @"^#### `([a-z0-9_]+)`\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToList();
        var inCode = Constants(typeof(MailFindingCodes)).Concat(Constants(typeof(MailErrorCodes))).Concat(MailResponseCatalog.Codes).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(documented.Count, documented.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(inCode.Except(documented).OrderBy(c => c, StringComparer.Ordinal)); // in code, not documented
        Assert.Empty(documented.Except(inCode).OrderBy(c => c, StringComparer.Ordinal)); // documented, not in code
    }

    [Fact]
    public void Catalog_ReturnsOnlyCodesThatAreConstants()
    {
        var constants = Constants(typeof(MailFindingCodes)).Concat(Constants(typeof(MailErrorCodes))).ToHashSet(StringComparer.Ordinal);

        Assert.All(MailResponseCatalog.Codes, code => Assert.Contains(code, constants));
    }

    [Fact]
    public void Codes_AreStableSnakeCase()
    {
        Assert.All(Constants(typeof(MailFindingCodes)), code => Assert.Matches("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", code));
    }

    [Fact]
    public void DiagnosticsJsonDoc_NamesEveryField()
    {
        var doc = File.ReadAllText(RepositoryRoot.File("docs", "diagnostics-json.md"));
        var fields = new[]
        {
            "schemaVersion", "kind", "token", "hasErrors", "findings", "code", "severity", "claim", "observed", "explanation", "fix",
            "length", "fingerprint", "version", "algorithm", "keyId", "audience", "issuer", "tenantId", "appId", "appDisplayName", "user",
            "objectId", "scopes", "roles", "appOnly", "expiresOn", "notBefore", "issuedAt", "reply", "recognised", "retryable", "source",
            "status", "enhancedStatusCode", "serverText", "remedy", "backoffMilliseconds", "aadstsCode", "traceId", "correlationId",
            "timestamp", "serverTrace",
        };

        Assert.All(fields, field => Assert.Contains("`" + field + "`", doc, StringComparison.Ordinal));
    }

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

}
