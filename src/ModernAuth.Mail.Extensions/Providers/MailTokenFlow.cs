namespace ModernAuth.Mail.Extensions;

/// <summary>Which flow a registered provider uses: the <c>Flow</c> setting of a provider in configuration.</summary>
public enum MailTokenFlow
{
    /// <summary>App-only with a client secret: <see cref="ClientSecretTokenProvider"/>.</summary>
    ClientSecret = 0,

    /// <summary>App-only with a client certificate: <see cref="ClientCertificateTokenProvider"/>.</summary>
    ClientCertificate = 1,

    /// <summary>A user signs in once with a device code: <see cref="DeviceCodeTokenProvider"/>.</summary>
    DeviceCode = 2,
}
