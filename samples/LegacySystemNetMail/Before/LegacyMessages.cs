using System.Net.Mail;
using System.Net.Mime;
using System.Text;

namespace LegacySystemNetMail;

/// <summary>
/// The messages a legacy System.Net.Mail app sends, built the way such apps build them. Before/ sends them with
/// SmtpClient and a password, After/ with ModernAuthSmtpClient and OAuth, and a test sends them both ways to the same
/// Postfix and compares what arrives.
/// </summary>
public static class LegacyMessages
{
    /// <summary>How many messages <see cref="Create"/> makes.</summary>
    public const int Count = 3;

    /// <summary>A 1x1 PNG, the "logo" the HTML message shows inline.</summary>
    public static readonly byte[] Logo = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    /// <summary>The bytes of the binary attachment.</summary>
    public static byte[] Report { get; } = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 251)).ToArray();

    /// <summary>The text of the attachment with a non-ASCII file name.</summary>
    public const string Summary = "Übersicht für März: 3 Aufträge, 1 Rückfrage.\r\n";

    /// <summary>
    /// A plain text message with Cc and Bcc and a UTF-8 subject; an HTML message with a plain-text alternative and an
    /// inline image; a high-priority message with attachments (one with a non-ASCII name) and custom headers.
    /// </summary>
    /// <param name="from">The sender.</param>
    /// <param name="to">The recipient.</param>
    /// <param name="cc">The copy recipient.</param>
    /// <param name="bcc">The blind copy recipient.</param>
    /// <param name="tag">Added to every subject, so a run finds its own messages.</param>
    public static IReadOnlyList<MailMessage> Create(string from, string to, string cc, string bcc, string tag)
    {
        var text = new MailMessage(new MailAddress(from, "Payroll Reports"), new MailAddress(to))
        {
            Subject = $"Quarterly report — café ☕ Ünïcödé {tag}",
            Body = "Dear team,\r\nthe quarterly figures are ready: 12 % up on last quarter.\r\n— Payroll",
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,
        };
        text.CC.Add(cc);
        text.Bcc.Add(bcc);
        text.ReplyToList.Add(new MailAddress("payroll-desk@contoso.test", "Payroll Desk"));

        var html = new MailMessage(from, to)
        {
            Subject = $"Newsletter with logo {tag}",
            Body = "Newsletter: our logo, and the news. (Your mail program shows text only.)",
        };
        var view = AlternateView.CreateAlternateViewFromString(
            "<html><body><h1>Newsletter</h1><p>Our logo: <img src=\"cid:logo\" alt=\"logo\"></p></body></html>",
            Encoding.UTF8,
            MediaTypeNames.Text.Html);
        view.LinkedResources.Add(new LinkedResource(new MemoryStream(Logo), "image/png") { ContentId = "logo" });
        html.AlternateViews.Add(view);

        var attachments = new MailMessage(from, to)
        {
            Subject = $"Invoice run finished {tag}",
            Body = "<p>The invoice run has <b>finished</b>. Reports attached.</p>",
            IsBodyHtml = true,
            Priority = MailPriority.High,
        };
        attachments.Attachments.Add(new Attachment(new MemoryStream(Report), "report.bin", MediaTypeNames.Application.Octet));
        attachments.Attachments.Add(new Attachment(new MemoryStream(Encoding.UTF8.GetBytes(Summary)), "Übersicht März.txt", "text/plain; charset=utf-8"));
        attachments.Headers.Add("X-Legacy-App", "Payroll 4.2");
        attachments.Headers.Add("X-Run-Id", "2026-12-05/17");

        return [text, html, attachments];
    }
}
