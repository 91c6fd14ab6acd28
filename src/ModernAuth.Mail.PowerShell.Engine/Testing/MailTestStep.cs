namespace ModernAuth.Mail.PowerShell.Engine.Testing;

/// <summary>One step of a mailbox test: passed, failed (with the code and the fix) or skipped after an earlier failure.</summary>
internal sealed record MailTestStep(MailProtocol Protocol, string Step, string Result, string Detail, TimeSpan Elapsed, string? Code = null, string? Fix = null);
