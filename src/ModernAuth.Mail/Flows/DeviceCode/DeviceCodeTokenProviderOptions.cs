namespace ModernAuth.Mail;

/// <summary>Options of <see cref="DeviceCodeTokenProvider"/>. Shared defaults are documented on <see cref="MailTokenProviderOptions"/>.</summary>
public class DeviceCodeTokenProviderOptions : MailTokenProviderOptions
{
    /// <summary>
    /// The tenant: a tenant id or domain for single-tenant apps, <c>organizations</c> for any work or school
    /// account, <c>consumers</c> for personal accounts. Default <see langword="null"/>: the cloud's
    /// <see cref="MailCloud.DefaultTenant"/> (<c>consumers</c> for <see cref="MailCloud.PersonalAccounts"/>),
    /// else <c>organizations</c>.
    /// </summary>
    public string? TenantId { get; set; }

    /// <summary>
    /// Shows the code to the user. Default <see langword="null"/>: the instruction is written to the console's
    /// standard error (so standard output stays clean for piping).
    /// </summary>
    public Func<DeviceCodeInfo, CancellationToken, Task>? DeviceCodeCallback { get; set; }

    /// <summary>
    /// Keeps the signed-in account and its refresh token in a file so later runs are silent: the user signs in
    /// once per machine. Default <see langword="true"/>. Ignored when <see cref="MailTokenProviderOptions.TokenCacheStore"/>
    /// is set: the store keeps the sign-in instead of the file.
    /// </summary>
    public bool PersistTokenCache { get; set; } = true;

    /// <summary>
    /// The token cache file. Default <see langword="null"/>: <c>ModernAuth.Mail/msal-token-cache.bin</c> under the
    /// user's local application data folder (<c>~/.local/share</c> on Linux).
    /// </summary>
    public string? TokenCachePath { get; set; }

    /// <summary>
    /// Where no OS key store exists (Linux without a keyring, containers), allows a plain cache file that only its
    /// owner may read (mode 0600). When <see langword="false"/> there, tokens stay in memory. Default <see langword="true"/>.
    /// Windows (DPAPI) and macOS (keychain) always encrypt.
    /// </summary>
    public bool AllowUnencryptedTokenCache { get; set; } = true;

    /// <summary>
    /// Fails with <see cref="MailErrorCodes.InteractionRequired"/> instead of starting a device code sign-in when
    /// no cached sign-in can be used (for services that must never wait for a person). Default <see langword="false"/>.
    /// </summary>
    public bool DisableInteractiveSignIn { get; set; }

    /// <summary>The account to use when several are cached and a request names no mailbox. Default <see langword="null"/>.</summary>
    public string? Username { get; set; }
}
