namespace ModernAuth.Mail;

/// <summary>
/// Base64url (RFC 4648 §5) as JWTs use it: an encoder without padding, and a strict, non-throwing decoder (which also
/// accepts the standard alphabet and padding). One source file, linked into every package that needs it.
/// </summary>
internal static class Base64Url
{
    private static readonly sbyte[] Map = BuildMap();

    /// <summary>Encodes <paramref name="data"/> without padding.</summary>
    public static string Encode(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Encodes the UTF-8 bytes of <paramref name="text"/> without padding.</summary>
    public static string Encode(string text) => Encode(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Decodes <paramref name="length"/> characters of <paramref name="text"/> from <paramref name="start"/>; <see langword="null"/> when invalid.</summary>
    public static byte[]? TryDecode(string text, int start, int length)
    {
        // Padding is optional: drop it, then check what remains.
        while (length > 0 && text[start + length - 1] == '=')
        {
            length--;
        }

        if (length <= 0 || length % 4 == 1)
        {
            return null;
        }

        var output = new byte[length * 3 / 4];
        int acc = 0, bits = 0, o = 0;
        for (var i = start; i < start + length; i++)
        {
            var c = text[i];
            var v = c < 128 ? Map[c] : (sbyte)-1;
            if (v < 0)
            {
                return null;
            }

            acc = (acc << 6) | (byte)v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[o++] = (byte)(acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }

        return o == output.Length ? output : null;
    }

    /// <summary>Decodes a whole string; <see langword="null"/> when invalid.</summary>
    public static byte[]? TryDecode(string text) => text is null ? null : TryDecode(text, 0, text.Length);

    private static sbyte[] BuildMap()
    {
        var map = new sbyte[128];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = -1;
        }

        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (var i = 0; i < alphabet.Length; i++)
        {
            map[alphabet[i]] = (sbyte)i;
        }

        map['-'] = 62;
        map['+'] = 62;
        map['_'] = 63;
        map['/'] = 63;
        return map;
    }
}
