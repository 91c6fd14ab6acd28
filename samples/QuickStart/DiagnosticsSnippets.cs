using ModernAuth.Mail;
using ModernAuth.Mail.Diagnostics;

namespace QuickStart;

/// <summary>The code of docs/troubleshooting.md, compiled (a test checks the doc shows it verbatim).</summary>
public static class DiagnosticsSnippets
{
    public static void Explain(string accessToken)
    {
        var inspection = new TokenInspector(new TokenInspectorOptions
        {
            Protocol = MailProtocol.Imap,        // which scope or role must be in the token
            AppOnly = true,                      // client credentials; false for a signed-in user
            Mailbox = "shared@contoso.com",      // the XOAUTH2 user=
            TenantId = "<tenant id>",
            ClientId = "<app id>",
        }).Inspect(accessToken);
        Console.WriteLine(MailFindingFormatter.FormatText(inspection));

        var reply = MailResponseCatalog.Default.Explain("A1 NO AUTHENTICATE failed.");
        Console.WriteLine(MailFindingFormatter.FormatText(reply));
    }
}
