using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ModernAuth.Mail.Diagnostics;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// How fast <see cref="TokenInspector"/> explains a typical Exchange Online v1.0 app-only token, and that garbage
/// input costs time linear in its size: with the default 256 KiB cap (rejected unread) and with the cap lifted
/// (decoded in full and failing as malformed JSON).
/// </summary>
[MemoryDiagnoser]
public class TokenInspectorBenchmarks
{
    private readonly Dictionary<int, string> _garbage = new();
    private string _token = string.Empty;
    private TokenInspector _inspector = null!;
    private TokenInspector _uncapped = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa.ExportParameters(true)) { KeyId = "bench-key" };
        _token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["aud"] = "https://outlook.office365.com",
                ["iss"] = "https://sts.windows.net/3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d/",
                ["iat"] = now.AddMinutes(-10).ToUnixTimeSeconds(),
                ["nbf"] = now.AddMinutes(-10).ToUnixTimeSeconds(),
                ["exp"] = now.AddMinutes(50).ToUnixTimeSeconds(),
                ["aio"] = "E2NgYJj8qW7z+Xs7d5k0e3bT0lD6AQA=",
                ["app_displayname"] = "Contoso Mail Reader",
                ["appid"] = "6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b",
                ["appidacr"] = "1",
                ["idp"] = "https://sts.windows.net/3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d/",
                ["idtyp"] = "app",
                ["oid"] = "a1b2c3d4-e5f6-4a5b-9c8d-7e6f5a4b3c2d",
                ["rh"] = "0.AXkAStEdPF5ve0qMnQ4fKjtMXQIAAAAAAPEPzgAAAAAAAAB5AAA.",
                ["roles"] = new[] { "IMAP.AccessAsApp", "SMTP.SendAsApp" },
                ["sid"] = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
                ["sub"] = "a1b2c3d4-e5f6-4a5b-9c8d-7e6f5a4b3c2d",
                ["tid"] = "3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                ["uti"] = "kVbX2QeP0U6m3a9Jc8FhAA",
                ["ver"] = "1.0",
                ["wids"] = new[] { "0997a1d0-0d1d-4acb-b408-d5ca73121e90" },
            },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

        var options = new TokenInspectorOptions
        {
            Protocol = MailProtocol.Imap,
            AppOnly = true,
            Mailbox = "shared@contoso.com",
            TenantId = "3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            ClientId = "6b1f0e7a-2c3d-4e5f-9a8b-7c6d5e4f3a2b",
            TimeProvider = new FixedTime(now),
        };
        _inspector = new TokenInspector(options);
        options.MaxTokenLength = int.MaxValue;
        _uncapped = new TokenInspector(options);

        var random = new Random(42);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        foreach (var megabytes in new[] { 1, 2, 4 })
        {
            // Shaped like a JWT (eyJ... with two dots) so the uncapped inspector decodes all of it.
            var chars = new char[megabytes * 1024 * 1024];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            chars[0] = 'e';
            chars[1] = 'y';
            chars[2] = 'J';
            chars[chars.Length / 2] = '.';
            chars[chars.Length - 100] = '.';
            _garbage[megabytes] = new string(chars);
        }
    }

    /// <summary>A typical Exchange Online v1.0 app-only token with every expectation configured.</summary>
    [Benchmark(Baseline = true)]
    public TokenInspectionResult InspectAppOnlyToken() => _inspector.Inspect(_token);

    /// <summary>Garbage over the default cap: fingerprinted and rejected unread.</summary>
    [Benchmark]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(4)]
    public TokenInspectionResult InspectGarbageCapped(int megabytes) => _inspector.Inspect(_garbage[megabytes]);

    /// <summary>Garbage with the cap lifted: scanned, base64url-decoded and parsed in full.</summary>
    [Benchmark]
    [Arguments(1)]
    [Arguments(2)]
    [Arguments(4)]
    public TokenInspectionResult InspectGarbageUncapped(int megabytes) => _uncapped.Inspect(_garbage[megabytes]);

    private sealed class FixedTime : TimeProvider
    {
        private readonly DateTimeOffset _now;

        public FixedTime(DateTimeOffset now) => _now = now;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
