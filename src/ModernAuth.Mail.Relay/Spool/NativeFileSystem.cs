using System.Runtime.InteropServices;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Flushes a directory's entries (a rename into it) to disk. .NET cannot open a directory as a file, so on Linux and
/// macOS this calls <c>open(O_RDONLY|O_DIRECTORY)</c> and <c>fsync</c>; on Windows NTFS journals renames and there is
/// no portable way, so it does nothing.
/// </summary>
internal static partial class NativeFileSystem
{
    private const int ReadOnly = 0;
    private static readonly int DirectoryFlag = OperatingSystem.IsMacOS() ? 0x100000 : 0x10000;
    private static bool _unavailable = !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS());

    public static void FsyncDirectory(string path)
    {
        if (_unavailable)
        {
            return;
        }

        try
        {
            var fd = Open(path, ReadOnly | DirectoryFlag);
            if (fd < 0)
            {
                return;
            }

            try
            {
                _ = Fsync(fd);
            }
            finally
            {
                _ = Close(fd);
            }
        }
        catch (DllNotFoundException)
        {
            _unavailable = true;
        }
        catch (EntryPointNotFoundException)
        {
            _unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
