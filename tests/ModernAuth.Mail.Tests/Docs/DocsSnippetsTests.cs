using System.Text.RegularExpressions;
using ModernAuth.Mail.Tests.Support;

namespace ModernAuth.Mail.Tests.Docs;

/// <summary>Every C# block in README.md and docs/ must be code that compiles: it has to appear in a project's source.</summary>
public partial class DocsSnippetsTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in MarkdownFiles())
        {
            var count = CSharpBlock().Matches(File.ReadAllText(file)).Count;
            for (var i = 0; i < count; i++)
            {
                data.Add(System.IO.Path.GetRelativePath(RepositoryRoot.Path, file), i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CSharpBlock_InMarkdown_AppearsInCompiledSource(string markdownFile, int index)
    {
        var block = CSharpBlock().Matches(File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, markdownFile)))[index].Groups[1].Value;
        var wanted = Normalize(block);

        var sources = new[] { "samples", "src", "tests" }
            .Select(d => System.IO.Path.Combine(RepositoryRoot.Path, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        Assert.True(sources.Any(f => Normalize(File.ReadAllText(f)).Contains(wanted, StringComparison.Ordinal)),
            $"Block {index} of {markdownFile} is not in any compiled source file under samples/, src/ or tests/:\n{block}");
    }

    [Fact]
    public void Blocks_ReadmeHasQuickStarts()
    {
        Assert.True(Blocks().Count(row => (string)row[0] == "README.md") >= 3);
    }

    private static IEnumerable<string> MarkdownFiles()
    {
        yield return System.IO.Path.Combine(RepositoryRoot.Path, "README.md");
        var docs = System.IO.Path.Combine(RepositoryRoot.Path, "docs");
        if (Directory.Exists(docs))
        {
            foreach (var file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories))
            {
                yield return file;
            }
        }
    }

    // Comments may differ (docs explain more than tests do); code may not.
    private static string Normalize(string text) => Whitespace().Replace(LineComment().Replace(text, string.Empty), " ").Trim();

    [GeneratedRegex(@"(?m)(^|\s)//.*$")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"```csharp\r?\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
