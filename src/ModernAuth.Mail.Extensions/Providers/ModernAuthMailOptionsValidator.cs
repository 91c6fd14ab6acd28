using Microsoft.Extensions.Options;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>Checks at start-up that some provider is registered and that the default provider names one of them.</summary>
internal sealed class ModernAuthMailOptionsValidator : IValidateOptions<ModernAuthMailOptions>
{
    private readonly ProviderRegistry _registry;

    public ModernAuthMailOptionsValidator(ProviderRegistry registry) => _registry = registry;

    public ValidateOptionsResult Validate(string? name, ModernAuthMailOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var names = _registry.Names;
        var root = _registry.RootPath;
        if (names.Count == 0)
        {
            return ValidateOptionsResult.Fail(root is null
                ? "No ModernAuth.Mail provider is registered: register one with AddClientSecret, AddClientCertificate, AddManagedIdentity, AddWorkloadIdentity, AddDeviceCode or AddInteractiveBrowser, or bind them with AddFromConfiguration."
                : $"{root}:Providers has no provider: add one such as {root}:Providers:shared-inbox with Flow, TenantId, ClientId and ClientSecret, or register one in code with AddClientSecret.");
        }

        if (options.DefaultProvider is { Length: > 0 } wanted && _registry.Find(wanted) is null)
        {
            var key = root is null ? "ModernAuthMailOptions.DefaultProvider" : root + ":DefaultProvider";
            return ValidateOptionsResult.Fail($"{key} '{wanted}' is not a registered provider: use one of {ProviderOptionsValidator.Describe(names)}.");
        }

        return ValidateOptionsResult.Success;
    }
}
