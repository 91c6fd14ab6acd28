using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail;

/// <summary>
/// Where the client certificate of <see cref="ClientCertificateTokenProvider"/> comes from: a PFX file, PEM files,
/// an <see cref="X509Certificate2"/>, or the certificate store by thumbprint. The certificate is loaded on the
/// first token request; a problem then surfaces as <see cref="MailAuthenticationException"/> with the code
/// <see cref="MailErrorCodes.CertificateUnavailable"/> and a remedy.
/// </summary>
public abstract class ClientCertificateSource
{
    /// <summary>For derived sources and mocking.</summary>
    protected ClientCertificateSource()
    {
    }

    /// <summary>Describes the source for messages, without any secret (for example <c>PFX file app.pfx</c>).</summary>
    public abstract string Description { get; }

    /// <summary>Loads the certificate with its private key.</summary>
    /// <returns>The certificate.</returns>
    /// <exception cref="MailAuthenticationException">The certificate cannot be loaded or has no private key.</exception>
    public abstract X509Certificate2 LoadCertificate();

    /// <summary>A certificate you already have. It must hold its private key.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    public static ClientCertificateSource FromCertificate(X509Certificate2 certificate) =>
        new Fixed(certificate ?? throw new ArgumentNullException(nameof(certificate)));

    /// <summary>A PFX (PKCS#12) file with its password.</summary>
    /// <param name="path">The file.</param>
    /// <param name="password">The password, or <see langword="null"/> when the file has none. Never logged.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static ClientCertificateSource FromPfxFile(string path, string? password = null) =>
        new Pfx(string.IsNullOrWhiteSpace(path) ? throw new ArgumentException("The PFX file path is missing.", nameof(path)) : path, password);

    /// <summary>PEM files: the certificate, and its unencrypted private key (PKCS#8 or PKCS#1; may be the same file). Needs .NET 5 or later.</summary>
    /// <param name="certificatePath">The certificate PEM file.</param>
    /// <param name="privateKeyPath">The private key PEM file; <see langword="null"/> when it is inside <paramref name="certificatePath"/>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException"><paramref name="certificatePath"/> is empty.</exception>
    public static ClientCertificateSource FromPemFiles(string certificatePath, string? privateKeyPath = null) =>
        new Pem(string.IsNullOrWhiteSpace(certificatePath) ? throw new ArgumentException("The certificate PEM path is missing.", nameof(certificatePath)) : certificatePath, privateKeyPath);

