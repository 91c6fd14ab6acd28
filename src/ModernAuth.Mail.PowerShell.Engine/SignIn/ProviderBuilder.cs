using ModernAuth.Mail.PowerShell.Engine.Logging;

namespace ModernAuth.Mail.PowerShell.Engine.SignIn;

/// <summary>Makes the provider the settings describe, with the libraries' logs on the verbose stream and a device code shown on the information stream.</summary>
internal static class ProviderBuilder
{
    /// <exception cref="MailSettingsException">The settings are invalid or a file they name cannot be read.</exception>
    public static MailTokenProvider Create(MailTokenProviderSettings settings, EngineLog log)
    {
        if (settings.Flow == MailTokenFlow.DeviceCode && settings.DeviceCodeCallback is null)
        {
            settings.DeviceCodeCallback = (code, _) =>
            {
                log.Information($"To sign in, open {code.VerificationUri} and enter the code {code.UserCode} (it expires at {code.ExpiresOn.ToUniversalTime():HH:mm} UTC). The sign-in is kept in the token cache, so this is asked once.");
                return Task.CompletedTask;
            };
        }

        log.Verbose($"Signing in with the {settings.Flow} flow (tenant {settings.TenantId ?? "(default)"}, client {settings.ClientId}).");
        return settings.CreateProvider(options => options.LoggerFactory = log.CreateLoggerFactory());
    }
}
