namespace ModernAuth.Mail.Tests.Shared;

/// <summary>docs/configuration.md's one table of provider settings, read by the tests that check each front end's column against the code.</summary>
public static class SettingsTable
{
    /// <summary>The column headers, in order.</summary>
    public static IReadOnlyList<string> Headers => Read().Headers;

    /// <summary>The rows by setting name; each row's cells in the order of <see cref="Headers"/>.</summary>
    public static IReadOnlyDictionary<string, string[]> Rows => Read().Rows;

    /// <summary>A row's cell under a header.</summary>
    public static string Cell(string setting, string header)
    {
        var (headers, rows) = Read();
        var column = headers.ToList().IndexOf(header);
        Assert.True(column >= 0, $"docs/configuration.md's settings table has no column \"{header}\"");
        return rows[setting][column];
    }

    private static (string[] Headers, Dictionary<string, string[]> Rows) Read()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("docs", "configuration.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("| setting | flows |", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/configuration.md has no settings table");
        static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        var headers = Cells(lines[start]);
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = Cells(line);
            Assert.Equal(headers.Length, cells.Length);
            rows.Add(cells[0].Trim('`'), cells);
        }

        return (headers, rows);
    }
}
