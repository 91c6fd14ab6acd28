using System.Globalization;
using System.Text.Json;

namespace ModernAuth.Mail.Diagnostics;

/// <summary>The claims of a JWT that diagnostics care about, read without validation.</summary>
internal sealed class DecodedJwt
{
    public string? Algorithm { get; set; }

    public string? KeyId { get; set; }

    public bool SignatureEmpty { get; set; }

    public List<string> Audiences { get; } = new();

    public bool HasAudience { get; set; }

    public string? Issuer { get; set; }

    public string? TenantId { get; set; }

    public string? AppId { get; set; }

    public string? Azp { get; set; }

    public string? AppDisplayName { get; set; }

    public string? Upn { get; set; }

    public string? PreferredUsername { get; set; }

    public string? UniqueName { get; set; }

    public string? ObjectId { get; set; }

    public string? Version { get; set; }

    public string? IdentityType { get; set; }

    /// <summary>The <c>xms_mirid</c> claim: the Azure resource id of a managed identity (only managed identities' tokens carry it).</summary>
    public string? ManagedIdentityResourceId { get; set; }

    public bool HasUserHints { get; set; }

    public bool HasScp { get; set; }

    public List<string> Scopes { get; } = new();

    public bool HasRoles { get; set; }

    public List<string> Roles { get; } = new();

    public DateTimeOffset? ExpiresOn { get; set; }

    public bool HasExp { get; set; }

    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>Claims whose JSON type was wrong: (claim, what was seen).</summary>
    public List<KeyValuePair<string, string>> Problems { get; } = new();

    public string? User => Upn ?? PreferredUsername ?? UniqueName;

    public string? Client => AppId ?? Azp;
}

/// <summary>Reads the header and payload of a JWS without trusting it. Never throws for bad input: it returns an error text.</summary>
internal static class JwtDecoder
{
    // Deep nesting is legal JSON but never a token: a low limit keeps parsing cheap and bounded.
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 32, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    // Unix seconds beyond year 9999 cannot be a DateTimeOffset.
    private const long MaxUnixSeconds = 253402300799;

    public static DecodedJwt? TryDecode(string token, int firstDot, int secondDot, out string? error)
    {
        var header = Base64Url.TryDecode(token, 0, firstDot);
        if (header is null)
        {
            error = "the header (first part) is not valid base64url" + TruncationHint(firstDot);
            return null;
        }

        var payloadLength = secondDot - firstDot - 1;
        var payload = Base64Url.TryDecode(token, firstDot + 1, payloadLength);
        if (payload is null)
        {
            error = "the payload (second part) is not valid base64url" + TruncationHint(payloadLength);
            return null;
        }

        var jwt = new DecodedJwt { SignatureEmpty = secondDot == token.Length - 1 };
        try
        {
            using var doc = JsonDocument.Parse(header, JsonOptions);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "the header is JSON but not an object";
                return null;
            }

            jwt.Algorithm = ReadString(doc.RootElement, "alg", jwt, report: false);
            jwt.KeyId = ReadString(doc.RootElement, "kid", jwt, report: false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            error = "the header is not valid JSON (" + Describe(ex) + ")";
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload, JsonOptions);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the payload is JSON but not an object";
                return null;
            }

            ReadPayload(root, jwt);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            error = "the payload is not valid JSON (" + Describe(ex) + ")";
            return null;
        }

        error = null;
        return jwt;
    }

    private static void ReadPayload(JsonElement root, DecodedJwt jwt)
    {
        if (root.TryGetProperty("aud", out var aud))
        {
            jwt.HasAudience = true;
            ReadStringList(aud, "aud", jwt, jwt.Audiences, splitSpaces: false);
        }

        jwt.Issuer = ReadString(root, "iss", jwt);
        jwt.TenantId = ReadString(root, "tid", jwt);
        jwt.AppId = ReadString(root, "appid", jwt);
        jwt.Azp = ReadString(root, "azp", jwt);
        jwt.AppDisplayName = ReadString(root, "app_displayname", jwt);
        jwt.Upn = ReadString(root, "upn", jwt);
        jwt.PreferredUsername = ReadString(root, "preferred_username", jwt);
        jwt.UniqueName = ReadString(root, "unique_name", jwt);
        jwt.ObjectId = ReadString(root, "oid", jwt);
        jwt.IdentityType = ReadString(root, "idtyp", jwt);
        jwt.ManagedIdentityResourceId = ReadString(root, "xms_mirid", jwt);
        jwt.HasUserHints = root.TryGetProperty("name", out _) || root.TryGetProperty("amr", out _) || root.TryGetProperty("given_name", out _);

        if (root.TryGetProperty("ver", out var ver))
        {
            jwt.Version = ver.ValueKind switch
            {
                JsonValueKind.String => ver.GetString(),
                JsonValueKind.Number => ver.GetRawText(),
                _ => Problem(jwt, "ver", ver),
            };
        }

        if (root.TryGetProperty("scp", out var scp))
        {
            jwt.HasScp = true;
            ReadStringList(scp, "scp", jwt, jwt.Scopes, splitSpaces: true);
        }

        if (root.TryGetProperty("roles", out var roles))
        {
            jwt.HasRoles = true;
            ReadStringList(roles, "roles", jwt, jwt.Roles, splitSpaces: false);
        }

        jwt.HasExp = root.TryGetProperty("exp", out _);
        jwt.ExpiresOn = ReadTime(root, "exp", jwt);
        jwt.NotBefore = ReadTime(root, "nbf", jwt);
        jwt.IssuedAt = ReadTime(root, "iat", jwt);
    }

    private static string? ReadString(JsonElement root, string name, DecodedJwt jwt, bool report = true)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        return report ? Problem(jwt, name, value) : null;
    }

    private static void ReadStringList(JsonElement value, string name, DecodedJwt jwt, List<string> into, bool splitSpaces)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                Add(value.GetString(), into, splitSpaces);
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        Add(item.GetString(), into, splitSpaces);
                    }
                    else
                    {
                        Problem(jwt, name, item, "an array item");
                    }
                }

                break;
            case JsonValueKind.Null:
                break;
            default:
                Problem(jwt, name, value);
                break;
        }
    }

    private static void Add(string? text, List<string> into, bool splitSpaces)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        if (!splitSpaces)
        {
            into.Add(text!);
            return;
        }

        foreach (var part in text!.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
        {
            into.Add(part);
        }
    }

    private static DateTimeOffset? ReadTime(JsonElement root, string name, DecodedJwt jwt)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            Problem(jwt, name, value);
            return null;
        }

        if (!value.TryGetDouble(out var seconds) || double.IsNaN(seconds) || seconds < 0 || seconds > MaxUnixSeconds)
        {
            jwt.Problems.Add(new(name, "a number outside the range of dates"));
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
    }

    private static string? Problem(DecodedJwt jwt, string name, JsonElement value, string what = "a value")
    {
        var kind = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.Number => "a number",
            JsonValueKind.String => "a string",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        jwt.Problems.Add(new(name, what + " of type " + kind.Substring(kind.IndexOf(' ') + 1)));
        return null;
    }

    private static string TruncationHint(int length) =>
        length % 4 == 1 ? string.Format(CultureInfo.InvariantCulture, " (its length {0} is impossible for base64: the token was probably cut off)", length) : string.Empty;

    // Exception messages of System.Text.Json quote positions, never our data; keep only the first sentence.
    private static string Describe(Exception ex)
    {
        var message = ex.Message ?? ex.GetType().Name;
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        message = end > 0 ? message.Substring(0, end) : message.TrimEnd('.');
        return message.Length > 160 ? message.Substring(0, 160) : message;
    }
}
