namespace ModernAuth.Mail.Extensions;

/// <summary>Settings that apply to every provider: the <c>ModernAuthMail</c> section itself.</summary>
public class ModernAuthMailOptions
{
    /// <summary>
    /// The provider that resolves as the unnamed <see cref="MailTokenProvider"/> service and from
    /// <see cref="MailTokenProviderFactory.GetDefaultProvider"/>. Default <see langword="null"/>: the only provider when
    /// exactly one is registered; with several, resolving the unnamed provider fails with a message listing them.
    /// </summary>
    public string? DefaultProvider { get; set; }
}
