using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace ModernAuth.Mail.Cli;

/// <summary>Adds an "Examples" section to a command's --help (System.CommandLine has none of its own).</summary>
internal static class HelpExamples
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, string> Examples = new();

    public static void Add(Command command, string examples) => Examples.AddOrUpdate(command, examples);

    /// <summary>Wraps the root's help action so every command's help ends with its examples.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction inner)
        {
            help.Action = new WithExamples(inner);
        }
    }

    private sealed class WithExamples(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = inner.Invoke(parseResult);
            if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples))
            {
                parseResult.InvocationConfiguration.Output.WriteLine(examples);
                parseResult.InvocationConfiguration.Output.WriteLine();
            }

            return result;
        }
    }
}
