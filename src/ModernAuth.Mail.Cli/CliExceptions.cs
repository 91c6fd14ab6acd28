namespace ModernAuth.Mail.Cli;

/// <summary>The command line is wrong in a way the parser cannot see (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Something must be configured first; the message names what to set (exit code 3).</summary>
internal sealed class ConfigurationException(string message) : Exception(message);
