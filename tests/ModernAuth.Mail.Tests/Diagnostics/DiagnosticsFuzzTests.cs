using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ModernAuth.Mail.Diagnostics;
using Xunit.Abstractions;

namespace ModernAuth.Mail.Tests.Diagnostics;

/// <summary>
/// Random and mutated tokens and replies: the inspector and the catalog must never throw, never echo a token's
/// signature, and stay fast on every single input. Set MODERNAUTH_FUZZ_SEED to replay a failing run.
/// </summary>
[Collection(nameof(DiagnosticsFuzzTests))]
public class DiagnosticsFuzzTests
{
    private const int TokenInputs = 60_000;
    private const int ReplyInputs = 40_000;
    private static readonly TimeSpan PerInputBound = TimeSpan.FromMilliseconds(250);

    private static readonly string[] KnownClaims = { "aud", "iss", "tid", "appid", "azp", "upn", "preferred_username", "unique_name", "oid", "scp", "roles", "exp", "nbf", "iat", "ver", "idtyp" };

    private static readonly string[] Replies =
    {
        "A1 NO AUTHENTICATE failed.", "* BAD User is authenticated but not connected.", "A7 BAD Request is throttled. Suggested Backoff Time: 186321 milliseconds",
        "-ERR Authentication failure: unknown user name or bad password.", "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com 2026-03-02T10:00:01.234Z 08DE3A1B2C3D4E5F]",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
        "535-5.7.139 Authentication unsuccessful,\r\n535 5.7.139 basic authentication is disabled.", "530 5.7.57 Client not authenticated to send mail",
        "550 5.7.30 Basic authentication is not supported for Client Submission.", "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException",
        "430 4.2.0 STOREDRV; mailbox logon failure", "AADSTS7000215: Invalid client secret provided. Trace ID: 0a1b2c3d-1111-2222-3333-444455556666 Correlation ID: 9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-03-02 10:00:00Z",
        "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}", "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=", "A1 NO [AUTHENTICATIONFAILED] Authentication failed.",
        "-ERR [SYS/TEMP] Temporary authentication failure.", "535 5.7.8 Error: authentication failed: (reason unavailable)",
    };

    private readonly ITestOutputHelper _output;

    public DiagnosticsFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void InspectAndExplain_100000RandomAndMutatedInputs_NeverThrowNeverLeakAndStayFast()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MODERNAUTH_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20260302;
        var random = new Random(seed);
        var inspector = new TokenInspector(new TokenInspectorOptions
        {
            Protocol = MailProtocol.Imap,
            Mailbox = "shared@contoso.com",
            TenantId = TestTokens.TenantId,
            ClientId = TestTokens.ClientId,
            TimeProvider = new FakeTimeProvider(TestTokens.Now),
        });
        var catalog = MailResponseCatalog.Default;
        var seeds = new[]
        {
            TestTokens.MintAppOnly("IMAP.AccessAsApp"), TestTokens.MintAppOnly(), TestTokens.MintDelegated("IMAP.AccessAsUser.All offline_access"),
            TestTokens.MintDelegated("SMTP.Send", "bob@contoso.com"),
        };

        // Warm up the JIT so the per-input bound measures the code, not the first call.
        inspector.Inspect(seeds[0]);
        catalog.Explain(Replies[0]);

        var slowest = TimeSpan.Zero;
        var slowestWhat = string.Empty;
        var total = Stopwatch.StartNew();
        var watch = new Stopwatch();
        var i = 0;
        var kinds = new int[3];
        try
        {
            for (i = 0; i < TokenInputs; i++)
            {
                var input = NextToken(random, seeds, i);
                watch.Restart();
                var result = inspector.Inspect(input);
                watch.Stop();
                Track(Settle(watch.Elapsed, () => inspector.Inspect(input)), "token #" + i.ToString(CultureInfo.InvariantCulture) + " (" + (input?.Length ?? -1).ToString(CultureInfo.InvariantCulture) + " chars)");

                Assert.NotNull(result);
                Assert.NotEmpty(result.Findings);
                kinds[(int)result.Summary.Kind]++;
                if (i % 20 == 0)
                {
                    var rendered = MailFindingFormatter.FormatJson(result) + MailFindingFormatter.FormatText(result);
                    AssertNoSignature(input, rendered);
                }
                else
                {
                    AssertNoSignature(input, string.Concat(result.Findings.Select(f => f.Observed + f.Explanation + f.Fix)));
                }
            }

            for (i = 0; i < ReplyInputs; i++)
            {
                var input = NextReply(random, seeds);
                var protocol = (MailProtocol)random.Next(-1, 4);
                watch.Restart();
                var explanation = catalog.Explain(input, protocol);
                watch.Stop();
                Track(Settle(watch.Elapsed, () => catalog.Explain(input, protocol)), "reply #" + i.ToString(CultureInfo.InvariantCulture) + " (" + (input?.Length ?? -1).ToString(CultureInfo.InvariantCulture) + " chars)");

                Assert.NotNull(explanation);
                if (i % 20 == 0)
                {
                    MailFindingFormatter.FormatJson(explanation);
                }
            }
        }
        catch
        {
            _output.WriteLine($"Fuzz failure at input #{i} with seed {seed}: set MODERNAUTH_FUZZ_SEED={seed} to replay.");
            throw;
        }

