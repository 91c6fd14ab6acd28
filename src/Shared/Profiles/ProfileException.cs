namespace ModernAuth.Mail.Profiles;

/// <summary>The profiles file or the profile asked for is missing, unreadable or holds a secret; the message says what to do.</summary>
internal sealed class ProfileException(string message) : Exception(message);
