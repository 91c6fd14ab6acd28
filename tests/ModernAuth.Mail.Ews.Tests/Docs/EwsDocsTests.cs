using System.Reflection;
using System.Text.RegularExpressions;
using ModernAuth.Mail.Ews.Tests.Support;

namespace ModernAuth.Mail.Ews.Tests.Docs;

/// <summary>docs/ews.md lists exactly the codes and log events of the package, so neither drifts.</summary>
public partial class EwsDocsTests
{
    private static string Doc => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "ews.md"));

    [Fact]
    public void EwsDoc_ListsExactlyTheErrorCodes()
    {
        var documented = CodeHeading().Matches(Doc).Select(m => m.Groups[1].Value).ToList();
        var inCode = typeof(EwsErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(inCode.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EwsDoc_ListsEveryLogEventId()
    {
        var ids = typeof(EwsClient).Assembly.GetType("ModernAuth.Mail.Ews.Internal.Log")!
            .GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => m.GetCustomAttribute<Microsoft.Extensions.Logging.LoggerMessageAttribute>())
            .OfType<Microsoft.Extensions.Logging.LoggerMessageAttribute>()
            .ToList();

        Assert.NotEmpty(ids);
        Assert.All(ids, a => Assert.Contains($"| {a.EventId} | `{a.EventName}`", Doc, StringComparison.Ordinal));
        Assert.All(ids, a => Assert.InRange(a.EventId, 3000, 3099));
        Assert.Equal(ids.Count, ids.Select(a => a.EventId).Distinct().Count());
    }

    [GeneratedRegex(@"^#### `([a-z0-9_]+)`\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeHeading();
}
