using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>Builds compact JWS tokens (RS256, or unsigned) from ordered claims.</summary>
internal static class JwtWriter
{
    public static string Write(IEnumerable<KeyValuePair<string, object?>> claims, RSA? key, string keyId)
    {
        var header = key is null
            ? new List<KeyValuePair<string, object?>> { new("typ", "JWT"), new("alg", "none") }
            : new List<KeyValuePair<string, object?>> { new("typ", "JWT"), new("alg", "RS256"), new("x5t", keyId), new("kid", keyId) };

        var signingInput = Base64Url.Encode(JsonValueWriter.ToUtf8(header)) + "." + Base64Url.Encode(JsonValueWriter.ToUtf8(claims));
        if (key is null)
        {
            return signingInput + ".";
        }

        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.Encode(signature);
    }
}
