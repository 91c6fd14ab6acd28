namespace ModernAuth.Mail.Relay;

/// <summary>How a relay credential gets tokens.</summary>
public enum RelayCredentialKind
{
    /// <summary>App-only with a client secret (<see cref="ClientSecretTokenProvider"/>).</summary>
    ClientSecret = 0,

    /// <summary>App-only with a certificate from a PFX file (<see cref="ClientCertificateTokenProvider"/>).</summary>
    ClientCertificate = 1,

    /// <summary>
    /// Delegated: a user signed in beforehand with a device code (<c>modernauth-mail login</c>); the relay reads the
    /// persisted token cache and never prompts (<see cref="DeviceCodeTokenProvider"/>).
    /// </summary>
    DeviceCode = 2,
}
