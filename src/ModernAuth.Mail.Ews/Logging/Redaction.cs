using System.Text.RegularExpressions;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>Removes anything shaped like a token from text that is about to be logged.</summary>
internal static class Redaction
{
    public const int MaxLoggedChars = 64 * 1024;

    // A JWS (three base64url parts starting with a JSON header) and an opaque Microsoft account token (EwA.../EwB...).
    private static readonly Regex TokenShapes = new(
        @"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*|\bEw[A-Za-z][A-Za-z0-9+/=_\-]{60,}|Bearer\s+[A-Za-z0-9._~+/=\-]+",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public static string Redact(string text, string? token)
    {
        if (text.Length > MaxLoggedChars)
        {
            text = text.Substring(0, MaxLoggedChars) + "... (" + (text.Length - MaxLoggedChars).ToString(System.Globalization.CultureInfo.InvariantCulture) + " more characters)";
        }

        if (!string.IsNullOrEmpty(token))
        {
            text = text.Replace(token, "***");
        }

        try
        {
            return TokenShapes.Replace(text, "***");
        }
        catch (RegexMatchTimeoutException)
        {
            return "(body not logged: it could not be checked for tokens in time)";
        }
    }
}
