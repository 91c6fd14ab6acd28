namespace ModernAuth.Mail.Relay;

/// <summary>A local relay account: a device or app logs in with it (<c>AUTH PLAIN</c>/<c>LOGIN</c>). It never leaves the relay.</summary>
public class RelayAccountOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RelayAccountOptions()
    {
    }

    /// <summary>The user name the client logs in with. Required.</summary>
    public string? UserName { get; set; }

    /// <summary>The password's salted hash from <see cref="RelayPasswordHasher.HashPassword"/> (<c>modernauth-mail relay hash-password</c>). Required.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>
    /// Sender addresses (<c>scanner@contoso.com</c>) and domains (<c>@contoso.com</c>) this account may use as the
    /// envelope sender; others get <c>553 5.7.1</c>. <c>*</c> allows any sender. Required: at least one.
    /// </summary>
    public IList<string> AllowedSenders { get; } = new List<string>();
}
