using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ModernAuth.Mail.Internal;

/// <summary>The one way from <see cref="MailTokenProviderSettings"/> to a <see cref="MailTokenProvider"/>, used by every front end.</summary>
internal static class MailTokenProviderBuilder
{
    public static MailTokenProvider Create(MailTokenProviderSettings settings, Action<MailTokenProviderOptions>? configureOptions)
    {
        if (settings is null)
        {
            throw new ArgumentNullException(nameof(settings));
        }

        var failures = settings.Validate();
        if (failures.Count > 0)
        {
            throw new MailSettingsException(failures);
        }

        var cloud = MailTokenProviderSettingsValidator.ResolveCloud(settings)!;
        var transport = TrustingTransport(settings.AuthorityCertificatePath);

        TOptions Common<TOptions>(TOptions options)
            where TOptions : MailTokenProviderOptions
        {
            options.Cloud = cloud;
            options.AuthorityHost = settings.AuthorityHost;
            options.DisableInstanceDiscovery = settings.DisableInstanceDiscovery;
            options.Transport = transport;
            if (settings.NetworkTimeout is { } timeout)
            {
                options.NetworkTimeout = timeout;
            }

            if (settings.RefreshMargin is { } margin)
            {
                options.RefreshMargin = margin;
            }

            configureOptions?.Invoke(options);
            return options;
        }

        var tenantId = settings.TenantId?.Trim();
        var clientId = settings.ClientId?.Trim() ?? string.Empty;
        return settings.Flow switch
        {
            MailTokenFlow.ManagedIdentity => new ManagedIdentityTokenProvider(Common(new ManagedIdentityTokenProviderOptions
            {
                ClientId = settings.ManagedIdentityClientId?.Trim(),
                ResourceId = settings.ManagedIdentityResourceId?.Trim(),
            })),
            MailTokenFlow.WorkloadIdentity => new WorkloadIdentityTokenProvider(Common(new WorkloadIdentityTokenProviderOptions
            {
                TenantId = tenantId,
                ClientId = clientId.Length > 0 ? clientId : null,
                TokenFilePath = settings.FederatedTokenFile?.Trim(),
                TokenCallback = settings.FederatedTokenCallback,
            })),
            MailTokenFlow.ClientSecret => new ClientSecretTokenProvider(tenantId!, clientId, ReadSecret(settings), Common(new ClientSecretTokenProviderOptions())),
            MailTokenFlow.ClientCertificate => new ClientCertificateTokenProvider(tenantId!, clientId, CertificateSource(settings),
                Common(new ClientCertificateTokenProviderOptions { SendCertificateChain = settings.SendCertificateChain })),
            MailTokenFlow.InteractiveBrowser => new InteractiveBrowserTokenProvider(clientId, Common(new InteractiveBrowserTokenProviderOptions
            {
                TenantId = tenantId,
                TokenCachePath = settings.TokenCachePath,
                PersistTokenCache = settings.PersistTokenCache,
                AllowUnencryptedTokenCache = settings.AllowUnencryptedTokenCache,
                DisableInteractiveSignIn = settings.DisableInteractiveSignIn,
                Username = settings.Username?.Trim(),
                RedirectUri = settings.RedirectUri ?? InteractiveBrowserTokenProviderOptions.DefaultRedirectUri,
                SignInTimeout = settings.SignInTimeout ?? InteractiveBrowserTokenProviderOptions.DefaultSignInTimeout,
            })),
            _ => new DeviceCodeTokenProvider(clientId, Common(new DeviceCodeTokenProviderOptions
            {
                TenantId = tenantId,
                TokenCachePath = settings.TokenCachePath,
                PersistTokenCache = settings.PersistTokenCache,
                AllowUnencryptedTokenCache = settings.AllowUnencryptedTokenCache,
                DisableInteractiveSignIn = settings.DisableInteractiveSignIn,
                Username = settings.Username?.Trim(),
                DeviceCodeCallback = settings.DeviceCodeCallback,
            })),
        };
    }

    private static string ReadSecret(MailTokenProviderSettings settings)
    {
        if (!string.IsNullOrWhiteSpace(settings.ClientSecret))
        {
            return settings.ClientSecret!.Trim();
        }

        var path = settings.ClientSecretFile!;
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Failure("ClientSecretFile", $"{MailSettingsFailure.Key("ClientSecretFile")} {MailSettingsFailure.Value(path)} could not be read ({error.GetType().Name}): check that it exists and that this account may read it.");
        }

        return text.Length > 0
            ? text
            : throw Failure("ClientSecretFile", $"{MailSettingsFailure.Key("ClientSecretFile")} {MailSettingsFailure.Value(path)} is empty: put the secret's Value in it (not its Secret ID), nothing else.");
    }

    private static ClientCertificateSource CertificateSource(MailTokenProviderSettings settings)
    {
        if (settings.Certificate is { } certificate)
        {
            return ClientCertificateSource.FromCertificate(certificate);
        }

        if (!string.IsNullOrWhiteSpace(settings.CertificateThumbprint))
        {
            return ClientCertificateSource.FromStore(settings.CertificateThumbprint!, settings.CertificateStoreLocation, settings.CertificateStoreName);
        }

        var path = settings.CertificatePath!.Trim();
        var extension = Path.GetExtension(path);
        return string.Equals(extension, ".pfx", StringComparison.OrdinalIgnoreCase) || string.Equals(extension, ".p12", StringComparison.OrdinalIgnoreCase)
            ? ClientCertificateSource.FromPfxFile(path, settings.CertificatePassword)
            : ClientCertificateSource.FromPemFiles(path, settings.CertificateKeyPath);
    }

    /// <summary>A transport that also accepts the one certificate in <paramref name="path"/> (a test token service's).</summary>
    private static HttpMessageHandler? TrustingTransport(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        byte[] pinned;
        try
        {
            using var certificate = LoadCertificate(path!);
            pinned = certificate.RawData;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or FormatException)
        {
            throw Failure("AuthorityCertificatePath", $"{MailSettingsFailure.Key("AuthorityCertificatePath")} {MailSettingsFailure.Value(path)} is not a readable certificate ({error.GetType().Name}): use the token service's certificate as a PEM or DER file.");
        }

        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && certificate.RawData.AsSpan().SequenceEqual(pinned)),
        };
    }

    private static X509Certificate2 LoadCertificate(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        const string Begin = "-----BEGIN CERTIFICATE-----";
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        if (start < 0)
        {
            return new X509Certificate2(bytes);
        }

        var end = text.IndexOf("-----END CERTIFICATE-----", start, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new FormatException("The PEM certificate has no END line.");
        }

        var body = text.Substring(start + Begin.Length, end - start - Begin.Length);
        return new X509Certificate2(Convert.FromBase64String(body));
    }

    private static MailSettingsException Failure(string setting, string message) =>
        new(new[] { new MailSettingsFailure(setting, message) });
}