    /// <summary>A certificate in the certificate store, found by thumbprint (the Windows store, or the .NET store on Linux and macOS).</summary>
    /// <param name="thumbprint">The SHA-1 thumbprint, hex (spaces and colons are ignored).</param>
    /// <param name="location">The store location. Default <see cref="StoreLocation.CurrentUser"/>.</param>
    /// <param name="storeName">The store. Default <see cref="StoreName.My"/>.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException"><paramref name="thumbprint"/> is empty.</exception>
    public static ClientCertificateSource FromStore(string thumbprint, StoreLocation location = StoreLocation.CurrentUser, StoreName storeName = StoreName.My)
    {
        var clean = new string((thumbprint ?? string.Empty).Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
        if (clean.Length == 0)
        {
            throw new ArgumentException("The certificate thumbprint is missing.", nameof(thumbprint));
        }

        return new Store(clean, location, storeName);
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    private static MailAuthenticationException Unavailable(string message, string remedy, Exception? inner = null) =>
        new(MailErrorCodes.CertificateUnavailable, message, remedy, false, inner);

    private static X509Certificate2 RequirePrivateKey(X509Certificate2 certificate, string description)
    {
        if (!certificate.HasPrivateKey)
        {
            throw Unavailable($"The certificate from {description} (thumbprint {certificate.Thumbprint}) has no private key, so it cannot sign the client assertion.",
                "Use a PFX that includes the private key, or give the private key PEM file as well.");
        }

        return certificate;
    }

    private sealed class Fixed : ClientCertificateSource
    {
        private readonly X509Certificate2 _certificate;

        public Fixed(X509Certificate2 certificate) => _certificate = certificate;

        public override string Description => $"certificate {_certificate.Thumbprint}";

        public override X509Certificate2 LoadCertificate() => RequirePrivateKey(_certificate, Description);
    }

    private sealed class Pfx : ClientCertificateSource
    {
        private readonly string _path;
        private readonly string? _password;

        public Pfx(string path, string? password)
        {
            _path = path;
            _password = password;
        }

        public override string Description => $"PFX file {Path.GetFileName(_path)}";

        public override X509Certificate2 LoadCertificate()
        {
            if (!File.Exists(_path))
            {
                throw Unavailable($"The PFX file '{_path}' does not exist.", "Check the path (relative paths are resolved from the current directory) and that this account can read it.");
            }

            try
            {
                // Ephemeral keys stay in memory instead of the user's key store (not supported on macOS).
#if NET5_0_OR_GREATER
                var flags = RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
#else
                var flags = X509KeyStorageFlags.DefaultKeySet;
#endif
                return RequirePrivateKey(new X509Certificate2(_path, _password, flags), Description);
            }
            catch (System.Security.Cryptography.CryptographicException error)
            {
                throw Unavailable($"The PFX file '{Path.GetFileName(_path)}' could not be opened: {error.Message.Trim()}",
                    "Check the password (it is case-sensitive; give null when the file has none) and that the file is a PKCS#12 (.pfx/.p12) file.", error);
            }
        }
    }

    private sealed class Pem : ClientCertificateSource
    {
        private readonly string _certificatePath;
        private readonly string? _keyPath;

        public Pem(string certificatePath, string? keyPath)
        {
            _certificatePath = certificatePath;
            _keyPath = keyPath;
        }

        public override string Description => $"PEM file {Path.GetFileName(_certificatePath)}";

        public override X509Certificate2 LoadCertificate()
        {
            foreach (var path in new[] { _certificatePath, _keyPath })
            {
                if (path is not null && !File.Exists(path))
                {
                    throw Unavailable($"The PEM file '{path}' does not exist.", "Check the path and that this account can read it.");
                }
            }

            try
            {
#if NET5_0_OR_GREATER
                var loaded = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
#else
                // netstandard2.0 has no PEM reader; .NET 5+ hosts running this build still have one.
                var method = typeof(X509Certificate2).GetMethod("CreateFromPemFile", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string) }, null)
                    ?? throw Unavailable("PEM certificates need .NET 5 or later; this is .NET Framework or an older runtime.",
                        "Convert the PEM files to a PFX and use ClientCertificateSource.FromPfxFile: `openssl pkcs12 -export -in cert.pem -inkey key.pem -out cert.pfx`.");
                X509Certificate2 loaded;
                try
                {
                    loaded = (X509Certificate2)method.Invoke(null, new object?[] { _certificatePath, _keyPath })!;
                }
                catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
                {
                    throw wrapped.InnerException;
                }
#endif
                // Windows cannot sign with an ephemeral PEM key in some providers: round-trip through PKCS#12.
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    using (loaded)
                    {
                        return RequirePrivateKey(new X509Certificate2(loaded.Export(X509ContentType.Pkcs12)), Description);
                    }
                }

                return RequirePrivateKey(loaded, Description);
            }
            catch (Exception error) when (error is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw Unavailable($"The PEM files '{Path.GetFileName(_certificatePath)}'{(_keyPath is null ? string.Empty : " and '" + Path.GetFileName(_keyPath) + "'")} could not be read: {error.Message.Trim()}",
                    "The certificate file needs a '-----BEGIN CERTIFICATE-----' block and the key an unencrypted '-----BEGIN PRIVATE KEY-----' or '-----BEGIN RSA PRIVATE KEY-----' block (decrypt it with `openssl pkey -in key.pem -out key-plain.pem`).", error);
            }
        }
    }

    private sealed class Store : ClientCertificateSource
    {
        private readonly string _thumbprint;
        private readonly StoreLocation _location;
        private readonly StoreName _storeName;

        public Store(string thumbprint, StoreLocation location, StoreName storeName)
        {
            _thumbprint = thumbprint;
            _location = location;
            _storeName = storeName;
        }

        public override string Description => $"certificate store {_location}/{_storeName} thumbprint {_thumbprint}";

        public override X509Certificate2 LoadCertificate()
        {
            // .NET on Linux and macOS has LocalMachine only for the Root and CertificateAuthority stores (read-only views
            // of the system's trust store); opening any other fails deep inside X509Store. Say so, and what works instead.
            if (_location == StoreLocation.LocalMachine && _storeName is not (StoreName.Root or StoreName.CertificateAuthority) &&
                !RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                throw Unavailable($"The LocalMachine/{_storeName} certificate store exists only on Windows: .NET on this system has LocalMachine only for the Root and CertificateAuthority stores, so thumbprint {_thumbprint} cannot be looked up there.",
                    "On Linux and macOS give the certificate as a file (a PFX with its private key, or PEM certificate and key files: CertificatePath in settings, --certificate-path in the CLI), or add it to the CurrentUser/My store (kept in ~/.dotnet/corefx/cryptography/x509stores/my) and use CurrentUser.");
            }

            try
            {
                using var store = new X509Store(_storeName, _location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, _thumbprint, validOnly: false);
                if (found.Count == 0)
                {
                    throw Unavailable($"No certificate with thumbprint {_thumbprint} is in the {_location}/{_storeName} store.",
                        $"Import the certificate with its private key into {_location}/{_storeName} (Windows: `Import-PfxCertificate -FilePath app.pfx -CertStoreLocation Cert:\\{_location}\\{_storeName}`), or check the thumbprint.");
                }

                return RequirePrivateKey(found[0], Description);
            }
            catch (System.Security.Cryptography.CryptographicException error)
            {
                throw Unavailable($"The {_location}/{_storeName} certificate store could not be opened to find thumbprint {_thumbprint}: {error.Message.Trim()}",
                    "Check that the store exists and this account may read it.", error);
            }
        }
    }
}
