namespace ModernAuth.Mail.Internal;

/// <summary>What the flow's error mapping and the response catalog (<c>explain</c>) both say about managed identity failures.</summary>
internal static class ManagedIdentityErrors
{
    public const string Elsewhere = "Outside Azure (a developer machine, another cloud, on-premises) there is no managed identity: use Flow WorkloadIdentity (Kubernetes, GitHub Actions) or ClientCertificate instead.";

    public const string UnavailableRemedy = "Run this on an Azure resource with a managed identity turned on (VM, App Service, Functions, Container Apps, AKS, Azure Arc server, Cloud Shell); on a VM check that nothing blocks 169.254.169.254. " + Elsewhere;

    public const string NotAssignedRemedy = "Turn the identity on for this resource (Azure portal > the resource > Identity: System assigned On, or User assigned > Add), or give the client id or resource id of a user-assigned identity that is assigned to it (ManagedIdentityClientId / ManagedIdentityResourceId). " + Elsewhere;

    /// <summary>The texts the endpoints answer when the identity is not assigned: IMDS, then App Service.</summary>
    public static readonly string[] NotAssignedTexts = { "Identity not found", "Unable to load the proper Managed Identity" };

    public static bool IsNotAssigned(string text) =>
        NotAssignedTexts.Any(t => text.IndexOf(t, StringComparison.OrdinalIgnoreCase) >= 0);

    public static bool IsUnreachable(string text) =>
        text.IndexOf("managed_identity_unreachable_network", StringComparison.OrdinalIgnoreCase) >= 0 ||
        (text.IndexOf("169.254.169.254", StringComparison.Ordinal) >= 0 &&
         (text.IndexOf("refused", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("unreachable", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("timed out", StringComparison.OrdinalIgnoreCase) >= 0));
}
