using System.Management.Automation;

namespace ModernAuth.Mail.PowerShell.SignIn;

/// <summary>A cmdlet that signs in for one mailbox it names with <c>-Mailbox</c> (the <c>Mailbox</c> setting); sending names it with <c>-From</c> instead.</summary>
public abstract class ModernAuthMailboxCommand : ModernAuthMailCommand
{
    /// <summary>
    /// <para type="description">The mailbox (an SMTP address): for app-only sign-ins the mailbox the app opens (required); for a device code or interactive sign-in the account to use when several are signed in. Default: the profile's "mailbox".</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Mailbox { get; set; }

    internal override void Configure(MailTokenProviderSettings settings) => settings.Mailbox = Mailbox ?? settings.Mailbox;

    internal override string DescribeSetting(string setting) => setting == "Mailbox" ? "-Mailbox" : base.DescribeSetting(setting);
}
