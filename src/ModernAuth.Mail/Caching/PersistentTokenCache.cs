using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace ModernAuth.Mail.Internal;

/// <summary>
/// Persists MSAL's user token cache in a file through Microsoft.Identity.Client.Extensions.Msal: encrypted by the
/// OS where it can be (DPAPI, keychain, a Linux keyring), else a file only its owner can read (0600).
/// A damaged file is treated as empty (the user signs in again) rather than failing.
/// </summary>
internal static class PersistentTokenCache
{
    public const string DefaultFileName = "msal-token-cache.bin";

    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "ModernAuth.Mail", DefaultFileName);

    public static async Task AttachAsync(ITokenCache cache, string path, bool allowUnencrypted, ILogger logger)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var fileName = Path.GetFileName(fullPath);
        try
        {
            Directory.CreateDirectory(directory);
            MsalCacheHelper helper;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX) || HasLinuxKeyring())
            {
                try
                {
                    helper = await MsalCacheHelper.CreateAsync(Protected(fileName, directory)).ConfigureAwait(false);
                    helper.VerifyPersistence();
                    helper = await QuarantineIfDamagedAsync(helper, fullPath, () => Protected(fileName, directory), logger).ConfigureAwait(false);
                    helper.RegisterCache(cache);
                    return;
                }
                catch (MsalCachePersistenceException) when (allowUnencrypted && !RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    // No usable keyring (headless Linux): fall back to an owner-only file below.
                }
            }

            if (!allowUnencrypted)
            {
                Log.TokenCacheUnavailable(logger, fullPath, "no OS key store and AllowUnencryptedTokenCache is false");
                return;
            }

            EnsureOwnerOnlyFile(fullPath);
            StorageCreationProperties Unprotected() => new StorageCreationPropertiesBuilder(fileName, directory).WithUnprotectedFile().Build();
            helper = await MsalCacheHelper.CreateAsync(Unprotected()).ConfigureAwait(false);
            helper = await QuarantineIfDamagedAsync(helper, fullPath, Unprotected, logger).ConfigureAwait(false);
            helper.RegisterCache(cache);
            Log.TokenCacheUnprotected(logger, fullPath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or MsalCachePersistenceException or PlatformNotSupportedException)
        {
            // Tokens still work in memory; the user signs in again next run. Never fail a sign-in for the cache.
            Log.TokenCacheUnavailable(logger, fullPath, error.GetType().Name + ": " + error.Message);
        }
    }

    /// <summary>
    /// A cache file damaged by a crash mid-write (or by hand) would make every MSAL call fail. Move it aside
    /// (kept for inspection as <c>*.damaged-*</c>) and start from an empty cache: the user signs in again.
    /// </summary>
    private static async Task<MsalCacheHelper> QuarantineIfDamagedAsync(MsalCacheHelper helper, string path, Func<StorageCreationProperties> properties, ILogger logger)
    {
        byte[] data;
        try
        {
            data = helper.LoadUnencryptedTokenCache();
        }
        catch (Exception error) when (error is MsalCachePersistenceException or System.Security.Cryptography.CryptographicException or IOException)
        {
            data = new byte[] { 0 };
        }

        if (data.Length == 0 || IsJson(data))
        {
            return helper;
        }

        var aside = path + ".damaged-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        File.Move(path, aside);
        Log.TokenCacheDamaged(logger, path, aside);
        return await MsalCacheHelper.CreateAsync(properties()).ConfigureAwait(false);
    }

    private static bool IsJson(byte[] data)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(data);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static StorageCreationProperties Protected(string fileName, string directory) =>
        new StorageCreationPropertiesBuilder(fileName, directory)
            .WithMacKeyChain("ModernAuth.Mail", "MSALCache")
            .WithLinuxKeyring(
                "com.modernauth.mail.tokencache",
                MsalCacheHelper.LinuxKeyRingDefaultCollection,
                "ModernAuth.Mail token cache",
                new KeyValuePair<string, string>("Version", "1"),
                new KeyValuePair<string, string>("ProductGroup", "ModernAuth.Mail"))
            .Build();

    // A keyring needs a D-Bus session; without one (servers, containers, CI) trying it only wastes time.
    private static bool HasLinuxKeyring() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) &&
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"));

    /// <summary>Creates the file (if missing) and makes it readable and writable by its owner only.</summary>
    internal static void EnsureOwnerOnlyFile(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        if (!File.Exists(path))
        {
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }
        }

#if NET7_0_OR_GREATER
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
#else
        if (NativeMethods.chmod(path, 0x180) != 0)
        {
            throw new IOException($"Could not restrict the permissions of '{path}' to 0600 (errno {Marshal.GetLastWin32Error()}).");
        }
#endif
    }

#if !NET7_0_OR_GREATER
    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300, IDE1006 // libc's name.
        public static extern int chmod(string path, uint mode);
#pragma warning restore SA1300, IDE1006
    }
#endif
}
