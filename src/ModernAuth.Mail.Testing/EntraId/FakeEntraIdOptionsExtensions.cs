namespace ModernAuth.Mail.Testing;

/// <summary>Points a flow's options at a <see cref="FakeEntraId"/>.</summary>
public static class FakeEntraIdOptionsExtensions
{
    /// <summary>
    /// Sends the flow's token requests to the fake, in process: sets <see cref="MailTokenProviderOptions.AuthorityHost"/>
    /// to <see cref="FakeEntraId.AuthorityHost"/>, <see cref="MailTokenProviderOptions.Transport"/> to a new
    /// <see cref="FakeEntraId.CreateHandler"/>, and turns instance discovery off.
    /// </summary>
    /// <typeparam name="TOptions">The flow's options type.</typeparam>
    /// <param name="options">The options to change.</param>
    /// <param name="fake">The fake.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static TOptions UseFakeEntraId<TOptions>(this TOptions options, FakeEntraId fake)
        where TOptions : MailTokenProviderOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fake);
        options.AuthorityHost = fake.AuthorityHost;
        options.Transport = fake.CreateHandler();
        options.DisableInstanceDiscovery = true;
        return options;
    }

    /// <summary>
    /// Sends the flow's token requests to the fake's HTTPS loopback server: sets
    /// <see cref="MailTokenProviderOptions.AuthorityHost"/> to <see cref="FakeEntraIdServer.BaseAddress"/>,
    /// <see cref="MailTokenProviderOptions.Transport"/> to a handler that trusts the server's certificate (owned and
    /// disposed by the server), and turns instance discovery off.
    /// </summary>
    /// <typeparam name="TOptions">The flow's options type.</typeparam>
    /// <param name="options">The options to change.</param>
    /// <param name="server">The running server.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The server is disposed.</exception>
    public static TOptions UseFakeEntraId<TOptions>(this TOptions options, FakeEntraIdServer server)
        where TOptions : MailTokenProviderOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(server);
        options.AuthorityHost = server.BaseAddress;
        options.Transport = server.SharedTrustingHandler;
        options.DisableInstanceDiscovery = true;
        return options;
    }
}
