namespace System.Runtime.CompilerServices;

// Lets netstandard2.0 use init accessors and records (compiled only into netstandard2.0 builds: see Directory.Build.targets).
internal static class IsExternalInit
{
}
