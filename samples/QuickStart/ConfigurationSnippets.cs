using ModernAuth.Mail;

namespace QuickStart;

/// <summary>docs/configuration.md's code: settings validated and turned into a provider.</summary>
public static class ConfigurationSnippets
{
    public static MailTokenProvider FromSettings()
    {
        var settings = new MailTokenProviderSettings
        {
            Flow = MailTokenFlow.ClientSecret,
            TenantId = "contoso.onmicrosoft.com",
            ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11",
            ClientSecretFile = "/run/secrets/mail-app-secret",
        };
        foreach (var failure in settings.Validate())
        {
            Console.Error.WriteLine(failure.Format(setting => "MailApp:" + setting));
        }

        MailTokenProvider provider = settings.CreateProvider();
        return provider;
    }
}
