using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// Checks a certificate client assertion (RFC 7523) the way Entra ID does: the key named by the header must belong to a
/// certificate registered on the application (or, for SN/I, the <c>x5c</c> certificate must have an allowed subject and
/// issuer), the signature must verify, <c>iss</c> and <c>sub</c> must be the client id, <c>aud</c> the token endpoint, and
/// <c>exp</c> in the future.
/// </summary>
internal static class ClientAssertionValidator
{
    private const string Docs = "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .";

    /// <returns><see langword="null"/> when the assertion is valid; otherwise the error to answer.</returns>
    public static AadError? Validate(string assertion, FakeApplication app, IReadOnlyCollection<string> audiences, DateTimeOffset now)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return Invalid(50027, "JWT token is invalid or malformed.");
        }

        using var header = ParseJson(parts[0]);
        using var payload = ParseJson(parts[1]);
        // An empty signature is well-formed (an unsigned token): it fails signature validation below, as at Entra ID.
        var signature = parts[2].Length == 0 ? [] : Base64Url.TryDecode(parts[2]);
        if (header is null || payload is null || signature is null ||
            header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Invalid(50027, "JWT token is invalid or malformed.");
        }

        var h = header.RootElement;
        var p = payload.RootElement;
        var alg = GetString(h, "alg");
        RSASignaturePadding padding;
        switch (alg)
        {
            case "PS256":
                padding = RSASignaturePadding.Pss;
                break;
            case "RS256":
                padding = RSASignaturePadding.Pkcs1;
                break;
            default:
                return Invalid(700027, string.Create(CultureInfo.InvariantCulture, $"Client assertion contains an invalid signature. [Reason - The algorithm '{alg}' is not supported.]"));
        }

        var x5tS256 = GetString(h, "x5t#S256");
        var x5t = GetString(h, "x5t");
        var registered = FindRegisteredCertificate(app, x5tS256, x5t);
        using var subjectNameIssuer = registered is null ? FindSubjectNameIssuerCertificate(app, h, x5tS256, x5t) : null;
        var certificate = registered ?? subjectNameIssuer;
        if (certificate is null)
        {
            var thumbprint = DescribeThumbprint(x5tS256 ?? x5t);
            return Invalid(700027, string.Create(
                CultureInfo.InvariantCulture,
                $"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{app.ClientId}'.]"));
        }

        using (var rsa = certificate.GetRSAPublicKey())
        {
            var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (rsa is null || !rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, padding))
            {
                return Invalid(700027, "Client assertion failed signature validation.");
            }
        }

        var iss = GetString(p, "iss");
        var sub = GetString(p, "sub");
        if (!string.Equals(iss, app.ClientId, StringComparison.OrdinalIgnoreCase) || !string.Equals(sub, app.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter. " + Docs);
        }

        var aud = GetStrings(p, "aud");
        if (!aud.Any(a => audiences.Any(expected => string.Equals(a.TrimEnd('/'), expected.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))))
        {
            return Invalid(700027, string.Create(
                CultureInfo.InvariantCulture,
                $"Client assertion failed audience validation. [Reason - The audience '{string.Join(' ', aud)}' is not the token endpoint '{audiences.First()}'.]"));
        }

        var exp = GetSeconds(p, "exp");
        if (exp is null || exp.Value <= now.ToUnixTimeSeconds())
        {
            var expText = exp is null ? "none" : DateTimeOffset.FromUnixTimeSeconds(exp.Value).UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture);
            return Invalid(700024, string.Create(
                CultureInfo.InvariantCulture,
                $"Client assertion is not within its valid time range. Current time: {now.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}, expiry time of assertion {expText}. {Docs}"));
        }

        return null;
    }

    private static AadError Invalid(int code, string text) => new(401, "invalid_client", code, text);

    private static X509Certificate2? FindRegisteredCertificate(FakeApplication app, string? x5tS256, string? x5t)
    {
        foreach (var certificate in app.GetCertificates())
        {
            if ((x5tS256 is not null && string.Equals(x5tS256, CertificateHelper.Sha256Thumbprint(certificate), StringComparison.Ordinal)) ||
                (x5t is not null && string.Equals(x5t, CertificateHelper.Sha1Thumbprint(certificate), StringComparison.Ordinal)))
            {
                return certificate;
            }
        }

        return null;
    }

    private static X509Certificate2? FindSubjectNameIssuerCertificate(FakeApplication app, JsonElement header, string? x5tS256, string? x5t)
    {
        if (!app.HasSubjectNameIssuers || !header.TryGetProperty("x5c", out var x5c))
        {
            return null;
        }

        // MSAL sends x5c as a single string; RFC 7515 says an array whose first element is the signing certificate.
        var first = x5c.ValueKind switch
        {
            JsonValueKind.String => x5c.GetString(),
            JsonValueKind.Array when x5c.GetArrayLength() > 0 && x5c[0].ValueKind == JsonValueKind.String => x5c[0].GetString(),
            _ => null,
        };
        if (first is null)
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = new X509Certificate2(Convert.FromBase64String(first));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }

        // The thumbprint in the header, when there is one, must name the x5c certificate.
        if ((x5tS256 is not null && !string.Equals(x5tS256, CertificateHelper.Sha256Thumbprint(certificate), StringComparison.Ordinal)) ||
            (x5t is not null && !string.Equals(x5t, CertificateHelper.Sha1Thumbprint(certificate), StringComparison.Ordinal)) ||
            !app.AllowsSubjectNameIssuer(certificate))
        {
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static string DescribeThumbprint(string? headerThumbprint)
    {
        var bytes = headerThumbprint is null ? null : Base64Url.TryDecode(headerThumbprint);
        return bytes is null ? "none" : Convert.ToHexString(bytes);
    }

    internal static JsonDocument? ParseJson(string part)
    {
        var bytes = Base64Url.TryDecode(part);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static string[] GetStrings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray(),
            _ => [],
        };
    }

    // MSAL writes nbf and exp as JSON strings ("exp":"1700000000"); RFC 7519 says numbers. Accept both.
    internal static long? GetSeconds(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        return null;
    }
}
