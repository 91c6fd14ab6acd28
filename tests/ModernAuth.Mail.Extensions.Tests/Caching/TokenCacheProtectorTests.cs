using System.Text;
using ModernAuth.Mail.Extensions.Internal;
using ModernAuth.Mail.Extensions.Tests.Support;

namespace ModernAuth.Mail.Extensions.Tests.Caching;

public sealed class TokenCacheProtectorTests
{
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("{\"AccessToken\":{\"secret\":\"eyJ0eXAiOiJKV1Qi...\"}}");
    private readonly TokenCacheProtector _protector = new(TestIds.EncryptionKey, Array.Empty<string>());

    [Fact]
    public void Protect_RoundTrip_ReturnsPlaintextAndHidesIt()
    {
        var blob = _protector.Protect(Plaintext, "key");

        Assert.True(_protector.TryUnprotect(blob, "key", out var plaintext, out _));
        Assert.Equal(Plaintext, plaintext);
        Assert.DoesNotContain("AccessToken", Encoding.UTF8.GetString(blob), StringComparison.Ordinal);
        Assert.Equal(1, blob[0]);
    }

    [Fact]
    public void Protect_SamePlaintextTwice_DifferentCiphertext()
    {
        Assert.NotEqual(_protector.Protect(Plaintext, "key"), _protector.Protect(Plaintext, "key"));
    }

    [Fact]
    public void TryUnprotect_AnyByteFlipped_FailsWithReason()
    {
        var blob = _protector.Protect(Plaintext, "key");
        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;

            Assert.False(_protector.TryUnprotect(tampered, "key", out var plaintext, out var reason), $"byte {i}");
            Assert.Null(plaintext);
            Assert.False(string.IsNullOrEmpty(reason));
        }
    }

    [Fact]
    public void TryUnprotect_EntryCopiedUnderOtherKey_Fails()
    {
        var blob = _protector.Protect(Plaintext, "tenant-a");

        Assert.False(_protector.TryUnprotect(blob, "tenant-b", out _, out var reason));
        Assert.Contains("authentication tag", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryUnprotect_Garbage_FailsWithoutThrowing()
    {
        foreach (var garbage in new[] { Array.Empty<byte>(), Encoding.UTF8.GetBytes("not encrypted at all"), new byte[1000] })
        {
            Assert.False(_protector.TryUnprotect(garbage, "key", out _, out _));
        }
    }

    [Fact]
    public void TryUnprotect_WrittenWithPreviousKey_ReadableAfterRotation()
    {
        var old = new TokenCacheProtector(TestIds.OtherEncryptionKey, Array.Empty<string>());
        var rotated = new TokenCacheProtector(TestIds.EncryptionKey, new[] { TestIds.OtherEncryptionKey });
        var blob = old.Protect(Plaintext, "key");

        Assert.True(rotated.TryUnprotect(blob, "key", out var plaintext, out _));
        Assert.Equal(Plaintext, plaintext);
        Assert.False(_protector.TryUnprotect(blob, "key", out _, out var reason));
        Assert.Contains("neither EncryptionKey nor one of PreviousEncryptionKeys", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "is missing")]
    [InlineData("", "is missing")]
    [InlineData("not base64!", "is not base64")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "has 16 bytes, too few")]
    public void CheckKey_BadKey_SaysWhy(string? key, string expected)
    {
        Assert.StartsWith(expected, TokenCacheProtector.CheckKey(key), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckKey_GoodKey_Null()
    {
        Assert.Null(TokenCacheProtector.CheckKey(TestIds.EncryptionKey));
    }
}
