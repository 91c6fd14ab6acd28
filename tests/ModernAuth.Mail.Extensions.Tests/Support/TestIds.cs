namespace ModernAuth.Mail.Extensions.Tests.Support;

/// <summary>The identities every test registers in its fake Entra ID. Secrets and keys are made up for tests.</summary>
public static class TestIds
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "6a3f1c52-0e1b-4a7e-9d51-5c8f0b0e7a11";
    public const string CertificateClientId = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a";
    public const string PublicClientId = "3c2b1a09-8f7e-4d6c-b5a4-938271605f4e";
    public const string Secret = "Sup3r~Secret.Value_for-tests-0123456789";
    public const string Mailbox = "shared@contoso.test";

    /// <summary>32 bytes, base64: a token cache encryption key.</summary>
    public const string EncryptionKey = "q83vEjRWeJq8Dv8AESIzRFVmd4iZqrvM3e7/ABEiM0Q=";

    /// <summary>Another 32-byte key, for rotation tests.</summary>
    public const string OtherEncryptionKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    public static string AppCacheKey(string clientId = ClientId) => $"{clientId}_{Tenant}_AppTokenCache";

    public static string NewPrefix() => "modernauth-mail-tests:" + Guid.NewGuid().ToString("N") + ":";
}
