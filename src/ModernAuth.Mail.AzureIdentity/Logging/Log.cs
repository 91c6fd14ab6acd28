using Microsoft.Extensions.Logging;

namespace ModernAuth.Mail.AzureIdentity;

/// <summary>The bridge's log events (stable ids, 7001 and up; tokens are never logged).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7001, EventName = "TokenKindMismatch", Level = LogLevel.Warning,
        Message = "{Credential} returned a {Kind} token, but the provider was made with IsAppOnly = {IsAppOnly}: set TokenCredentialMailTokenProviderOptions.IsAppOnly to match, or XOAUTH2 and EWS will name the wrong mailbox.")]
    public static partial void TokenKindMismatch(ILogger logger, string credential, string kind, bool isAppOnly);
}
