using System.Reflection;
using System.Runtime.InteropServices;

namespace ModernAuth.Mail.PowerShell.Module;

/// <summary>
/// Where the module's dependencies come from. The cmdlets (this assembly) load into PowerShell's default context and
/// reference only PowerShell, .NET and ModernAuth.Mail's own assemblies; everything else (the engine, MSAL, MailKit,
/// MimeKit, the Graph SDK, IdentityModel) sits in the <c>dependencies</c> folder beside it, where PowerShell does not
/// look.
/// <list type="bullet">
/// <item>PowerShell 7 (.NET): <see cref="IsolatedLoader"/> loads them into one <see cref="System.Runtime.Loader.AssemblyLoadContext"/>
/// of the module's own, so another module's MSAL, MailKit or IdentityModel (PSResourceGet, shipped with PowerShell 7.6,
/// brings MSAL 4.73) neither breaks ours nor is broken by it.</item>
/// <item>Windows PowerShell 5.1 (.NET Framework, no load contexts): <see cref="AppDomain.AssemblyResolve"/> answers a
/// request for any assembly in that folder with the folder's copy, whatever version was asked for (the binding
/// redirects a netstandard2.0 dependency graph needs and powershell.exe.config cannot give).</item>
/// </list>
/// </summary>
internal static class DependencyLoader
{
    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>The folder with the module's dependencies.</summary>
    public static string DependencyDirectory { get; } =
        Path.Combine(Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location) ?? ".", "dependencies");

    public static bool IsNetFramework { get; } = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered || !Directory.Exists(DependencyDirectory))
            {
                // No dependencies folder: running from the build output (tests), where everything sits side by side.
                return;
            }

            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
            }
            else
            {
                IsolatedLoader.Register(DependencyDirectory);
            }

            _registered = true;
        }
    }

    public static void Unregister()
    {
        lock (Gate)
        {
            if (!_registered)
            {
                return;
            }

            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnNetFramework;
            }
            else
            {
                IsolatedLoader.Unregister();
            }

            _registered = false;
        }
    }

    private static readonly Dictionary<string, Assembly> NetFrameworkLoaded = new(StringComparer.OrdinalIgnoreCase);

    private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name).Name ?? string.Empty;
        lock (NetFrameworkLoaded)
        {
            if (NetFrameworkLoaded.TryGetValue(name, out var loaded))
            {
                return loaded;
            }

            var path = Path.Combine(DependencyDirectory, name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }

            loaded = Assembly.LoadFrom(path);
            NetFrameworkLoaded[name] = loaded;
            return loaded;
        }
    }
}
