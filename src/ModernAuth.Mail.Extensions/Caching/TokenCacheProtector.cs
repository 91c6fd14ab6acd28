using System.Security.Cryptography;
using System.Text;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>
/// Encrypts token cache entries at rest: AES-256-CBC with a random IV, then HMAC-SHA256 over the header, IV,
/// ciphertext and the entry's cache key (encrypt-then-MAC, so a tampered or swapped entry is rejected before any
/// decryption). AES-GCM would be simpler but is not in netstandard2.0, which .NET Framework apps consume.
/// </summary>
/// <remarks>
/// Layout: version (1 byte, 1) | key id (4 bytes) | IV (16 bytes) | ciphertext (a multiple of 16 bytes) | tag (32 bytes).
/// The encryption and MAC keys are derived from the configured key with HMAC-SHA256 and distinct labels; the key id
/// (derived the same way) picks the key while keys rotate.
/// </remarks>
internal sealed class TokenCacheProtector
{
    public const int MinimumKeyBytes = 32;
    private const byte Version = 1;
    private const int KeyIdLength = 4;
    private const int IvLength = 16;
    private const int TagLength = 32;
    private const int HeaderLength = 1 + KeyIdLength;

    private readonly DerivedKey _current;
    private readonly DerivedKey[] _all;

    public TokenCacheProtector(string encryptionKey, IEnumerable<string> previousKeys)
    {
        _current = new DerivedKey(Convert.FromBase64String(encryptionKey.Trim()));
        _all = new[] { _current }.Concat(previousKeys.Select(k => new DerivedKey(Convert.FromBase64String(k.Trim())))).ToArray();
    }

    /// <summary>Says what is wrong with a configured key, or <see langword="null"/> when it is fine. Never shows the key.</summary>
    public static string? CheckKey(string? key)
    {
        const string Advice = "use at least 32 random bytes in base64 (for example the output of `openssl rand -base64 32`), the same on every instance, from a secret store or an environment variable such as ModernAuthMail__TokenCache__EncryptionKey.";
        if (string.IsNullOrWhiteSpace(key))
        {
            return "is missing: " + Advice;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(key!.Trim());
        }
        catch (FormatException)
        {
            return "is not base64: " + Advice;
        }

        return bytes.Length < MinimumKeyBytes ? $"has {bytes.Length} bytes, too few: " + Advice : null;
    }

    public byte[] Protect(byte[] plaintext, string cacheKey)
    {
        using var aes = Aes.Create();
        aes.Mode = CipherMode.CBC;
        aes.Padding = PaddingMode.PKCS7;
        aes.Key = _current.EncryptionKey;
        aes.GenerateIV();
        byte[] ciphertext;
        using (var encryptor = aes.CreateEncryptor())
        {
            ciphertext = encryptor.TransformFinalBlock(plaintext, 0, plaintext.Length);
        }

        var blob = new byte[HeaderLength + IvLength + ciphertext.Length + TagLength];
        blob[0] = Version;
        Buffer.BlockCopy(_current.Id, 0, blob, 1, KeyIdLength);
        Buffer.BlockCopy(aes.IV, 0, blob, HeaderLength, IvLength);
        Buffer.BlockCopy(ciphertext, 0, blob, HeaderLength + IvLength, ciphertext.Length);
        var tag = ComputeTag(_current.MacKey, blob, blob.Length - TagLength, cacheKey);
        Buffer.BlockCopy(tag, 0, blob, blob.Length - TagLength, TagLength);
        return blob;
    }

    /// <summary>Decrypts an entry; on failure says why in words safe to log (never any of the data).</summary>
    public bool TryUnprotect(byte[] blob, string cacheKey, out byte[]? plaintext, out string reason)
    {
        plaintext = null;
        var ciphertextLength = blob.Length - HeaderLength - IvLength - TagLength;
        if (ciphertextLength < 16 || ciphertextLength % 16 != 0 || blob[0] != Version)
        {
            reason = "not an encrypted token cache entry (wrong size or version)";
            return false;
        }

        var key = _all.FirstOrDefault(k => SameBytes(k.Id, 0, blob, 1, KeyIdLength));
        if (key is null)
        {
            reason = "encrypted with a key that is neither EncryptionKey nor one of PreviousEncryptionKeys";
            return false;
        }

        var expected = ComputeTag(key.MacKey, blob, blob.Length - TagLength, cacheKey);
        if (!FixedTimeEquals(expected, blob, blob.Length - TagLength))
        {
            reason = "its authentication tag does not match (damaged, tampered with, or stored under another key)";
            return false;
        }

        try
        {
            using var aes = Aes.Create();
            aes.Mode = CipherMode.CBC;
            aes.Padding = PaddingMode.PKCS7;
            aes.Key = key.EncryptionKey;
            var iv = new byte[IvLength];
            Buffer.BlockCopy(blob, HeaderLength, iv, 0, IvLength);
            aes.IV = iv;
            using var decryptor = aes.CreateDecryptor();
            plaintext = decryptor.TransformFinalBlock(blob, HeaderLength + IvLength, ciphertextLength);
            reason = string.Empty;
            return true;
        }
        catch (CryptographicException)
        {
            reason = "it does not decrypt";
            return false;
        }
    }

    private static byte[] ComputeTag(byte[] macKey, byte[] blob, int length, string cacheKey)
    {
        using var hmac = new HMACSHA256(macKey);
        var keyBytes = Encoding.UTF8.GetBytes(cacheKey);
        hmac.TransformBlock(blob, 0, length, null, 0);
        hmac.TransformFinalBlock(keyBytes, 0, keyBytes.Length);
        return hmac.Hash!;
    }

    private static bool FixedTimeEquals(byte[] expected, byte[] blob, int offset)
    {
        var difference = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference |= expected[i] ^ blob[offset + i];
        }

        return difference == 0;
    }

    private static bool SameBytes(byte[] a, int aOffset, byte[] b, int bOffset, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (a[aOffset + i] != b[bOffset + i])
            {
                return false;
            }
        }

        return true;
    }

    private sealed class DerivedKey
    {
        public DerivedKey(byte[] masterKey)
        {
            using var hmac = new HMACSHA256(masterKey);
            EncryptionKey = hmac.ComputeHash(Encoding.ASCII.GetBytes("ModernAuth.Mail token cache v1: AES-256-CBC key"));
            MacKey = hmac.ComputeHash(Encoding.ASCII.GetBytes("ModernAuth.Mail token cache v1: HMAC-SHA256 key"));
            Id = hmac.ComputeHash(Encoding.ASCII.GetBytes("ModernAuth.Mail token cache v1: key id")).Take(KeyIdLength).ToArray();
        }

        public byte[] EncryptionKey { get; }

        public byte[] MacKey { get; }

        public byte[] Id { get; }
    }
}
