namespace ModernAuth.Mail.Ews.Internal;

/// <summary>
/// Lets <see cref="EwsClient"/> tell its handler that a request already carries the ExchangeImpersonation header for a
/// mailbox, so the handler need not parse the body to find out.
/// </summary>
internal static class RequestMarks
{
    private const string Key = "ModernAuth.Mail.Ews.ImpersonatedMailbox";
#if NET5_0_OR_GREATER
    private static readonly HttpRequestOptionsKey<string> OptionsKey = new(Key);
#endif

    public static void SetImpersonated(HttpRequestMessage request, string mailbox)
    {
#if NET5_0_OR_GREATER
        request.Options.Set(OptionsKey, mailbox);
#else
        request.Properties[Key] = mailbox;
#endif
    }

    public static string? GetImpersonated(HttpRequestMessage request)
    {
#if NET5_0_OR_GREATER
        return request.Options.TryGetValue(OptionsKey, out var mailbox) ? mailbox : null;
#else
        return request.Properties.TryGetValue(Key, out var value) ? value as string : null;
#endif
    }
}
