using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModernAuth.Mail.Diagnostics;

/// <summary>
/// Renders findings, token inspections and server-reply explanations as readable text or as JSON with the stable
/// schema documented in <c>docs/diagnostics-json.md</c> (<see cref="SchemaVersion"/>). Secrets are never rendered:
/// findings never hold a token, and as a second guard anything shaped like a JWT or a long base64 run is redacted.
/// </summary>
public static class MailFindingFormatter
{
    /// <summary>The version of the JSON schema, written as <c>schemaVersion</c>. It changes only when a field is removed or changes meaning.</summary>
    public const int SchemaVersion = 1;

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Renders a token inspection as text: the summary, then each finding.</summary>
    /// <param name="result">The inspection.</param>
    /// <returns>Text lines separated by <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string FormatText(TokenInspectionResult result)
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        var s = result.Summary;
        var sb = new StringBuilder();
        sb.Append("Token: ").Append(s.Kind switch { TokenKind.Jwt => "JWT", TokenKind.Opaque => "opaque", _ => "malformed" });
        if (s.Version is not null)
        {
            sb.Append(" v").Append(Safe(s.Version));
        }

        sb.Append(", ").Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(" characters");
        if (s.Fingerprint.Length > 0)
        {
            sb.Append(", fingerprint ").Append(s.Fingerprint);
        }

        sb.Append('\n');
        if (s.Kind == TokenKind.Jwt)
        {
            Field(sb, "type", s.IsAppOnly switch { true => "app-only", false => "delegated", _ => "unknown" });
            Field(sb, "aud", s.Audience);
            Field(sb, "iss", s.Issuer);
            Field(sb, "tid", s.TenantId);
            Field(sb, "app", s.AppId is null ? null : s.AppId + (s.AppDisplayName is null ? string.Empty : " (" + s.AppDisplayName + ")"));
            Field(sb, "user", s.User);
            Field(sb, "oid", s.ObjectId);
            Field(sb, "scp", s.Scopes.Count == 0 ? null : string.Join(" ", s.Scopes));
            Field(sb, "roles", s.Roles.Count == 0 ? null : string.Join(" ", s.Roles));
            Field(sb, "nbf", Time(s.NotBefore));
            Field(sb, "exp", Time(s.ExpiresOn));
            Field(sb, "alg", s.Algorithm is null ? null : s.Algorithm + (s.KeyId is null ? string.Empty : ", kid " + s.KeyId));
        }

