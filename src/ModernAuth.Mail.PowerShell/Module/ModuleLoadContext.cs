using System.Reflection;
using System.Runtime.Loader;

namespace ModernAuth.Mail.PowerShell.Module;

/// <summary>
/// The module's assembly load context: every assembly the module ships in its <c>dependencies</c> folder loads here,
/// except those the platform (.NET and PowerShell's own folder) already has in the same or a higher version, which come
/// from the default context as they would for any module (System.Text.Json, System.Memory, System.Management.Automation).
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private readonly string _directory;
    private readonly Dictionary<string, string> _platform;

    public ModuleLoadContext(string directory)
    {
        _directory = directory;
        _platform = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (var path in trusted.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
        {
            _platform[Path.GetFileNameWithoutExtension(path)] = path;
        }
    }

    /// <summary>Whether the module ships the assembly.</summary>
    public bool Ships(string simpleName) => File.Exists(Path.Combine(_directory, simpleName + ".dll"));

    /// <inheritdoc/>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name ?? string.Empty;
        if (!Ships(name) || ProvidedByPlatform(name, assemblyName.Version))
        {
            return null;
        }

        return LoadFromAssemblyPath(Path.Combine(_directory, name + ".dll"));
    }

    private bool ProvidedByPlatform(string name, Version? version)
    {
        if (!_platform.TryGetValue(name, out var path))
        {
            return false;
        }

        try
        {
            return version is null || AssemblyName.GetAssemblyName(path).Version >= version;
        }
        catch (Exception error) when (error is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
