namespace ModernAuth.Mail;

/// <summary>What the user needs to sign in with a device code: open <see cref="VerificationUri"/> and enter <see cref="UserCode"/>.</summary>
public sealed class DeviceCodeInfo
{
    /// <summary>Creates the information.</summary>
    /// <param name="userCode">The code the user enters.</param>
    /// <param name="verificationUri">Where the user enters it.</param>
    /// <param name="expiresOn">When the code expires.</param>
    /// <param name="message">The token service's own instruction, ready to show.</param>
    /// <param name="scopes">The scopes being requested.</param>
    public DeviceCodeInfo(string userCode, Uri verificationUri, DateTimeOffset expiresOn, string message, IReadOnlyList<string> scopes)
    {
        UserCode = userCode;
        VerificationUri = verificationUri;
        ExpiresOn = expiresOn;
        Message = message;
        Scopes = scopes;
    }

    /// <summary>The code the user enters (short-lived and single-use; safe to show).</summary>
    public string UserCode { get; }

    /// <summary>Where the user enters the code, usually <c>https://microsoft.com/devicelogin</c>.</summary>
    public Uri VerificationUri { get; }

    /// <summary>When the code expires.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <summary>The token service's instruction, for example "To sign in, use a web browser to open the page ... and enter the code ...".</summary>
    public string Message { get; }

    /// <summary>The scopes being requested.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
