namespace ModernAuth.Mail.Diagnostics;

/// <summary>How serious a finding is.</summary>
public enum MailFindingSeverity
{
    /// <summary>A fact worth knowing; nothing is wrong.</summary>
    Info = 0,

    /// <summary>Something that may fail, or that works today but is fragile.</summary>
    Warning = 1,

    /// <summary>Something that makes authentication fail.</summary>
    Error = 2,
}
