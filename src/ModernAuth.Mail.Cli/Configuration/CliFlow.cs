namespace ModernAuth.Mail.Cli;

/// <summary>How the tool gets a token.</summary>
internal enum CliFlow
{
    /// <summary>App-only, client credentials with a client secret.</summary>
    Secret,

    /// <summary>App-only, client credentials with a certificate.</summary>
    Certificate,

    /// <summary>Delegated: a user signs in with a device code.</summary>
    DeviceCode,
}

internal static class CliFlowNames
{
    public static readonly string[] All = ["secret", "certificate", "device-code"];

    public static bool TryParse(string? value, out CliFlow flow)
    {
        flow = CliFlow.Secret;
        switch (value?.Trim().ToUpperInvariant())
        {
            case "SECRET" or "CLIENT-SECRET": flow = CliFlow.Secret; return true;
            case "CERTIFICATE" or "CERT" or "CLIENT-CERTIFICATE": flow = CliFlow.Certificate; return true;
            case "DEVICE-CODE" or "DEVICECODE" or "DEVICE": flow = CliFlow.DeviceCode; return true;
            default: return false;
        }
    }

    public static string Name(this CliFlow flow) => flow switch
    {
        CliFlow.Secret => "secret",
        CliFlow.Certificate => "certificate",
        _ => "device-code",
    };

    public static bool IsAppOnly(this CliFlow flow) => flow != CliFlow.DeviceCode;
}
