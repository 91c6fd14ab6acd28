namespace ModernAuth.Mail.Extensions;

/// <summary>
/// Resolves the token providers registered with <see cref="ModernAuthMailBuilder"/> by name (one per mailbox,
/// application or tenant). Each name gets one provider for the lifetime of the service provider, so its cached
/// tokens are reused. Registered as a singleton by <c>AddModernAuthMail()</c>; derive from it to replace it.
/// </summary>
public abstract class MailTokenProviderFactory
{
    /// <summary>For derived factories and mocking.</summary>
    protected MailTokenProviderFactory()
    {
    }

    /// <summary>The names of the registered providers, in registration order (those from configuration in key order).</summary>
    public abstract IReadOnlyList<string> ProviderNames { get; }

    /// <summary>Gets the provider registered as <paramref name="name"/> (names compare case-insensitively, like configuration keys).</summary>
    /// <param name="name">The provider's name.</param>
    /// <returns>The provider; the same instance on every call.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">No provider has that name (the message lists the registered ones).</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The provider's settings are invalid; the message names each bad key.</exception>
    public abstract MailTokenProvider GetProvider(string name);

    /// <summary>
    /// Gets the default provider: the one named by <see cref="ModernAuthMailOptions.DefaultProvider"/>, else the only
    /// one registered. It is also what the unnamed <see cref="MailTokenProvider"/> service resolves to.
    /// </summary>
    /// <returns>The provider.</returns>
    /// <exception cref="InvalidOperationException">No provider is registered, or several are and none is named the default.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The provider's settings are invalid.</exception>
    public abstract MailTokenProvider GetDefaultProvider();

    /// <summary>The settings a provider was registered with (after configuration binding and code), for example its <see cref="MailTokenProviderSettings.Mailbox"/>.</summary>
    /// <param name="name">The provider's name.</param>
    /// <returns>The settings. Treat them as read-only: changing them does not change a provider already created.</returns>
    /// <exception cref="InvalidOperationException">No provider has that name.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The provider's settings are invalid.</exception>
    public abstract ModernAuthMailProviderOptions GetProviderOptions(string name);
}
