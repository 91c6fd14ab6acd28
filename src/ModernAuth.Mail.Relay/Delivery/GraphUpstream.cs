using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MimeKit;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.Graph;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Delivery through Microsoft Graph <c>sendMail</c> for routes with <see cref="RelayUpstreamKind.Graph"/>: one
/// <see cref="GraphMailClient"/> per mailbox lane (its SDK retry handler waits for <c>Retry-After</c> first), the SMTP
/// envelope reconciled with the headers Graph sends to, and Graph's errors sorted into what the lane does with them.
/// </summary>
internal sealed class GraphUpstream : IDisposable
{
    /// <summary>The dead-letter code of a message whose headers name recipients its envelope does not.</summary>
    public const string EnvelopeMismatch = "graph_envelope_mismatch";

    private static readonly FormatOptions WireFormat = CreateWireFormat();
    private readonly RelayGraphOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly HttpMessageHandler? _transport;

    public GraphUpstream(RelayGraphOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        // Pinned like the SMTP upstream's TrustedCertificatePath: a chain the system trusts, or exactly this certificate.
        if (RelayRouting.PinnedCertificateValidation(options.TrustedCertificatePath) is { } pinned)
        {
            _transport = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = pinned },
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            };
        }
    }

    /// <summary>A client for one lane: the route's provider, sending as <paramref name="mailbox"/>.</summary>
    /// <exception cref="ArgumentException">The mailbox is missing or not an address (a misconfigured route).</exception>
    public GraphMailClient CreateClient(MailTokenProvider provider, string? mailbox) =>
        new(provider, mailbox ?? string.Empty, new GraphMailClientOptions
        {
            Endpoint = _options.Endpoint,
            Transport = _transport,
            MaxRetries = _options.MaxRetries,
            Timeout = _options.Timeout,
            LoggerFactory = _loggerFactory,
        });

    /// <summary>
    /// The MIME bytes to give Graph for a spooled message. Graph delivers to the message's <c>To</c>, <c>Cc</c> and
    /// <c>Bcc</c> headers, not to an SMTP envelope, so the two are made to agree without dropping or adding anyone:
    /// envelope recipients the headers do not name (a <c>Bcc</c> the client kept out of the headers, a device that sends
    /// with envelope-only recipients) are added as <c>Bcc</c>, which Exchange delivers to and does not show the other
    /// recipients; the spool file itself is never changed. Recipients the headers name but the envelope does not (the
    /// client split its recipients over several transactions, or left some out on purpose) cannot be kept out of a Graph
    /// send: such a message is refused with <see cref="GraphEnvelopeException"/>.
    /// </summary>
    /// <param name="mime">The message as spooled.</param>
    /// <param name="recipients">The envelope recipients still to deliver to.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <exception cref="GraphEnvelopeException">The headers name recipients outside the envelope.</exception>
    public static async Task<byte[]> PrepareAsync(byte[] mime, IReadOnlyCollection<string> recipients, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(mime, writable: false);
        using var message = await MimeMessage.LoadAsync(stream, persistent: true, cancellationToken).ConfigureAwait(false);
        var headed = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes)
            .Select(m => m.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var envelope = recipients.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var headerOnly = headed.Where(a => !envelope.Contains(a)).OrderBy(a => a, StringComparer.OrdinalIgnoreCase).ToList();
        if (headerOnly.Count > 0)
        {
            throw new GraphEnvelopeException(headerOnly);
        }

        var envelopeOnly = recipients.Where(r => !headed.Contains(r)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (envelopeOnly.Count == 0)
        {
            // The common case: the message goes to Graph byte for byte as the client sent it.
            return mime;
        }

        if (message.Headers.Contains(HeaderId.Bcc))
        {
            // One Bcc field at most (RFC 5322): add to the existing one, and write the message anew.
            message.Bcc.AddRange(envelopeOnly.Select(a => new MailboxAddress(string.Empty, a)));
            using var rewritten = new MemoryStream();
            await message.WriteToAsync(WireFormat, rewritten, cancellationToken).ConfigureAwait(false);
            return rewritten.ToArray();
        }

        // A Bcc field in front of the others; everything after it stays byte for byte.
        var list = new InternetAddressList(envelopeOnly.Select(a => new MailboxAddress(string.Empty, a)));
        var line = Encoding.UTF8.GetBytes("Bcc: " + list.ToString(WireFormat, true) + "\r\n");
        var result = new byte[line.Length + mime.Length];
        line.CopyTo(result, 0);
        mime.CopyTo(result, line.Length);
        return result;
    }

    /// <summary>Whether Graph throttles the mailbox (<c>429</c>, or <c>503</c>/<c>504</c> beyond the SDK's retries): the lane pauses.</summary>
    public static bool IsThrottled(Exception exception) =>
        exception is GraphMailException graph
        && (graph.ErrorCode is MailFindingCodes.GraphThrottled or MailFindingCodes.GraphServiceUnavailable
            || (int?)graph.StatusCode is 429 or 503 or 504);

    /// <summary>Whether Graph could not be reached or did not answer in time: the lane pauses.</summary>
    public static bool IsUnreachable(Exception exception) =>
        exception is GraphMailException { ErrorCode: GraphErrorCodes.HttpError or GraphErrorCodes.Timeout };

    /// <summary>
    /// What a Graph failure means for the message: throttling and network failures pause the lane, other retryable
    /// answers retry the message, and the rest (an access policy, a missing permission, an unknown or REST-disabled
    /// mailbox, a message too large) dead-letter it with the catalog's remedy in the reason.
    /// </summary>
    public static (string Code, string Error, bool Permanent) Classify(Exception exception)
    {
        switch (exception)
        {
            case GraphEnvelopeException envelope:
                return (EnvelopeMismatch, envelope.Message, true);
            case GraphMailException graph when IsThrottled(graph):
                return ("upstream_throttled", $"Microsoft Graph throttles this mailbox ({graph.ErrorCode}{RetryAfterText(graph)}): {graph.Message}", false);
            case GraphMailException graph when IsUnreachable(graph):
                return ("upstream_unreachable", graph.Message, false);
            case GraphMailException graph:
                var status = (int?)graph.StatusCode ?? 0;
                // A message too large for Graph is refused by GraphMailClient before any request (no status): final too.
                var permanent = !graph.IsRetryable && (status is > 0 and < 500 || graph.ErrorCode == MailFindingCodes.GraphMessageTooLarge);
                return (permanent ? graph.ErrorCode : "upstream_temporary", graph.Message, permanent);
            default:
                return ("unexpected", $"{exception.GetType().Name}: {exception.Message}", false);
        }
    }

    public void Dispose() => _transport?.Dispose();

    private static string RetryAfterText(GraphMailException graph) =>
        graph.RetryAfter is { } wait ? ", Retry-After " + ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + " s" : string.Empty;

    private static FormatOptions CreateWireFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
