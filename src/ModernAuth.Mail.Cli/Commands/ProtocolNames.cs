namespace ModernAuth.Mail.Cli.Commands;

internal static class ProtocolNames
{
    public static readonly string[] All = ["imap", "pop", "smtp", "ews", "graph"];

    public static MailProtocol Parse(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "IMAP" => MailProtocol.Imap,
        "POP" or "POP3" => MailProtocol.Pop,
        "SMTP" => MailProtocol.Smtp,
        "EWS" => MailProtocol.Ews,
        "GRAPH" => MailProtocol.Graph,
        _ => throw new UsageException($"The protocol '{value}' is not known: use imap, pop, smtp, ews or graph."),
    };

    public static string Name(this MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => "IMAP",
        MailProtocol.Pop => "POP",
        MailProtocol.Smtp => "SMTP",
        MailProtocol.Graph => "Graph",
        _ => "EWS",
    };
}
