using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Internal;

/// <summary>Cheap, allocation-light facts about a token string that never reveal it.</summary>
internal static class TokenShape
{
    /// <summary>Whether the string has the shape header.payload.signature of base64url parts (a JWS).</summary>
    public static bool LooksLikeJwt(string token)
    {
        var first = token.IndexOf('.');
        if (first <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', first + 1);
        if (second <= first + 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.';
            if (!ok)
            {
                return false;
            }
        }

        // A JWS header is base64url JSON: it starts with "{" which encodes as "ey".
        return token.Length > 2 && token[0] == 'e' && token[1] == 'y';
    }

    /// <summary>The first 8 hex digits of the SHA-256 of the token: enough to tell tokens apart in logs.</summary>
    public static string Fingerprint(string token)
    {
#if NET5_0_OR_GREATER
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
#else
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(token));
#endif
        var sb = new StringBuilder(8);
        for (var i = 0; i < 4; i++)
        {
            sb.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
