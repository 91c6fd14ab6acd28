namespace ModernAuth.Mail.MailKit.Internal;

/// <summary>What this package's SASL mechanisms remember of an exchange.</summary>
internal interface IOAuthMechanism
{
    /// <summary>The decoded error challenge the server sent after the token (Dovecot's JSON), or <see langword="null"/>.</summary>
    string? ErrorChallenge { get; }
}
