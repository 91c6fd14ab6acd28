namespace ModernAuth.Mail.Tests.Shared;

/// <summary>
/// Sets process environment variables for one test and puts the old values back when disposed. MSAL reads the managed
/// identity variables (IDENTITY_ENDPOINT, IDENTITY_HEADER, MSI_ENDPOINT, ...) from the process on every call, and the
/// workload identity provider reads AZURE_*: tests that use it belong to <see cref="ProcessEnvironmentCollection"/>, which
/// never runs beside another collection. Every variable that picks a managed identity source is cleared unless set.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    /// <summary>The variables MSAL reads to choose a managed identity source, and those of workload identity.</summary>
    public static readonly string[] ManagedIdentityVariables =
    [
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET",
        "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE",
    ];

    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var name in ManagedIdentityVariables)
        {
            Set(name, null);
        }

        foreach (var (name, value) in variables)
        {
            Set(name, value);
        }
    }

    public void Set(string name, string? value)
    {
        if (!_saved.ContainsKey(name))
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
        }

        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}

/// <summary>Tests that change process environment variables: never in parallel with any other test of the assembly.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
