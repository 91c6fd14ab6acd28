using System.Text;
using System.Text.RegularExpressions;

namespace ModernAuth.Mail;

/// <summary>
/// One thing wrong with a <see cref="MailTokenProviderSettings"/>: which setting, what is wrong and what to put there.
/// The message names settings by their property names (<c>ClientId</c>); each front end shows them the way its users
/// spell them with <see cref="Format"/> (<c>ModernAuthMail:Providers:inbox:ClientId</c>, <c>--client-id</c>, ...).
/// Secrets are never part of a message.
/// </summary>
public sealed class MailSettingsFailure
{
    private const char KeyStart = '\u0001';
    private const char KeyEnd = '\u0002';
    private static readonly Regex KeyPattern = new("\u0001([A-Za-z]+)\u0002", RegexOptions.CultureInvariant);
    private readonly string _template;

    internal MailSettingsFailure(string setting, string template)
    {
        Setting = setting;
        _template = template;
    }

    /// <summary>The setting at fault (a property name of <see cref="MailTokenProviderSettings"/>, for example <c>ClientId</c>).</summary>
    public string Setting { get; }

    /// <summary>The message, with every setting named by <paramref name="describeSetting"/>.</summary>
    /// <param name="describeSetting">Turns a property name (<c>ClientId</c>) into the way the user spells it.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="describeSetting"/> is <see langword="null"/>.</exception>
    public string Format(Func<string, string> describeSetting)
    {
        if (describeSetting is null)
        {
            throw new ArgumentNullException(nameof(describeSetting));
        }

        return KeyPattern.Replace(_template, match => describeSetting(match.Groups[1].Value));
    }

    /// <summary>The message with settings named by their property names.</summary>
    /// <returns>The message.</returns>
    public override string ToString() => Format(static name => name);

    /// <summary>A setting's name as a placeholder in a template.</summary>
    internal static string Key(string setting) => KeyStart + setting + KeyEnd;

    /// <summary>A user's value as it may appear in a message: quoted, short, without control characters (no log forging).</summary>
    internal static string Value(string? value)
    {
        var text = value ?? string.Empty;
        var builder = new StringBuilder(Math.Min(text.Length, 80) + 2).Append('\'');
        foreach (var c in text)
        {
            if (builder.Length > 80)
            {
                builder.Append("...");
                break;
            }

            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.Append('\'').ToString();
    }
}
