using Microsoft.Extensions.Options;
using ModernAuth.Mail.Ews;

namespace ModernAuth.Mail.Extensions.Internal;

/// <summary>Wraps the named <see cref="HttpClient"/> of <see cref="IHttpClientFactory"/> in an <see cref="EwsClient"/>.</summary>
internal sealed class DefaultEwsClientFactory : EwsClientFactory
{
    private readonly EwsClientRegistry _clients;
    private readonly IHttpClientFactory _httpClients;
    private readonly IOptionsMonitor<EwsClientOptions> _options;

    public DefaultEwsClientFactory(EwsClientRegistry clients, IHttpClientFactory httpClients, IOptionsMonitor<EwsClientOptions> options)
    {
        _clients = clients;
        _httpClients = httpClients;
        _options = options;
    }

    public override EwsClient CreateClient(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The EWS client name is empty.", nameof(name));
        }

        if (_clients.Find(name) is not { } client)
        {
            var names = _clients.Names;
            throw new InvalidOperationException(
                $"No EWS client is named '{name}'. Registered: {(names.Count == 0 ? "none" : ProviderOptionsValidator.Describe(names))}. Register it with AddModernAuthMail().AddEwsClient(name, mailbox).");
        }

        var options = _options.Get(client.Name); // validates: OptionsValidationException names each problem
        return new EwsClient(_httpClients.CreateClient(client.Name), client.Mailbox, options);
    }
}
