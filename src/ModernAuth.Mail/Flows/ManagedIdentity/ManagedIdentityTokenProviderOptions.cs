namespace ModernAuth.Mail;

/// <summary>
/// Options of <see cref="ManagedIdentityTokenProvider"/>. Give <see cref="ClientId"/> or <see cref="ResourceId"/> for a
/// user-assigned identity, neither for the system-assigned one. Every other default is documented on
/// <see cref="MailTokenProviderOptions"/>; <see cref="MailTokenProviderOptions.AuthorityHost"/>,
/// <see cref="MailTokenProviderOptions.DisableInstanceDiscovery"/> and <see cref="MailTokenProviderOptions.TokenCacheStore"/>
/// do not apply (the managed identity endpoint of the Azure resource issues the tokens, and MSAL keeps them in memory).
/// </summary>
public class ManagedIdentityTokenProviderOptions : MailTokenProviderOptions
{
    /// <summary>
    /// The client id (a GUID) of a user-assigned managed identity assigned to this Azure resource. Default
    /// <see langword="null"/>: the system-assigned identity, unless <see cref="ResourceId"/> is set.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The Azure resource id of a user-assigned managed identity assigned to this Azure resource
    /// (<c>/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}</c>).
    /// Default <see langword="null"/>. Give this or <see cref="ClientId"/>, not both.
    /// </summary>
    public string? ResourceId { get; set; }
}
