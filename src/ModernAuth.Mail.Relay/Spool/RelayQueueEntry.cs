namespace ModernAuth.Mail.Relay;

/// <summary>
/// One message in the relay's spool, as <see cref="RelaySpool"/> reads it: who sent it to whom, how old it is and how
/// its delivery goes. Never holds the message body.
/// </summary>
public class RelayQueueEntry
{
    /// <summary>Creates an entry.</summary>
    public RelayQueueEntry()
    {
    }

    /// <summary>The message id in the spool (sortable by arrival).</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>The envelope sender (<c>MAIL FROM</c>).</summary>
    public string Sender { get; init; } = string.Empty;

    /// <summary>The envelope recipients (<c>RCPT TO</c>).</summary>
    public IReadOnlyList<string> Recipients { get; init; } = Array.Empty<string>();

    /// <summary>How many recipients the message has.</summary>
    public int RecipientCount => Recipients.Count;

    /// <summary>Who handed it over: <c>account:&lt;name&gt;</c> or <c>network:&lt;address&gt;</c>.</summary>
    public string Client { get; init; } = string.Empty;

    /// <summary>When the relay answered <c>250</c> for it.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>How long it had been in the spool when it was read.</summary>
    public TimeSpan Age { get; init; }

    /// <summary>The message size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>How many delivery attempts failed so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the next attempt is due; <see langword="null"/> when it is due now (or, for a dead letter, never).</summary>
    public DateTimeOffset? NextAttempt { get; init; }

    /// <summary>
    /// Why the last attempt failed, in words (an upstream reply such as <c>451 4.3.0 ...</c>, a network error, or the
    /// token service's reason with its remedy); <see langword="null"/> before any failure. Never holds a token.
    /// </summary>
    public string? LastError { get; init; }

    /// <summary>
    /// A stable code for <see cref="LastError"/>: a <see cref="MailErrorCodes"/> value for token and authentication
    /// failures (<c>invalid_client_secret</c>, <c>token_service_unavailable</c>, ...), <c>upstream_unreachable</c>,
    /// <c>upstream_throttled</c>, <c>upstream_temporary</c>, <c>upstream_rejected</c>, <c>expired</c>.
    /// </summary>
    public string? LastErrorCode { get; init; }

    /// <summary>For a dead letter: when it was given up. Else <see langword="null"/>.</summary>
    public DateTimeOffset? DeadLetteredAt { get; init; }

    /// <summary>Whether this message is a delivery failure notice the relay made itself (never bounced again).</summary>
    public bool IsBounce { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Id} from {Sender} to {RecipientCount} recipient(s), age {Age:g}, {Attempts} attempt(s){(LastError is null ? string.Empty : ", last error: " + LastError)}";
}
