using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ModernAuth.Mail.PowerShell.Sending;

/// <summary>Tab completion for -Encoding with the names <see cref="EncodingTransformationAttribute"/> knows.</summary>
public sealed class EncodingCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        EncodingTransformationAttribute.Names
            .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n));
}
