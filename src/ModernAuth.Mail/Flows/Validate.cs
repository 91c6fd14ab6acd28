namespace ModernAuth.Mail.Internal;

internal static class Validate
{
    private static readonly string[] MultiTenantAliases = { "common", "organizations", "consumers" };

    public static string NotEmpty(string? value, string name, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The {what} is missing. {Hint(name)}", name);
        }

        return value!.Trim();
    }

    public static string AppOnlyTenant(string? tenantId, MailCloud cloud)
    {
        if (!cloud.SupportsAppOnly)
        {
            throw new ArgumentException(
                $"App-only (client credentials) access does not exist for {cloud.Name}: personal Microsoft accounts can only sign in as a user. Use DeviceCodeTokenProvider with MailCloud.PersonalAccounts.",
                nameof(cloud));
        }

        var tenant = NotEmpty(tenantId, "tenantId", "tenant id");
        foreach (var alias in MultiTenantAliases)
        {
            if (string.Equals(tenant, alias, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException(
                    $"App-only flows need one specific tenant, not '{tenant}'. Use the tenant id (a GUID from Entra admin center > Overview) or a verified domain such as contoso.onmicrosoft.com.",
                    nameof(tenantId));
            }
        }

        return tenant;
    }

    private static string Hint(string name) => name switch
    {
        "tenantId" => "Use the Directory (tenant) ID from the app registration's overview page, or a verified domain.",
        "clientId" => "Use the Application (client) ID from the app registration's overview page.",
        "clientSecret" => "Use the secret's Value (not its Secret ID) from Certificates & secrets.",
        _ => string.Empty,
    };
}
