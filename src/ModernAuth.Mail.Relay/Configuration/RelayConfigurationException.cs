namespace ModernAuth.Mail.Relay;

/// <summary>The relay's configuration is wrong: <see cref="Exception.Message"/> names the key and says what to write instead.</summary>
public class RelayConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RelayConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public RelayConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RelayConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a configuration key.</summary>
    /// <param name="key">The key, e.g. <c>Relay:Networks:0:Ranges:1</c>.</param>
    /// <param name="message">What is wrong.</param>
    public RelayConfigurationException(string key, string message)
        : base(key + ": " + message)
    {
        Key = key;
    }

    /// <summary>The configuration key that is wrong, when one is; else <see langword="null"/>.</summary>
    public string? Key { get; }
}
