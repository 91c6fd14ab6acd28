using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Cli.Output;
using ModernAuth.Mail.Testing;
using Spectre.Console;

namespace ModernAuth.Mail.Cli.Auth;

/// <summary>Builds the token provider for the resolved settings; reads the secret only here, and never shows it.</summary>
internal sealed class ProviderFactory(CliSettings settings, SettingsResolver resolver, Ui ui)
{
    /// <summary>The device code shown to the user (to let the spinner count down); null until one is issued.</summary>
    public DeviceCodeInfo? IssuedCode { get; private set; }

    /// <summary>The spinner the device code prompt updates while the user signs in.</summary>
    public ProgressStatus? Status { get; set; }

    /// <exception cref="ConfigurationException">The secret or certificate is missing, or a file the settings name cannot be read.</exception>
    public async Task<MailTokenProvider> CreateAsync(CancellationToken cancellationToken)
    {
        var provider = settings.Provider;
        if (settings.Flow == MailTokenFlow.ClientSecret && provider.ClientSecretFile is null)
        {
            provider.ClientSecret = await ReadSecretAsync(cancellationToken);
        }

        if (settings.Flow == MailTokenFlow.ClientCertificate && provider.CertificatePassword is null && resolver.Environment("CertificatePassword") is { } password)
        {
            provider.CertificatePassword = password;
        }

        provider.DeviceCodeCallback = ShowDeviceCodeAsync;
        try
        {
            return provider.CreateProvider(options =>
            {
                options.Cloud = settings.Cloud;
                if (settings.Sandbox is { } sandbox)
                {
                    options.UseFakeEntraId(sandbox.Server);
                    if (options is InteractiveBrowserTokenProviderOptions browser)
                    {
                        // The sandbox's scripted user signs in on the fake's page; the answer reaches MSAL's real loopback listener.
                        browser.OpenBrowser = sandbox.Browser.OpenAsync;
                    }

                    // A managed identity asks IMDS (169.254.169.254): the sandbox answers it in place of Azure.
                    options.Transport = sandbox.RouteManagedIdentity(options.Transport!);
                }
            });
        }
        catch (MailSettingsException error)
        {
            throw SettingsResolver.Invalid(error.Failures);
        }
    }

    private async Task<string> ReadSecretAsync(CancellationToken cancellationToken)
    {
        if (resolver.Environment("ClientSecret") is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (settings.Sandbox is not null)
        {
            return Sandbox.SandboxEnvironment.BuiltInSecret;
        }

        if (!ui.Console.IsInputRedirected && !ui.Console.IsErrorRedirected)
        {
            var prompt = new TextPrompt<string>($"Client secret for {Markup.Escape(settings.ClientId)}:").Secret();
            var typed = await ui.Err.PromptAsync(prompt, cancellationToken);
            if (!string.IsNullOrWhiteSpace(typed))
            {
                return typed.Trim();
            }
        }

        throw new ConfigurationException(
            "The secret flow needs the client secret: set MODERNAUTH_MAIL_CLIENT_SECRET, or pass --client-secret-file <path> (a file holding only the secret), " +
            "or run in a terminal to type it at a masked prompt. It is never taken from a command-line option.");
    }

    private Task ShowDeviceCodeAsync(DeviceCodeInfo code, CancellationToken cancellationToken)
    {
        IssuedCode = code;
        var text = new Markup(
            $"To sign in, open [bold underline]{Markup.Escape(code.VerificationUri.ToString())}[/]\n" +
            $"and enter the code  [bold yellow]{Markup.Escape(code.UserCode)}[/]\n\n" +
            $"[dim]The code expires at {code.ExpiresOn.ToUniversalTime():HH:mm:ss} UTC. Press Ctrl+C to cancel.[/]");
        ui.Err.Write(new Panel(text) { Header = new PanelHeader(" Sign in with a device code "), Border = BoxBorder.Rounded, Padding = new Padding(2, 1) });
        if (Status is { } status && ui.ShowProgress)
        {
            status.Set($"Waiting for the sign-in at {code.VerificationUri} with code {code.UserCode}", code.ExpiresOn);
        }
        else
        {
            ui.Note($"Waiting for the sign-in (the code expires in {Math.Max(1, (int)Math.Round((code.ExpiresOn - TimeProvider.System.GetUtcNow()).TotalMinutes))} minutes)...");
        }

        return Task.CompletedTask;
    }
}
