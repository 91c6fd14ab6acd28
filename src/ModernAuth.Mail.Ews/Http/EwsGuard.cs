namespace ModernAuth.Mail.Ews.Internal;

internal static class EwsGuard
{
    private const string ConsumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    /// <summary>Fails at once, with the way forward, when the account kind has no EWS (personal Microsoft accounts).</summary>
    public static void ThrowIfPersonalAccounts(MailCloud cloud, MailTokenProvider provider, bool endpointGiven)
    {
        var personal = cloud.IsPersonalAccounts || (!endpointGiven && cloud.Ews is null) ||
            (provider is DeviceCodeTokenProvider deviceCode &&
             (string.Equals(deviceCode.TenantId, "consumers", StringComparison.OrdinalIgnoreCase) || string.Equals(deviceCode.TenantId, ConsumersTenantId, StringComparison.OrdinalIgnoreCase)));
        if (!personal)
        {
            return;
        }

        throw new MailAuthenticationException(
            MailErrorCodes.NotSupported,
            $"EWS is not offered to personal Microsoft accounts (outlook.com, hotmail.com, live.com; cloud '{cloud.Name}'): Exchange has no EWS endpoint for them and rejects their tokens.",
            "Read and send the mail of a personal account with IMAP and SMTP (ModernAuth.Mail.MailKit with MailCloud.PersonalAccounts) or with Microsoft Graph (Mail.Read / Mail.Send).")
        {
            Protocol = MailProtocol.Ews,
        };
    }

    public static string Mailbox(string? mailbox)
    {
        if (string.IsNullOrWhiteSpace(mailbox))
        {
            throw new ArgumentException("The mailbox is missing: give its SMTP address, for example shared@contoso.com.", nameof(mailbox));
        }

        var trimmed = mailbox!.Trim();
        if (trimmed.Any(char.IsControl) || trimmed.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("The mailbox must be an SMTP address without spaces or control characters.", nameof(mailbox));
        }

        return trimmed;
    }
}
