namespace ModernAuth.Mail.PowerShell.Diagnostics;

/// <summary>One step of Test-ModernAuthMail: Passed, Failed (with the code and the fix) or Skipped after an earlier failure.</summary>
public sealed class ModernAuthMailTestStep
{
    internal ModernAuthMailTestStep(Tokens.ModernAuthMailProtocol protocol, string step, string result, string detail, TimeSpan elapsed, string? code, string? fix)
    {
        Protocol = protocol;
        Step = step;
        Result = result;
        Detail = detail;
        Elapsed = elapsed;
        Code = code;
        Fix = fix;
    }

    /// <summary>The protocol tested.</summary>
    public Tokens.ModernAuthMailProtocol Protocol { get; }

    /// <summary>token, inspect, connect, authenticate, or the protocol's harmless operation.</summary>
    public string Step { get; }

    /// <summary>Passed, Failed or Skipped.</summary>
    public string Result { get; }

    /// <summary>What happened (for a failure: the message).</summary>
    public string Detail { get; }

    /// <summary>How long the step took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The stable code of a failure (docs/troubleshooting.md).</summary>
    public string? Code { get; }

    /// <summary>The fix for a failure.</summary>
    public string? Fix { get; }
}
