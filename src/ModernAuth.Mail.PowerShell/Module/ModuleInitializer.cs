using System.Management.Automation;

namespace ModernAuth.Mail.PowerShell.Module;

/// <summary>
/// Runs when PowerShell imports the module: from then on the module's dependencies (in its <c>dependencies</c> folder)
/// load in isolation under PowerShell 7, and with binding redirects' leniency under Windows PowerShell 5.1. See
/// <see cref="DependencyLoader"/>.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>Starts resolving the module's dependencies.</summary>
    public void OnImport() => DependencyLoader.Register();

    /// <summary>Stops resolving them (assemblies already loaded stay loaded, as .NET requires).</summary>
    /// <param name="psModuleInfo">The module being removed.</param>
    public void OnRemove(PSModuleInfo psModuleInfo) => DependencyLoader.Unregister();
}
