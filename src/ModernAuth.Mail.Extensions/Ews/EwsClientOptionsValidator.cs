using Microsoft.Extensions.Options;
using ModernAuth.Mail.Ews;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>Checks each registered EWS client at start-up (and when first resolved): mailbox, provider, cloud and endpoint.</summary>
internal sealed class EwsClientOptionsValidator : IValidateOptions<EwsClientOptions>
{
    private readonly EwsClientRegistry _clients;
    private readonly ProviderRegistry _providers;
    private readonly IOptionsMonitor<ModernAuthMailOptions> _options;
    private readonly IOptionsMonitor<ModernAuthMailProviderOptions> _providerOptions;

    public EwsClientOptionsValidator(EwsClientRegistry clients, ProviderRegistry providers, IOptionsMonitor<ModernAuthMailOptions> options,
        IOptionsMonitor<ModernAuthMailProviderOptions> providerOptions)
    {
        _clients = clients;
        _providers = providers;
        _options = options;
        _providerOptions = providerOptions;
    }

    public ValidateOptionsResult Validate(string? name, EwsClientOptions options)
    {
        if (_clients.Find(name) is not { } client)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        var prefix = $"EWS client '{client.Name}':";
        var mailbox = client.Mailbox?.Trim();
        if (string.IsNullOrEmpty(mailbox))
        {
            failures.Add($"{prefix} the mailbox is missing: give AddEwsClient its SMTP address, for example shared@contoso.com.");
        }
        else if (mailbox!.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            failures.Add($"{prefix} the mailbox '{mailbox}' is not an SMTP address (it has spaces or control characters).");
        }

        var providerName = EwsClientRegistry.ProviderOf(client, _providers, _options.CurrentValue);
        if (providerName is null)
        {
            var registered = _providers.Names.Count == 0 ? "none" : ProviderOptionsValidator.Describe(_providers.Names);
            failures.Add(client.ProviderName is { } wanted
                ? $"{prefix} no token provider is named '{wanted}'. Registered: {registered}."
                : $"{prefix} no provider name was given and there is no default provider: pass providerName, or set ModernAuthMailOptions.DefaultProvider. Registered: {registered}.");
        }

        // The cloud is the client's own, else its provider's (known from the settings before the provider is made; a
        // provider from a custom factory is checked when the client is created).
        var cloud = options.Cloud
            ?? (providerName is null || _providers.CustomFactoryOf(providerName) is not null ? null : MailTokenProviderSettingsCloud(providerName));
        if (cloud is { IsPersonalAccounts: true })
        {
            failures.Add($"{prefix} the cloud is {cloud.Name}: EWS is not offered to personal Microsoft accounts (outlook.com, hotmail.com, live.com). Use IMAP and SMTP, or Microsoft Graph, for them.");
        }
        else if (cloud is not null && options.Endpoint is null && cloud.Ews is null)
        {
            failures.Add($"{prefix} the cloud {cloud.Name} has no EWS endpoint: set EwsClientOptions.Endpoint.");
        }

        if (options.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{prefix} the endpoint '{endpoint}' is not an absolute https:// URL.");
        }

        if (options.Transport is not null)
        {
            failures.Add($"{prefix} EwsClientOptions.Transport is not used with IHttpClientFactory: call ConfigurePrimaryHttpMessageHandler on the IHttpClientBuilder that AddEwsClient returns.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private MailCloud? MailTokenProviderSettingsCloud(string providerName)
    {
        try
        {
            return _providerOptions.Get(providerName).ResolveCloud();
        }
        catch (Exception error) when (error is OptionsValidationException or MailSettingsException)
        {
            // The provider's own validation reports its settings.
            return null;
        }
    }
}