        sb.Append('\n').Append(FormatText(result.Findings));
        return sb.ToString();
    }

    /// <summary>Renders findings as text, one block per finding.</summary>
    /// <param name="findings">The findings.</param>
    /// <returns>Text lines separated by <c>\n</c>; <c>No findings.</c> when there are none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="findings"/> is <see langword="null"/>.</exception>
    public static string FormatText(IEnumerable<MailFinding> findings)
    {
        if (findings is null)
        {
            throw new ArgumentNullException(nameof(findings));
        }

        var sb = new StringBuilder();
        foreach (var f in findings)
        {
            sb.Append(Label(f.Severity).ToUpperInvariant().PadRight(8)).Append(f.Code);
            if (f.Claim is not null)
            {
                sb.Append(" (").Append(Safe(f.Claim)).Append(')');
            }

            sb.Append('\n');
            Block(sb, "Seen", f.Observed);
            Block(sb, "Why", f.Explanation);
            Block(sb, "Fix", f.Fix);
            sb.Append('\n');
        }

        return sb.Length == 0 ? "No findings.\n" : sb.ToString();
    }

    /// <summary>Renders a server-reply explanation as text.</summary>
    /// <param name="explanation">The explanation.</param>
    /// <returns>Text lines separated by <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="explanation"/> is <see langword="null"/>.</exception>
    public static string FormatText(MailResponseExplanation explanation)
    {
        if (explanation is null)
        {
            throw new ArgumentNullException(nameof(explanation));
        }

        var e = explanation;
        var sb = new StringBuilder();
        sb.Append(Label(e.Severity).ToUpperInvariant().PadRight(8)).Append(e.Code);
        sb.Append(" (").Append(SourceName(e.Source)).Append(e.IsRetryable ? ", retryable" : ", not retryable").Append(")\n");
        Block(sb, "Reply", e.ServerText);
        Block(sb, "Why", e.Explanation);
        Block(sb, "Fix", e.Remedy);
        if (e.BackoffMilliseconds is { } ms)
        {
            Block(sb, "Wait", ms.ToString(CultureInfo.InvariantCulture) + " ms");
        }

        if (e.AadstsCode is { } aadsts)
        {
            Block(sb, "AADSTS", aadsts.ToString(CultureInfo.InvariantCulture));
        }

        Block(sb, "Trace", e.TraceId);
        Block(sb, "Corr.", e.CorrelationId);
        Block(sb, "Time", e.Timestamp);
        Block(sb, "Server", e.ServerTrace);
        return sb.ToString();
    }

    /// <summary>Renders a token inspection as indented JSON (<c>"kind": "token_inspection"</c>).</summary>
    /// <param name="result">The inspection.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    public static string FormatJson(TokenInspectionResult result)
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        return Write(w =>
        {
            Header(w, "token_inspection");
            var s = result.Summary;
            w.WriteStartObject("token");
            w.WriteString("kind", s.Kind switch { TokenKind.Jwt => "jwt", TokenKind.Opaque => "opaque", _ => "malformed" });
            w.WriteNumber("length", s.Length);
            Str(w, "fingerprint", s.Fingerprint.Length == 0 ? null : s.Fingerprint);
            Str(w, "version", s.Version);
            Str(w, "algorithm", s.Algorithm);
            Str(w, "keyId", s.KeyId);
            Str(w, "audience", s.Audience);
            Str(w, "issuer", s.Issuer);
            Str(w, "tenantId", s.TenantId);
            Str(w, "appId", s.AppId);
            Str(w, "appDisplayName", s.AppDisplayName);
            Str(w, "user", s.User);
            Str(w, "objectId", s.ObjectId);
            Strings(w, "scopes", s.Scopes);
            Strings(w, "roles", s.Roles);
            if (s.IsAppOnly is { } appOnly)
            {
                w.WriteBoolean("appOnly", appOnly);
            }
            else
            {
                w.WriteNull("appOnly");
            }

            Str(w, "expiresOn", Time(s.ExpiresOn));
            Str(w, "notBefore", Time(s.NotBefore));
            Str(w, "issuedAt", Time(s.IssuedAt));
            w.WriteEndObject();
            w.WriteBoolean("hasErrors", result.HasErrors);
            Findings(w, result.Findings);
        });
    }

    /// <summary>Renders findings as JSON (<c>"kind": "findings"</c>).</summary>
    /// <param name="findings">The findings.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="findings"/> is <see langword="null"/>.</exception>
    public static string FormatJson(IEnumerable<MailFinding> findings)
    {
        if (findings is null)
        {
            throw new ArgumentNullException(nameof(findings));
        }

        return Write(w =>
        {
            Header(w, "findings");
            Findings(w, findings);
        });
    }

    /// <summary>Renders a server-reply explanation as JSON (<c>"kind": "server_reply"</c>).</summary>
    /// <param name="explanation">The explanation.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="explanation"/> is <see langword="null"/>.</exception>
    public static string FormatJson(MailResponseExplanation explanation)
    {
        if (explanation is null)
        {
            throw new ArgumentNullException(nameof(explanation));
        }

        return Write(w =>
        {
            Header(w, "server_reply");
            var e = explanation;
            w.WriteStartObject("reply");
            w.WriteString("code", e.Code);
            w.WriteString("severity", Label(e.Severity));
            w.WriteBoolean("recognised", e.IsRecognised);
            w.WriteBoolean("retryable", e.IsRetryable);
            w.WriteString("source", SourceName(e.Source));
            Str(w, "status", e.Status);
            Str(w, "enhancedStatusCode", e.EnhancedStatusCode);
            w.WriteString("serverText", Safe(e.ServerText));
            w.WriteString("explanation", Safe(e.Explanation));
            w.WriteString("remedy", Safe(e.Remedy));
            if (e.BackoffMilliseconds is { } ms)
            {
                w.WriteNumber("backoffMilliseconds", ms);
            }
            else
            {
                w.WriteNull("backoffMilliseconds");
            }

            if (e.AadstsCode is { } aadsts)
            {
                w.WriteNumber("aadstsCode", aadsts);
            }
            else
            {
                w.WriteNull("aadstsCode");
            }

            Str(w, "traceId", e.TraceId);
            Str(w, "correlationId", e.CorrelationId);
            Str(w, "timestamp", e.Timestamp);
            Str(w, "serverTrace", e.ServerTrace);
            w.WriteEndObject();
        });
    }

    /// <summary>The JSON and text name of a severity: <c>info</c>, <c>warning</c> or <c>error</c>.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The name.</returns>
    public static string Label(MailFindingSeverity severity) => severity switch
    {
        MailFindingSeverity.Error => "error",
        MailFindingSeverity.Warning => "warning",
        _ => "info",
    };

    private static string SourceName(MailResponseSource source) => source switch
    {
        MailResponseSource.Imap => "imap",
        MailResponseSource.Pop => "pop",
        MailResponseSource.Smtp => "smtp",
        MailResponseSource.SaslChallenge => "sasl_challenge",
        MailResponseSource.TokenService => "token_service",
        MailResponseSource.Graph => "graph",
        _ => "unknown",
    };

    private static void Header(Utf8JsonWriter w, string kind)
    {
        w.WriteNumber("schemaVersion", SchemaVersion);
        w.WriteString("kind", kind);
    }

    private static void Findings(Utf8JsonWriter w, IEnumerable<MailFinding> findings)
    {
        w.WriteStartArray("findings");
        foreach (var f in findings)
        {
            w.WriteStartObject();
            w.WriteString("code", f.Code);
            w.WriteString("severity", Label(f.Severity));
            Str(w, "claim", f.Claim);
            w.WriteString("observed", Safe(f.Observed));
            w.WriteString("explanation", Safe(f.Explanation));
            w.WriteString("fix", Safe(f.Fix));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Encoder }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, Safe(value));
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(Safe(value));
        }

        w.WriteEndArray();
    }

    private static void Field(StringBuilder sb, string name, string? value)
    {
        if (value is not null)
        {
            sb.Append("  ").Append(name.PadRight(6)).Append(Safe(value)).Append('\n');
        }
    }

    private static void Block(StringBuilder sb, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            sb.Append("  ").Append((name + ":").PadRight(8)).Append(Safe(value!)).Append('\n');
        }
    }

    private static string? Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Second guard: nothing token-shaped is ever rendered, whoever built the finding. Lone surrogates (from
    // arbitrary input) would make the JSON writer throw, so they become U+FFFD.
    private static string Safe(string value) => ReplaceLoneSurrogates(MailResponseCatalog.Redact(value));

    private static string ReplaceLoneSurrogates(string value)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = !char.IsSurrogate(c) ||
                     (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]));
            if (char.IsHighSurrogate(c) && ok)
            {
                sb?.Append(c).Append(value[i + 1]);
                i++;
                continue;
            }

            if (!ok && sb is null)
            {
                sb = new StringBuilder(value.Length).Append(value, 0, i);
            }

            sb?.Append(ok ? c : '\uFFFD');
        }

        return sb?.ToString() ?? value;
    }
}
