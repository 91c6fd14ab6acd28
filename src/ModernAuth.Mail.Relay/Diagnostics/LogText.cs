using System.Text;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>Client-supplied text made safe for logs.</summary>
internal static class LogText
{
    /// <summary>The longest user name logged; a longer one (often a password typed into the user field) is cut.</summary>
    public const int MaxUserNameLength = 64;

    /// <summary>
    /// A user name as the client gave it, cut to <see cref="MaxUserNameLength"/> characters and with control characters
    /// (CR and LF forge log lines) replaced by <c>?</c>.
    /// </summary>
    public static string UserName(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "(empty)";
        }

        var cut = text.Length > MaxUserNameLength;
        var builder = new StringBuilder(Math.Min(text.Length, MaxUserNameLength) + 3);
        foreach (var c in cut ? text.AsSpan(0, MaxUserNameLength) : text.AsSpan())
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c);
        }

        return cut ? builder.Append("...").ToString() : builder.ToString();
    }
}
