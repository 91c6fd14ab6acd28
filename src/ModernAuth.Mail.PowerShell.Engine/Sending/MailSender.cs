using System.Diagnostics;
using DeliveryNotificationOptions = System.Net.Mail.DeliveryNotificationOptions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.PowerShell.Engine.Failures;
using ModernAuth.Mail.PowerShell.Engine.Logging;
using ModernAuth.Mail.PowerShell.Engine.Tls;

namespace ModernAuth.Mail.PowerShell.Engine.Sending;

/// <summary>Sends an <see cref="OutgoingMail"/> over SMTP with XOAUTH2, Microsoft Graph or EWS, reporting each step to the log.</summary>
internal static class MailSender
{
    /// <summary>Builds the message and checks where it goes, without signing in or connecting (for -WhatIf and early errors).</summary>
    /// <exception cref="MailOperationException">An address or attachment is bad, or the server setting is invalid.</exception>
    public static PreparedMail Prepare(OutgoingMail mail, SendOptions options) => new(MessageComposer.Compose(mail), Describe(options));

    /// <summary>Signs in (through <paramref name="provider"/>), connects and sends.</summary>
    /// <exception cref="MailAuthenticationException">No token, or the server refused it.</exception>
    /// <exception cref="MailOperationException">The server refused the message or could not be reached.</exception>
    /// <exception cref="Graph.GraphMailException">Microsoft Graph refused the request.</exception>
    /// <exception cref="Ews.EwsException">EWS refused the request.</exception>
    public static async Task<SentMail> SendAsync(MailTokenProvider provider, PreparedMail prepared, SendOptions options, EngineLog log, CancellationToken cancellationToken = default)
    {
        var message = prepared.Message;
        var server = Describe(options);
        var trust = ServerTrust.FromFile(options.TrustedCertificatePath);
        var from = ((MailboxAddress)message.From[0]).Address;
        var mailbox = options.Mailbox ?? (provider.IsAppOnly ? from : null);
        var recipients = message.To.Count + message.Cc.Count + message.Bcc.Count;
        var watch = Stopwatch.StartNew();
        try
        {
            switch (options.Transport)
            {
                case MailTransport.Graph:
                    await SendGraphAsync(provider, message, options, mailbox ?? from, trust, log, cancellationToken).ConfigureAwait(false);
                    break;
                case MailTransport.Ews:
                    await SendEwsAsync(provider, message, options, mailbox ?? from, trust, log, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await SendSmtpAsync(provider, message, options, mailbox, trust, log, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception error) when (FailureTranslator.Translate(error, server) is { } translated && !(error is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw translated;
        }

        log.Verbose($"Sent <{message.MessageId}> from {from} to {recipients} recipient(s) over {options.Transport} ({server}) in {watch.Elapsed.TotalSeconds:F1} s.");
        return new SentMail(message.MessageId ?? string.Empty, from, recipients, options.Transport, server, watch.Elapsed);
    }

    private static async Task SendSmtpAsync(MailTokenProvider provider, MimeMessage message, SendOptions options, string? mailbox, ServerTrust? trust, EngineLog log, CancellationToken cancellationToken)
    {
        var (host, port) = SmtpEndpoint(options);
        // XOAUTH2 carries a token: never over a plain connection. 465 is implicit TLS; anything else must STARTTLS.
        var tls = port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        using var smtp = new NotifyingSmtpClient(new MailKitProtocolLogger(), ToNotify(options.DeliveryNotification))
        {
            Timeout = (int)options.Timeout.TotalMilliseconds,
        };
        if (trust is not null)
        {
            smtp.ServerCertificateValidationCallback = (_, certificate, _, errors) => trust.Validate(certificate, errors);
            // Only the pinned certificate is accepted besides the system's trust; a self-signed one has nothing to revoke it.
            smtp.CheckCertificateRevocation = false;
        }

        log.Verbose($"Connecting to {host}:{port} ({(tls == SecureSocketOptions.SslOnConnect ? "TLS" : "STARTTLS")}).");
        await smtp.ConnectAsync(host, port, tls, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Authenticating with XOAUTH2 as {mailbox ?? "the signed-in user"}.");
        await smtp.AuthenticateAsync(provider, mailbox, cancellationToken: cancellationToken).ConfigureAwait(false);
        log.Verbose($"Sending <{message.MessageId}>.");
        await smtp.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await smtp.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SendGraphAsync(MailTokenProvider provider, MimeMessage message, SendOptions options, string mailbox, ServerTrust? trust, EngineLog log, CancellationToken cancellationToken)
    {
        using var transport = trust?.CreateHandler();
        using var graph = new Graph.GraphMailClient(provider, mailbox, new Graph.GraphMailClientOptions
        {
            Cloud = options.Cloud,
            Transport = transport,
            Timeout = options.Timeout,
            LoggerFactory = log.CreateLoggerFactory(),
        });
        log.Verbose($"Sending <{message.MessageId}> as {mailbox} through Microsoft Graph ({graph.Endpoint.GetLeftPart(UriPartial.Authority)}).");
        await graph.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SendEwsAsync(MailTokenProvider provider, MimeMessage message, SendOptions options, string mailbox, ServerTrust? trust, EngineLog log, CancellationToken cancellationToken)
    {
        var endpoint = options.Cloud.Ews ?? throw new MailOperationException(
            "ews_not_offered",
            $"The cloud {options.Cloud.Name} offers no EWS (personal accounts have none).",
            "Use -Via Smtp or -Via Graph, or give an on-premises EWS URL in the profile (\"ewsUrl\").",
            MailFailureKind.NotSupported);
        using var transport = trust?.CreateHandler();
        using var ews = new Ews.EwsClient(provider, mailbox, new Ews.EwsClientOptions { Endpoint = endpoint, Timeout = options.Timeout, Transport = transport });
        using var mime = new MemoryStream();
        await message.WriteToAsync(mime, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Sending <{message.MessageId}> as {mailbox} through EWS ({endpoint.GetLeftPart(UriPartial.Path)}).");
        await ews.SendMimeAsync(mime.ToArray(), saveCopy: true, cancellationToken).ConfigureAwait(false);
    }

    private static (string Host, int Port) SmtpEndpoint(SendOptions options)
    {
        var host = options.Cloud.Smtp.Host;
        var port = options.Cloud.Smtp.Port;
        if (!string.IsNullOrWhiteSpace(options.SmtpServer))
        {
            var text = options.SmtpServer!.Trim();
            var colon = text.LastIndexOf(':');
            if (colon > 0 && int.TryParse(text.Substring(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var given) && given is > 0 and < 65536)
            {
                (host, port) = (text.Substring(0, colon), given);
            }
            else
            {
                host = text;
                port = options.Cloud.Smtp.Port;
            }
        }

        if (options.Port is { } explicitPort and > 0)
        {
            port = explicitPort;
        }

        return (host, port);
    }

    private static string Describe(SendOptions options) => options.Transport switch
    {
        MailTransport.Graph => options.Cloud.Graph.Host,
        MailTransport.Ews => options.Cloud.Ews?.Host ?? "(no EWS)",
        _ => $"{SmtpEndpoint(options).Host}:{SmtpEndpoint(options).Port}",
    };

    /// <summary>Maps Send-MailMessage's -DeliveryNotificationOption to SMTP DSN (RCPT TO ... NOTIFY=).</summary>
    internal static DeliveryStatusNotification? ToNotify(DeliveryNotificationOptions options)
    {
        if (options == DeliveryNotificationOptions.None)
        {
            return null;
        }

        if ((options & DeliveryNotificationOptions.Never) != 0)
        {
            return DeliveryStatusNotification.Never;
        }

        var notify = default(DeliveryStatusNotification);
        if ((options & DeliveryNotificationOptions.OnSuccess) != 0)
        {
            notify |= DeliveryStatusNotification.Success;
        }

        if ((options & DeliveryNotificationOptions.OnFailure) != 0)
        {
            notify |= DeliveryStatusNotification.Failure;
        }

        if ((options & DeliveryNotificationOptions.Delay) != 0)
        {
            notify |= DeliveryStatusNotification.Delay;
        }

        return notify;
    }

    /// <summary>An SMTP client that asks for delivery status notifications (DSN) when -DeliveryNotificationOption says so.</summary>
    private sealed class NotifyingSmtpClient(MailKitProtocolLogger logger, DeliveryStatusNotification? notify) : SmtpClient(logger)
    {
        protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) => notify;
    }
}
