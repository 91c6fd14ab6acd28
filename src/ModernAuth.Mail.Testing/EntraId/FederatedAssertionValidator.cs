using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ModernAuth.Mail.Testing.Internal;

/// <summary>
/// Checks a federated token presented as a client assertion (workload identity federation) the way Entra ID does: a
/// federated identity credential of the application must match its issuer, subject and audience exactly; it must be
/// signed by the issuer (here: the fake's key) and valid now.
/// </summary>
internal static class FederatedAssertionValidator
{
    private const string FederationDocs = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    private const string AssertionDocs = "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .";

    /// <summary>A certificate assertion is issued by the application itself; any other issuer makes a federated token.</summary>
    public static bool IsFederated(string assertion, FakeApplication application)
    {
        using var payload = Payload(assertion);
        return payload is not null && GetString(payload.RootElement, "iss") is { } iss && !string.Equals(iss, application.ClientId, StringComparison.OrdinalIgnoreCase);
    }

    /// <returns><see langword="null"/> when the token is accepted; otherwise the error to answer.</returns>
    public static AadError? Validate(string assertion, FakeApplication application, FakeEntraId fake)
    {
        var parts = assertion.Split('.');
        using var payload = Payload(assertion);
        if (parts.Length != 3 || payload is null)
        {
            return new AadError(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
        }

        var p = payload.RootElement;
        var iss = GetString(p, "iss") ?? string.Empty;
        var sub = GetString(p, "sub") ?? string.Empty;
        var aud = GetStrings(p, "aud");
        var credentials = application.GetFederatedCredentials();
        var byIssuer = credentials.Where(c => string.Equals(c.Issuer, iss, StringComparison.Ordinal)).ToArray();
        if (byIssuer.Length == 0)
        {
            return new AadError(401, "invalid_client", 700211, $"No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. {FederationDocs}");
        }

        var bySubject = byIssuer.Where(c => string.Equals(c.Subject, sub, StringComparison.Ordinal)).ToArray();
        if (bySubject.Length == 0)
        {
            return new AadError(401, "invalid_client", 700213, $"No matching federated identity record found for presented assertion subject '{sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. {FederationDocs}");
        }

        if (!bySubject.Any(c => aud.Contains(c.Audience, StringComparer.Ordinal)))
        {
            return new AadError(400, "invalid_request", 70021, $"No matching federated identity record found for presented assertion. Assertion Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: '{string.Join(",", aud)}'. {FederationDocs}");
        }

        var signature = Base64Url.TryDecode(parts[2]);
        using (var rsa = RSA.Create())
        {
            rsa.ImportFromPem(fake.ExportSigningPublicKeyPem());
            if (signature is null || signature.Length == 0 ||
                !rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return new AadError(401, "invalid_client", 700027, "Client assertion failed signature validation.");
            }
        }

        var now = fake.Now;
        var exp = GetSeconds(p, "exp");
        var nbf = GetSeconds(p, "nbf");
        if (exp is null || exp.Value <= now.ToUnixTimeSeconds() || (nbf is not null && nbf.Value > now.ToUnixTimeSeconds()))
        {
            static string Time(long? seconds) => seconds is null ? "none" : DateTimeOffset.FromUnixTimeSeconds(seconds.Value).UtcDateTime.ToString("M/d/yyyy h:mm:ss tt", CultureInfo.InvariantCulture);
            return new AadError(401, "invalid_client", 700024, string.Create(CultureInfo.InvariantCulture,
                $"Client assertion is not within its valid time range. Current time: {now.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}, assertion valid from {Time(nbf)}, expiry time of assertion {Time(exp)}. {AssertionDocs}"));
        }

        return null;
    }

    private static JsonDocument? Payload(string assertion)
    {
        var parts = assertion.Split('.');
        var document = parts.Length == 3 ? ClientAssertionValidator.ParseJson(parts[1]) : null;
        if (document is not null && document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return null;
        }

        return document;
    }

    private static string? GetString(JsonElement element, string name) => ClientAssertionValidator.GetString(element, name);

    private static string[] GetStrings(JsonElement element, string name) => ClientAssertionValidator.GetStrings(element, name);

    private static long? GetSeconds(JsonElement element, string name) => ClientAssertionValidator.GetSeconds(element, name);
}
