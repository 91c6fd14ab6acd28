namespace ModernAuth.Mail.Cli.Configuration;

/// <summary>How the tool writes a <see cref="MailTokenFlow"/>: the short forms of <c>--flow</c>.</summary>
internal static class FlowNames
{
    /// <summary>The short names the help shows; <see cref="MailTokenProviderSettings.TryParseFlow"/> also takes the long ones (ClientSecret, client-secret).</summary>
    public static readonly string[] All = ["secret", "certificate", "device-code", "interactive", "managed-identity", "workload-identity"];

    public static string Name(this MailTokenFlow flow) => flow switch
    {
        MailTokenFlow.ClientSecret => "secret",
        MailTokenFlow.ClientCertificate => "certificate",
        MailTokenFlow.InteractiveBrowser => "interactive",
        MailTokenFlow.ManagedIdentity => "managed-identity",
        MailTokenFlow.WorkloadIdentity => "workload-identity",
        _ => "device-code",
    };

    public static bool IsAppOnly(this MailTokenFlow flow) => MailTokenProviderSettings.IsAppOnlyFlow(flow) == true;
}
