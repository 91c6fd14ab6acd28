using System.Reflection;
using System.Runtime.Loader;

namespace ModernAuth.Mail.PowerShell.Module;

/// <summary>
/// PowerShell 7 only (never touched on .NET Framework, where these types do not exist): the module's own
/// <see cref="AssemblyLoadContext"/> and the hook that hands ModernAuth.Mail's assemblies from it to the cmdlets.
/// </summary>
internal static class IsolatedLoader
{
    private static ModuleLoadContext? _context;

    public static void Register(string dependencyDirectory)
    {
        _context ??= new ModuleLoadContext(dependencyDirectory);
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    public static void Unregister() => AssemblyLoadContext.Default.Resolving -= Resolve;

    /// <summary>
    /// The default context could not find an assembly the cmdlets asked for. Only ModernAuth.Mail's own assemblies
    /// (names no other module uses) are handed out, from the module's context: so the cmdlets and the engine share one
    /// copy of each, and every third-party assembly stays inside the module's context.
    /// </summary>
    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        var simpleName = name.Name ?? string.Empty;
        return _context is not null && simpleName.StartsWith("ModernAuth.Mail", StringComparison.Ordinal) && _context.Ships(simpleName)
            ? _context.LoadFromAssemblyName(name)
            : null;
    }
}
