using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.Cli.Tests.Docs;

/// <summary>
/// Every <c>modernauth-mail ...</c> command line of README.md, docs/*.md and src/*/README.md goes through the tool's
/// real parser (System.CommandLine, nothing runs), so a documented command cannot drift from the tool. Placeholders
/// such as <c>&lt;app id&gt;</c> are values.
/// </summary>
public sealed partial class DocumentedCommandLinesTests
{
    public static TheoryData<string, int, string> CommandLines()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var (file, line, commandLine) in Find(RepositoryRoot.Path))
        {
            data.Add(file, line, commandLine);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void DocumentedCommandLine_ParsesWithTheRealParser(string file, int line, string commandLine)
    {
        var args = Tokenize(commandLine).Skip(1).ToArray();
        using var output = new StringWriter();
        var console = new CliConsole { Out = output, Error = output, In = TextReader.Null, GetEnvironmentVariable = _ => null };

        var parse = CliApp.BuildRoot(console, new GlobalOptions()).Parse(args);

        Assert.True(
            parse.Errors.Count == 0,
            $"{file}:{line}: `{commandLine}` does not parse: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    }

    [Fact]
    public void Find_TheDocsHaveCommandLinesInBlocksAndInline()
    {
        var found = Find(RepositoryRoot.Path).ToList();

        Assert.Contains(found, f => f.File == "README.md" && f.CommandLine.StartsWith("modernauth-mail --sandbox send", StringComparison.Ordinal));
        Assert.Contains(found, f => f.File == "docs/cli.md" && f.CommandLine.Contains("--certificate-path", StringComparison.Ordinal)); // a continued line
        Assert.Contains(found, f => f.File == "docs/getting-started.md" && f.CommandLine.Contains("<app id>", StringComparison.Ordinal)); // inline code
        Assert.Contains(found, f => f.File == "docs/relay.md" && f.CommandLine.StartsWith("modernauth-mail relay", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("modernauth-mail test all --client-id <app id> --mailbox shared@contoso.com", new[] { "modernauth-mail", "test", "all", "--client-id", "<app id>", "--mailbox", "shared@contoso.com" })]
    [InlineData("modernauth-mail explain \"535 5.7.3 Authentication unsuccessful\" --json", new[] { "modernauth-mail", "explain", "535 5.7.3 Authentication unsuccessful", "--json" })]
    [InlineData("modernauth-mail relay hash-password < password.txt", new[] { "modernauth-mail", "relay", "hash-password" })]
    [InlineData("modernauth-mail relay status --spool /var/spool/relay   # the queue", new[] { "modernauth-mail", "relay", "status", "--spool", "/var/spool/relay" })]
    [InlineData("modernauth-mail inspect - --json > report.json", new[] { "modernauth-mail", "inspect", "-", "--json" })]
    public void Tokenize_ShellLine_GivesTheArgumentsTheShellWould(string line, string[] expected)
    {
        Assert.Equal(expected, Tokenize(line));
    }

    [Fact]
    public void DocumentedCommandLine_AnUnknownOption_FailsNamingFileAndLine()
    {
        // The check itself must be able to fail: the command line docs/relay.md once had.
        var ex = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DocumentedCommandLine_ParsesWithTheRealParser("docs/relay.md", 22, "modernauth-mail relay --config /etc/modernauth-mail/relay.json"));

        Assert.Contains("docs/relay.md:22", ex.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<(string File, int Line, string CommandLine)> Find(string root)
    {
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.EnumerateDirectories(Path.Combine(root, "src")).Select(d => Path.Combine(d, "README.md")).Where(File.Exists))
            .OrderBy(f => f, StringComparer.Ordinal);
        foreach (var path in files)
        {
            var file = Path.GetRelativePath(root, path).Replace('\\', '/');
            var lines = File.ReadAllLines(path);
            string? fence = null;
            for (var i = 0; i < lines.Length; i++)
            {
                var text = lines[i];
                if (text.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    fence = fence is null ? text.Trim()[3..].Trim() : null;
                    continue;
                }

                if (fence is null)
                {
                    // Prose: a command line in inline code.
                    foreach (Match span in InlineCommand().Matches(text))
                    {
                        yield return (file, i + 1, span.Groups["command"].Value.Trim());
                    }

                    continue;
                }

                if (fence is "csharp" or "json" or "xml")
                {
                    continue;
                }

                // A shell line, continued with a trailing backslash.
                var number = i + 1;
                while (text.EndsWith('\\') && i + 1 < lines.Length)
                {
                    text = text[..^1] + " " + lines[++i].Trim();
                }

                foreach (var segment in SplitPipes(text))
                {
                    var start = CommandStart().Match(segment);
                    if (start.Success)
                    {
                        yield return (file, number, segment[start.Index..].Trim());
                    }
                }
            }
        }
    }

    /// <summary>Splits at unquoted pipes: each side is its own command.</summary>
    private static IEnumerable<string> SplitPipes(string line)
    {
        var current = new StringBuilder();
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else if (quote is null && c == '|')
            {
                yield return current.ToString();
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        yield return current.ToString();
    }

    /// <summary>
    /// The arguments a POSIX shell would pass: quotes removed, a backslash escapes, an unquoted # starts a comment,
    /// redirections (&lt; file, &gt; file) are the shell's. A placeholder such as &lt;app id&gt; is one value.
    /// </summary>
    private static List<string> Tokenize(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inToken = false;
        var skipNext = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                Flush();
                continue;
            }

            if (c == '#' && !inToken)
            {
                break;
            }

            if ((c is '<' or '>') && !inToken && (i + 1 == line.Length || char.IsWhiteSpace(line[i + 1])))
            {
                // A redirection: it and its target are not arguments.
                skipNext = true;
                continue;
            }

            if (c == '<' && !inToken && line.IndexOf('>', i) is var close and > 0)
            {
                current.Append(line, i, close - i + 1);
                inToken = true;
                i = close;
                continue;
            }

            inToken = true;
            if (c is '"' or '\'')
            {
                var end = line.IndexOf(c, i + 1);
                var quoted = end < 0 ? line[(i + 1)..] : line[(i + 1)..end];
                current.Append(c == '"' ? quoted.Replace("\\\"", "\"", StringComparison.Ordinal) : quoted);
                i = end < 0 ? line.Length : end;
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
            }
            else
            {
                current.Append(c);
            }
        }

        Flush();
        return args;

        void Flush()
        {
            if (!inToken)
            {
                return;
            }

            if (skipNext)
            {
                skipNext = false;
            }
            else
            {
                args.Add(current.ToString());
            }

            current.Clear();
            inToken = false;
        }
    }


    // modernauth-mail at the start of a command: after white space, a pipe, an assignment (VAR=... modernauth-mail) or a
    // directory (ExecStart=/usr/local/bin/modernauth-mail); not modernauth-mail.exe or modernauth-mail-relay.
    [GeneratedRegex(@"(?<![\w.-])(?:/[\w./-]*/)?modernauth-mail(?=\s|$)")]
    private static partial Regex CommandStart();

    [GeneratedRegex(@"`(?<command>modernauth-mail\s[^`]+)`")]
    private static partial Regex InlineCommand();
}