        _output.WriteLine($"seed {seed}: {TokenInputs + ReplyInputs} inputs in {total.Elapsed.TotalSeconds:F1} s; slowest {slowest.TotalMilliseconds:F1} ms ({slowestWhat})");
        // The generator must reach every path: readable JWTs, opaque tokens and malformed input.
        Assert.All(kinds, count => Assert.True(count > 1000, $"kinds malformed/jwt/opaque = {string.Join("/", kinds)}"));
        Assert.True(slowest < PerInputBound, $"Slowest input took {slowest.TotalMilliseconds:F1} ms ({slowestWhat}); bound {PerInputBound.TotalMilliseconds} ms; seed {seed}.");

        void Track(TimeSpan elapsed, string what)
        {
            if (elapsed > slowest)
            {
                slowest = elapsed;
                slowestWhat = what;
            }
        }
    }

    // A slow input is timed again: genuine slowness repeats, a pause of the machine (GC, another process on the
    // two cores) does not. The bound then holds for the fastest of the runs.
    private static TimeSpan Settle(TimeSpan first, Action again)
    {
        var best = first;
        for (var run = 0; run < 3 && best >= PerInputBound; run++)
        {
            var watch = Stopwatch.StartNew();
            again();
            watch.Stop();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }

        return best;
    }

    private static void AssertNoSignature(string? input, string output)
    {
        if (input is null)
        {
            return;
        }

        var dot = input.LastIndexOf('.');
        if (dot >= 0 && input.Length - dot > 24)
        {
            var signature = input.Substring(dot + 1).Trim();
            if (signature.Length > 24 && signature.IndexOfAny(new[] { ' ', '\n', '\r' }) < 0)
            {
                Assert.DoesNotContain(signature, output, StringComparison.Ordinal);
            }
        }
    }

    private static string? NextToken(Random random, string[] seeds, int i)
    {
        var seed = seeds[random.Next(seeds.Length)];
        switch (random.Next(14))
        {
            case 0: return random.Next(50) == 0 ? null : RandomText(random, random.Next(0, 64));
            case 1: return seed.Substring(0, random.Next(seed.Length)); // truncated
            case 2: return Mutate(random, seed, random.Next(1, 6));
            case 3: return Jwt(random, DeepJson(random, random.Next(1, 400)));
            case 4: return Jwt(random, WrongTypes(random));
            case 5: return Base64Url(RandomBytes(random, random.Next(1, 600))) + "." + Base64Url(RandomBytes(random, random.Next(0, 2000))) + "." + Base64Url(RandomBytes(random, random.Next(0, 300)));
            case 6: return "eyJhbGciOiJSUzI1NiJ9." + Base64Url(RandomBytes(random, random.Next(1, 3000))) + "." + Base64Url(RandomBytes(random, 256)); // non-UTF-8 payload
            case 7: return i % 500 == 0 ? Jwt(random, "{\"aud\":\"" + new string('a', random.Next(100_000, 1_000_000)) + "\"}") : Jwt(random, "{\"scp\":\"" + new string('x', random.Next(1, 5000)) + "\"}");
            case 8: return i % 500 == 1 ? new string((char)random.Next(32, 127), random.Next(1_000_000, 4_000_000)) : RandomUnicode(random, random.Next(1, 300));
            case 9: return "Bearer " + Mutate(random, seed, 1) + (random.Next(2) == 0 ? "\r\n" : " ");
            case 10: return string.Join(".", Enumerable.Range(0, random.Next(0, 8)).Select(_ => Base64Url(RandomBytes(random, random.Next(0, 40)))));
            case 11: return "EwB" + Base64Url(RandomBytes(random, random.Next(10, 1500)));
            case 12: return Jwt(random, "{\"aud\":" + RandomJsonValue(random, 3) + ",\"exp\":" + RandomJsonValue(random, 2) + ",\"roles\":" + RandomJsonValue(random, 3) + "}");
            default: return seed;
        }
    }

    private static string? NextReply(Random random, string[] seeds)
    {
        var reply = Replies[random.Next(Replies.Length)];
        switch (random.Next(10))
        {
            case 0: return random.Next(100) == 0 ? null : RandomText(random, random.Next(0, 200));
            case 1: return Mutate(random, reply, random.Next(1, 8));
            case 2: return "A" + random.Next(100000).ToString(CultureInfo.InvariantCulture) + " " + reply + "\r\n" + RandomUnicode(random, random.Next(0, 50));
            case 3: return string.Join("\r\n", Enumerable.Range(0, random.Next(1, 200)).Select(_ => Replies[random.Next(Replies.Length)]));
            case 4: return random.Next(50) == 0 ? new string('5', random.Next(100_000, 1_000_000)) : reply + new string(' ', random.Next(0, 3000)) + "[" + RandomText(random, 100) + "]";
            case 5: return "+ " + Convert.ToBase64String(Encoding.UTF8.GetBytes(DeepJson(random, random.Next(1, 100))));
            case 6: return "334 " + Convert.ToBase64String(RandomBytes(random, random.Next(0, 400)));
            case 7: return "C: A1 AUTHENTICATE XOAUTH2 " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user=a@b.c\u0001auth=Bearer " + seeds[0] + "\u0001\u0001")) + "\r\nS: " + reply;
            case 8: return "AADSTS" + random.Next(0, 99_999_999).ToString(CultureInfo.InvariantCulture) + ": " + RandomUnicode(random, random.Next(0, 500));
            default: return reply;
        }
    }

    private static string Jwt(Random random, string payloadJson) =>
        TestTokens.Raw("{\"alg\":\"RS256\",\"kid\":\"k" + random.Next(10).ToString(CultureInfo.InvariantCulture) + "\",\"typ\":\"JWT\"}", payloadJson, Base64Url(RandomBytes(random, 256)));

    private static string DeepJson(Random random, int depth)
    {
        var sb = new StringBuilder();
        for (var d = 0; d < depth; d++)
        {
            sb.Append(random.Next(2) == 0 ? "{\"a\":" : "[");
        }

        sb.Append("1");
        var text = sb.ToString();
        var closing = new StringBuilder();
        for (var k = text.Length - 1; k >= 0; k--)
        {
            if (text[k] == '{')
            {
                closing.Append('}');
            }
            else if (text[k] == '[')
            {
                closing.Append(']');
            }
        }

        return random.Next(4) == 0 ? text : text + closing;
    }

    private static string WrongTypes(Random random)
    {
        var parts = KnownClaims.Where(_ => random.Next(2) == 0).Select(c => "\"" + c + "\":" + RandomJsonValue(random, 3));
        return "{" + string.Join(",", parts) + "}";
    }

    private static string RandomJsonValue(Random random, int depth) => random.Next(depth <= 0 ? 6 : 8) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => (random.NextDouble() * Math.Pow(10, random.Next(-5, 30)) * (random.Next(2) == 0 ? -1 : 1)).ToString("R", CultureInfo.InvariantCulture),
        3 => random.Next().ToString(CultureInfo.InvariantCulture),
        4 => "\"" + RandomText(random, random.Next(0, 40)).Replace("\\", string.Empty, StringComparison.Ordinal).Replace("\"", string.Empty, StringComparison.Ordinal) + "\"",
        5 => "\"\\ud800\\u0000x\"",
        6 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomJsonValue(random, depth - 1))) + "]",
        _ => "{\"k\":" + RandomJsonValue(random, depth - 1) + "}",
    };

    private static string Mutate(Random random, string text, int edits)
    {
        var chars = new StringBuilder(text);
        for (var e = 0; e < edits && chars.Length > 0; e++)
        {
            var at = random.Next(chars.Length);
            switch (random.Next(4))
            {
                case 0: chars[at] = (char)random.Next(0, 0x10000); break;
                case 1: chars.Remove(at, Math.Min(random.Next(1, 20), chars.Length - at)); break;
                case 2: chars.Insert(at, (char)random.Next(0, 128)); break;
                default: chars.Insert(at, '.'); break;
            }
        }

        return chars.ToString();
    }

    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (var k = 0; k < length; k++)
        {
            chars[k] = (char)random.Next(32, 127);
        }

        return new string(chars);
    }

    private static string RandomUnicode(Random random, int length)
    {
        var chars = new char[length];
        for (var k = 0; k < length; k++)
        {
            chars[k] = (char)random.Next(0, 0x10000); // includes lone surrogates and control characters
        }

        return new string(chars);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Base64Url(byte[] bytes) => TestTokens.Base64Url(bytes);
}

/// <summary>Runs the fuzz test alone, after the parallel tests, so its time bound measures the code only.</summary>
[CollectionDefinition(nameof(DiagnosticsFuzzTests), DisableParallelization = true)]
public sealed class DiagnosticsFuzzCollection
{
}
