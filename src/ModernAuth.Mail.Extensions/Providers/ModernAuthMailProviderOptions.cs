namespace ModernAuth.Mail.Extensions;

/// <summary>
/// One named token provider: the settings under <c>ModernAuthMail:Providers:{name}</c>, or what a
/// <see cref="ModernAuthMailBuilder"/> <c>Add...</c> call configures. Every <see cref="MailTokenProviderSettings"/>
/// setting, spelled the same as in the relay, the CLI and the PowerShell module, plus what only a host has (a health
/// check, the distributed token cache). They are validated when the host starts: a missing or wrong setting fails
/// start-up with a message naming its key and what to put there.
/// </summary>
public class ModernAuthMailProviderOptions : MailTokenProviderSettings
{
    /// <summary>The protocol the health check asks a token for. Default <see cref="MailProtocol.Imap"/>.</summary>
    public MailProtocol HealthCheckProtocol { get; set; } = MailProtocol.Imap;

    /// <summary>
    /// Uses the distributed token cache when one is added (<see cref="ModernAuthMailBuilder.AddDistributedTokenCache"/>).
    /// Default <see langword="true"/>.
    /// </summary>
    public bool UseDistributedTokenCache { get; set; } = true;

    /// <summary>
    /// Last say over the flow's options (code only), after every setting above was applied: for example a proxy in
    /// <see cref="MailTokenProviderOptions.Transport"/>, or a test token service. Default <see langword="null"/>.
    /// </summary>
    public Action<MailTokenProviderOptions>? ConfigureFlowOptions { get; set; }
}
