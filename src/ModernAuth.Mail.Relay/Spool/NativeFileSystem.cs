using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// What .NET cannot do portably to make a rename durable. On Linux and macOS: flush a directory's entries with
/// <c>open(O_RDONLY)</c> + <c>fsync</c> + <c>close</c> (plain <c>O_RDONLY</c>: the value of <c>O_DIRECTORY</c> differs
/// between architectures, and opening a directory read-only needs no flag), every return value checked. On Windows:
/// rename with <c>MOVEFILE_WRITE_THROUGH</c>, which returns only once the rename is on disk (NTFS has no directory
/// fsync). A failure throws <see cref="IOException"/>: the caller must not report the message as stored.
/// </summary>
internal static partial class NativeFileSystem
{
    private const int ReadOnly = 0; // O_RDONLY is 0 on every Unix .NET runs on
    private const int Interrupted = 4; // EINTR
    private const uint MoveFileReplaceExisting = 0x1;
    private const uint MoveFileWriteThrough = 0x8;

    /// <summary>Flushes the directory's entries to disk; a no-op on Windows, where <see cref="MoveDurably"/> writes through.</summary>
    /// <exception cref="IOException">The directory could not be opened, flushed or closed.</exception>
    public static void FsyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd;
        do
        {
            fd = Open(path, ReadOnly);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        if (fd < 0)
        {
            throw Failure("open", path);
        }

        var synced = Fsync(fd);
        var error = synced != 0 ? Marshal.GetLastPInvokeError() : 0;
        var closed = Close(fd);
        if (synced != 0)
        {
            throw new IOException($"Could not flush the directory '{path}' to disk (fsync): {new Win32Exception(error).Message}.", error);
        }

        if (closed != 0 && Marshal.GetLastPInvokeError() != Interrupted)
        {
            throw Failure("close", path);
        }
    }

    /// <summary>Renames a file, replacing the target; on Windows written through to disk before it returns.</summary>
    /// <exception cref="IOException">The rename failed.</exception>
    public static void MoveDurably(string from, string to)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.Move(from, to, overwrite: true);
            return;
        }

        if (!MoveFileEx(from, to, MoveFileReplaceExisting | MoveFileWriteThrough))
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not move '{from}' to '{to}' (MoveFileEx): {new Win32Exception(error).Message}.", error);
        }
    }

    private static IOException Failure(string call, string path)
    {
        var error = Marshal.GetLastPInvokeError();
        return new IOException($"Could not flush the directory '{path}' to disk ({call}): {new Win32Exception(error).Message}.", error);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("kernel32.dll", EntryPoint = "MoveFileExW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool MoveFileEx(string existingFileName, string newFileName, uint flags);
}
