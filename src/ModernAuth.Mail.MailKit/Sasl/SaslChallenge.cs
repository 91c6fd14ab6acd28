using System.Text;

namespace ModernAuth.Mail.MailKit.Internal;

internal static class SaslChallenge
{
    private const int MaxLength = 4096;

    /// <summary>Decodes a server challenge (already base64-decoded by MailKit) as text, for diagnostics.</summary>
    public static string Decode(byte[]? token, int startIndex, int length)
    {
        if (token is null || length <= 0)
        {
            return string.Empty;
        }

        var text = Encoding.UTF8.GetString(token, startIndex, Math.Min(length, MaxLength));
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        return clean.ToString().Trim();
    }
}
