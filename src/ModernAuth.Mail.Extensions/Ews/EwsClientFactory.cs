using ModernAuth.Mail.Ews;

namespace ModernAuth.Mail.Extensions;

/// <summary>
/// Creates the <see cref="EwsClient"/>s registered with <see cref="ModernAuthMailBuilder.AddEwsClient"/>, by name.
/// Each client wraps the named <see cref="HttpClient"/> of <c>IHttpClientFactory</c>, whose pipeline authenticates
/// every request with the named token provider, so tokens are shared by every client of that provider. Registered as a
/// singleton (with <c>TryAdd</c>) by <see cref="ModernAuthMailBuilder.AddEwsClient"/>; derive from it to replace it.
/// </summary>
public abstract class EwsClientFactory
{
    /// <summary>For derived factories and mocking.</summary>
    protected EwsClientFactory()
    {
    }

    /// <summary>
    /// Creates a client for the EWS client registered as <paramref name="name"/>. Clients are cheap: create one per
    /// unit of work, like an <see cref="HttpClient"/> from <c>IHttpClientFactory</c>. Disposing one leaves the
    /// factory's <see cref="HttpClient"/> and handlers alone.
    /// </summary>
    /// <param name="name">The name given to <see cref="ModernAuthMailBuilder.AddEwsClient"/> (compared case-insensitively).</param>
    /// <returns>A new client for the registered mailbox.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">No EWS client has that name (the message lists the registered ones), or its token provider is not registered.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The client's settings are invalid (mailbox missing, a cloud without EWS); the message names each problem.</exception>
    public abstract EwsClient CreateClient(string name);
}
