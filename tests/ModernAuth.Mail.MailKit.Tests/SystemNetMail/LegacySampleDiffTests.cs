namespace ModernAuth.Mail.MailKit.Tests.SystemNetMail;

/// <summary>
/// The retrofit is one client swap: samples/LegacySystemNetMail/After/Program.cs is Before/Program.cs with exactly the
/// lines docs/smtpclient.md shows in its diff changed (comments and blank lines aside), and nothing else.
/// </summary>
public sealed class LegacySampleDiffTests
{
    [Fact]
    public void AfterProgram_DiffersFromBeforeProgram_OnlyInTheDocumentedLines()
    {
        var root = RepositoryRoot.Path;
        var before = CodeLines(Path.Combine(root, "samples", "LegacySystemNetMail", "Before", "Program.cs"));
        var after = CodeLines(Path.Combine(root, "samples", "LegacySystemNetMail", "After", "Program.cs"));

        var documented = DocumentedDiff(Path.Combine(root, "docs", "smtpclient.md"));

        Assert.Equal(documented, Diff(before, after));
        // The swap itself is in it.
        Assert.Contains("-using var client = new SmtpClient(sandbox.Host, sandbox.SubmissionPort)", documented);
        Assert.Contains("+using var client = new ModernAuthSmtpClient(provider, connect)", documented);
    }


    private static string[] CodeLines(string path) => File.ReadAllLines(path)
        .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("//", StringComparison.Ordinal))
        .ToArray();

    /// <summary>The lines of the first <c>```diff</c> block under "## The retrofit".</summary>
    private static string[] DocumentedDiff(string path)
    {
        var lines = File.ReadAllLines(path);
        var section = Array.FindIndex(lines, l => l.StartsWith("## The retrofit", StringComparison.Ordinal));
        Assert.True(section >= 0, "docs/smtpclient.md has no '## The retrofit' section.");
        var start = Array.FindIndex(lines, section, l => l.Trim() == "```diff");
        var end = Array.FindIndex(lines, start + 1, l => l.Trim() == "```");
        return lines[(start + 1)..end].ToArray();
    }

    /// <summary>A line diff (longest common subsequence): "-" lines only in <paramref name="a"/>, "+" lines only in <paramref name="b"/>, in order.</summary>
    private static string[] Diff(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var result = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                result.Add("-" + a[x++]);
            }
            else
            {
                result.Add("+" + b[y++]);
            }
        }

        return result.ToArray();
    }
}
