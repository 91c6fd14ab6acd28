using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Security;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using MimeKit;
using ModernAuth.Mail.Graph;
using ModernAuth.Mail.MailKit;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// Delivers spooled messages upstream. Messages are grouped by upstream mailbox into lanes; a lane sends its messages
/// one after another over one authenticated connection, kept open while it has work and paced to the mailbox's rate
/// limit (failed attempts count too), and at most <see cref="RelayDeliveryOptions.MaxConcurrentMailboxes"/> lanes send
/// at once. When the upstream throttles the mailbox (<c>421</c>, <c>4.3.2</c>, <c>4.7.x</c>, the <c>5.2.0</c>
/// submission quota) or cannot be reached, the whole lane pauses with exponential back-off: one connection tries
/// again when the pause ends, instead of one per message, and nothing is dead-lettered for it. Other failures are
/// retried per message with exponential back-off and jitter (4xx replies) or move the message to the dead-letter
/// folder (5xx replies, expiry). A recipient rejected with 5xx fails alone (with a bounce for it when bounces are on);
/// the others still get the message. Routes with <see cref="RelayUpstreamKind.Graph"/> go through the same lanes, pacing
/// and states with Microsoft Graph <c>sendMail</c> instead of a connection (<see cref="GraphUpstream"/>): Graph's
/// <c>429</c>/<c>503</c> beyond the SDK's own retries pause the lane until <c>Retry-After</c>. The spool is the truth: this class only keeps envelopes and states in memory,
/// and a message leaves the spool only after the upstream accepted it.
/// </summary>
internal sealed class DeliveryEngine : IAsyncDisposable
{
    private readonly SpoolStore _store;
    private readonly RelayRouting _routing;
    private readonly RelayDeliveryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, SpoolItem> _items = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly PriorityQueue<SpoolItem, (DateTimeOffset Due, string Id)> _waiting = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly GraphUpstream? _graph;
    private Task? _scheduler;

    public DeliveryEngine(SpoolStore store, RelayRouting routing, RelayDeliveryOptions options, ILogger logger, TimeProvider timeProvider, GraphUpstream? graph = null)
    {
        _graph = graph;
        _store = store;
        _routing = routing;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _slots = new SemaphoreSlim(options.MaxConcurrentMailboxes, options.MaxConcurrentMailboxes);
    }

    public RelayMetrics? Metrics { get; set; }

    /// <summary>Test hook: runs after the upstream accepted a message and before it leaves the spool.</summary>
    public Func<string, CancellationToken, Task>? BeforeComplete { get; set; }

    public int QueueDepth => _items.Count;

    public double OldestAgeSeconds
    {
        get
        {
            var oldest = DateTimeOffset.MaxValue;
            foreach (var item in _items.Values)
            {
                if (item.Envelope.ReceivedAt < oldest)
                {
                    oldest = item.Envelope.ReceivedAt;
                }
            }

            return oldest == DateTimeOffset.MaxValue ? 0 : Math.Max(0, (_timeProvider.GetUtcNow() - oldest).TotalSeconds);
        }
    }

    public void Start(IEnumerable<SpoolItem> recovered)
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var item in recovered)
        {
            _items[item.Id] = item;
            if (item.State.NextAttempt is { } next && next > now)
            {
                Schedule(item, next);
            }
            else
            {
                Dispatch(item);
            }
        }

        _scheduler = Task.Run(() => RunSchedulerAsync(_stop.Token));
    }

    /// <summary>A message just spooled: deliver it as soon as its lane can.</summary>
    public void Enqueue(SpoolItem item)
    {
        _items[item.Id] = item;
        Dispatch(item);
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        var tasks = _lanes.Values.Select(l => l.Task).Where(t => t is not null).Cast<Task>().ToList();
        if (_scheduler is not null)
        {
            tasks.Add(_scheduler);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Stopping: whatever a lane was doing stays in the spool for the next start.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var lane in _lanes.Values)
        {
            lane.Graph?.Dispose();
        }

        _graph?.Dispose();
        _stop.Dispose();
        _wake.Dispose();
        _slots.Dispose();
    }

    private void Schedule(SpoolItem item, DateTimeOffset due)
    {
        lock (_gate)
        {
            _waiting.Enqueue(item, (due, item.Id));
        }

        _wake.Release();
    }

    private async Task RunSchedulerAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan? wait = null;
            List<SpoolItem>? due = null;
            lock (_gate)
            {
                var now = _timeProvider.GetUtcNow();
                while (_waiting.TryPeek(out var item, out var priority))
                {
                    if (priority.Due > now)
                    {
                        wait = priority.Due - now;
                        break;
                    }

                    _waiting.Dequeue();
                    (due ??= new()).Add(item);
                }
            }

            if (due is not null)
            {
                foreach (var item in due)
                {
                    Dispatch(item);
                }
            }

            try
            {
                if (wait is null)
                {
                    await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var delay = Task.Delay(wait.Value, _timeProvider, either.Token);
                    var woken = _wake.WaitAsync(either.Token);
                    await Task.WhenAny(delay, woken).ConfigureAwait(false);
                    await either.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAll(delay, woken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Dispatch(SpoolItem item)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        var route = _routing.Find(item.Envelope.Sender);
        if (route is null)
        {
            DeadLetter(item, "no_route", $"No route in the relay's configuration takes the sender {item.Envelope.Sender}.");
            return;
        }

        var key = route.LaneKey(item.Envelope.Sender);
        var lane = _lanes.GetOrAdd(key, _ => new Lane(route, route.MailboxFor(item.Envelope.Sender), new MailboxPacer(_options.RateLimitCount, _options.RateLimitWindow, _timeProvider)));
        lane.Queue.Enqueue(item);
        StartLane(lane);
    }

    private void StartLane(Lane lane)
    {
        if (Interlocked.CompareExchange(ref lane.Running, 1, 0) == 0)
        {
            lane.Task = Task.Run(() => RunLaneAsync(lane, _stop.Token));
        }
    }

    private async Task RunLaneAsync(Lane lane, CancellationToken cancellationToken)
    {
        var acquired = false;
        SmtpClient? client = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested && lane.Queue.TryPeek(out _))
            {
                var pause = lane.PausedUntil - _timeProvider.GetUtcNow();
                if (pause > TimeSpan.Zero)
                {
                    // Throttled or unreachable: wait without holding a connection or a delivery slot.
                    if (client is not null)
                    {
                        await QuitAsync(client).ConfigureAwait(false);
                        client = null;
                    }

                    if (acquired)
                    {
                        _slots.Release();
                        acquired = false;
                    }

                    await Task.Delay(pause, _timeProvider, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!acquired)
                {
                    await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    acquired = true;
                }

                if (!lane.Queue.TryDequeue(out var item))
                {
                    break;
                }

                client = await DeliverAsync(lane, item, client, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (client is not null)
            {
                await QuitAsync(client).ConfigureAwait(false);
            }

            if (acquired)
            {
                _slots.Release();
            }

            Volatile.Write(ref lane.Running, 0);
            if (!cancellationToken.IsCancellationRequested && lane.Queue.TryPeek(out _))
            {
                StartLane(lane);
            }
        }
    }

    private async Task<SmtpClient?> DeliverAsync(Lane lane, SpoolItem item, SmtpClient? client, CancellationToken cancellationToken)
    {
        if (!_items.ContainsKey(item.Id))
        {
            return client;
        }

        if (_timeProvider.GetUtcNow() - item.Envelope.ReceivedAt >= _options.MessageLifetime)
        {
            DeadLetter(item, "expired", $"Not delivered within {_options.MessageLifetime}. Last error ({item.State.LastErrorCode ?? "none"}): {item.State.LastError ?? "none"}");
            return client;
        }

        await lane.Pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (lane.Route.Upstream == RelayUpstreamKind.Graph)
        {
            var error = await TrySendGraphAsync(lane, item, cancellationToken).ConfigureAwait(false);
            if (error is null)
            {
                lane.Failures = 0;
                await CompleteAsync(lane, item, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Fail(lane, item, error);
            }

            return null;
        }

        var reused = client is not null;
        var failure = await TrySendAsync(lane, item, client, cancellationToken).ConfigureAwait(false);
        if (failure.Exception is not null && reused && IsConnectionLevel(failure.Exception) && !IsThrottled(failure.Exception))
        {
            // The kept connection went stale (the server closed it while idle): once more on a fresh one.
            failure = await TrySendAsync(lane, item, null, cancellationToken).ConfigureAwait(false);
        }

        if (failure.Exception is null)
        {
            lane.Failures = 0;
            await CompleteAsync(lane, item, cancellationToken).ConfigureAwait(false);
            return failure.Client;
        }

        failure.Client?.Dispose();
        Fail(lane, item, failure.Exception);
        return null;
    }

    /// <summary>The envelope's recipients that no upstream has rejected yet.</summary>
    private static IEnumerable<string> Pending(SpoolItem item)
    {
        var rejected = item.State.Rejected.Select(r => r.Recipient).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return item.Envelope.Recipients.Where(r => !rejected.Contains(r));
    }

    private async Task<(SmtpClient? Client, Exception? Exception)> TrySendAsync(Lane lane, SpoolItem item, SmtpClient? client, CancellationToken cancellationToken)
    {
        try
        {
            // A connection attempt counts in the pacer like a message: a throttled upstream is not hammered.
            lane.Pacer.Record();
            if (client is null)
            {
                client = await MailKitConnector.ConnectSmtpAsync(lane.Route.Provider, lane.Mailbox, _routing.ConnectOptions, cancellationToken).ConfigureAwait(false);
                Log.UpstreamConnected(_logger, lane.Mailbox ?? "(signed-in user)");
            }

            var stream = _store.OpenMessage(item.Id);
            await using var streamScope = stream.ConfigureAwait(false);
            using var message = await MimeMessage.LoadAsync(stream, persistent: true, cancellationToken).ConfigureAwait(false);
            var sender = new MailboxAddress(string.Empty, item.Envelope.Sender);
            var recipients = Pending(item).Select(r => new MailboxAddress(string.Empty, r)).ToList();
            while (true)
            {
                try
                {
                    await client.SendAsync(message, sender, recipients, cancellationToken).ConfigureAwait(false);
                    return (client, null);
                }
                catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode >= 500 && ex.Mailbox is not null && recipients.Count > 1)
                {
                    // This recipient fails alone (MailKit reset the transaction): note it and send to the others.
                    var error = Trim($"The upstream answered {(int)ex.StatusCode} {ex.Message}");
                    recipients.RemoveAll(r => string.Equals(r.Address, ex.Mailbox.Address, StringComparison.OrdinalIgnoreCase));
                    item.State = item.State with { Rejected = item.State.Rejected.Append(new SpoolState.RejectedRecipient(ex.Mailbox.Address, error)).ToArray() };
                    SaveState(item);
                    Log.RecipientRejected(_logger, item.Id, ex.Mailbox.Address, error);
                    lane.Pacer.Record();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the message stays in the spool; the lane quits the connection it kept.
            throw;
        }
        catch (Exception ex)
        {
            client?.Dispose();
            return (null, ex);
        }
    }

    private async Task<Exception?> TrySendGraphAsync(Lane lane, SpoolItem item, CancellationToken cancellationToken)
    {
        try
        {
            // Every attempt counts in the pacer, a throttled one too: Graph is not hammered either.
            lane.Pacer.Record();
            lane.Graph ??= (_graph ?? throw new InvalidOperationException("No Graph upstream is configured.")).CreateClient(lane.Route.Provider, lane.Mailbox);
            byte[] mime;
            var stream = _store.OpenMessage(item.Id);
            await using (stream.ConfigureAwait(false))
            {
                mime = new byte[stream.Length - stream.Position];
                await stream.ReadExactlyAsync(mime, cancellationToken).ConfigureAwait(false);
            }

            var recipients = Pending(item).ToList();
            mime = await GraphUpstream.PrepareAsync(mime, recipients, cancellationToken).ConfigureAwait(false);
            await lane.Graph.SendMimeAsync(mime, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the message stays in the spool.
            throw;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private async Task CompleteAsync(Lane lane, SpoolItem item, CancellationToken cancellationToken)
    {
        if (BeforeComplete is { } hook)
        {
            await hook(item.Id, cancellationToken).ConfigureAwait(false);
        }

        if (item.State.Rejected.Count > 0 && _options.SendBounces && !item.Envelope.IsBounce)
        {
            QueueBounce(item, item.State.Rejected);
        }

        _store.Complete(item.Id);
        _items.TryRemove(item.Id, out _);
        Metrics?.Delivered.Add(1);
        Log.Delivered(_logger, item.Id, lane.Mailbox ?? "(signed-in user)", item.State.Attempts);
    }

    private void Fail(Lane lane, SpoolItem item, Exception exception)
    {
        if (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            // Someone removed the spool file: nothing left to deliver.
            _items.TryRemove(item.Id, out _);
            return;
        }

        var (code, error, permanent) = Classify(exception, lane);
        if (code == "unexpected")
        {
            Log.DeliveryFailedUnexpectedly(_logger, item.Id, exception);
        }

        if (permanent)
        {
            DeadLetter(item, code, error);
            return;
        }

        if (IsThrottled(exception) || IsConnectionLevel(exception))
        {
            Pause(lane, item, code, error, (exception as GraphMailException)?.RetryAfter);
            return;
        }

        Retry(item, code, error);
    }

    /// <summary>
    /// The upstream throttles this mailbox or cannot be reached: the whole lane waits (exponential back-off, growing
    /// with each pause in a row), every queued message records why, and one connection tries again when it ends.
    /// </summary>
    private void Pause(Lane lane, SpoolItem item, string code, string error, TimeSpan? retryAfter = null)
    {
        var now = _timeProvider.GetUtcNow();
        lane.Failures++;
        var until = now + Backoff(lane.Failures);
        if (retryAfter is { } wait && now + wait > until)
        {
            // Graph said how long to leave the mailbox alone: never sooner.
            until = now + wait;
        }

        lane.PausedUntil = until;
        var attempts = item.State.Attempts + 1;
        if (now - item.Envelope.ReceivedAt >= _options.MessageLifetime)
        {
            item.State = item.State with { Attempts = attempts, LastError = error, LastErrorCode = code, LastAttemptAt = now };
            DeadLetter(item, "expired", $"Not delivered within {_options.MessageLifetime}. Last error ({code}): {error}");
        }
        else
        {
            item.State = item.State with { Attempts = attempts, NextAttempt = until, LastError = error, LastErrorCode = code, LastAttemptAt = now };
            SaveState(item);
            Metrics?.Retried.Add(1);
            lane.Queue.Enqueue(item);
        }

        var waiting = 0;
        foreach (var other in lane.Queue)
        {
            if (!ReferenceEquals(other, item) && _items.ContainsKey(other.Id))
            {
                other.State = other.State with { NextAttempt = until, LastError = error, LastErrorCode = code };
                SaveState(other);
            }

            waiting++;
        }

        if (code == "upstream_throttled")
        {
            Log.UpstreamThrottled(_logger, lane.Mailbox ?? "(signed-in user)", code, waiting, until, error);
        }
        else
        {
            Log.Deferred(_logger, item.Id, attempts, code, error, until);
        }
    }

    private void Retry(SpoolItem item, string code, string error)
    {
        var now = _timeProvider.GetUtcNow();
        var attempts = item.State.Attempts + 1;
        if (now - item.Envelope.ReceivedAt >= _options.MessageLifetime)
        {
            item.State = item.State with { Attempts = attempts, LastError = error, LastErrorCode = code, LastAttemptAt = now };
            DeadLetter(item, "expired", $"Not delivered within {_options.MessageLifetime}. Last error ({code}): {error}");
            return;
        }

        var next = now + Backoff(attempts);
        item.State = item.State with { Attempts = attempts, NextAttempt = next, LastError = error, LastErrorCode = code, LastAttemptAt = now };
        SaveState(item);
        Metrics?.Retried.Add(1);
        Log.Deferred(_logger, item.Id, attempts, code, error, next);
        Schedule(item, next);
    }

    private void SaveState(SpoolItem item)
    {
        try
        {
            _store.SaveState(item.Id, item.State);
        }
        catch (IOException ex)
        {
            Log.DeliveryFailedUnexpectedly(_logger, item.Id, ex);
        }
    }

    private TimeSpan Backoff(int attempts)
    {
        var exponent = Math.Min(attempts - 1, 30);
        var ticks = Math.Min(_options.InitialRetryDelay.Ticks * Math.Pow(2, exponent), _options.MaxRetryDelay.Ticks);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromTicks((long)(ticks * jitter));
    }

    private void DeadLetter(SpoolItem item, string code, string reason)
    {
        if (!_items.TryRemove(item.Id, out _))
        {
            return;
        }

        if (_options.SendBounces && !item.Envelope.IsBounce)
        {
            QueueBounce(item, item.State.Rejected.Concat(Pending(item).Select(r => new SpoolState.RejectedRecipient(r, reason))).ToList());
        }

        try
        {
            _store.DeadLetter(item.Id, reason, code, item.State.Attempts);
        }
        catch (IOException ex)
        {
            Log.DeliveryFailedUnexpectedly(_logger, item.Id, ex);
        }

        Metrics?.DeadLettered.Add(1);
        Log.DeadLettered(_logger, item.Id, code, reason);
    }

    private void QueueBounce(SpoolItem item, IReadOnlyList<SpoolState.RejectedRecipient> failed)
    {
        try
        {
            HeaderList headers;
            using (var stream = _store.OpenMessage(item.Id))
            {
                headers = HeaderList.Load(stream);
            }

            var sender = new MailboxAddress("Mail relay", item.Envelope.Sender);
            var bounce = new MimeMessage { Subject = "Undeliverable: " + (headers[HeaderId.Subject] ?? "(no subject)") };
            bounce.From.Add(sender);
            bounce.To.Add(new MailboxAddress(string.Empty, item.Envelope.Sender));
            bounce.Headers.Add("Auto-Submitted", "auto-replied");
            var text = new TextPart("plain")
            {
                Text = $"The relay could not deliver your message to {string.Join(", ", failed.Select(f => f.Recipient))} and has given up.\r\n\r\n{string.Join("\r\n", failed.Select(f => f.Recipient + ": " + f.Error))}\r\n\r\nThe original message's headers are attached.",
            };
            using var headerStream = new MemoryStream();
            headers.WriteTo(headerStream);
            var original = new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(headerStream.ToArray())) };
            var report = new Multipart("report") { text, original };
            report.ContentType.Parameters.Add("report-type", "delivery-status");
            bounce.Body = report;
            using var bytes = new MemoryStream();
            bounce.WriteTo(FormatOptions.Default, bytes);
            var envelope = new SpoolEnvelope(_store.NewId(), item.Envelope.Sender, new[] { item.Envelope.Sender }, "relay (bounce)", _timeProvider.GetUtcNow(), bytes.Length, IsBounce: true);
            _store.Commit(envelope, new ReadOnlySequence<byte>(bytes.ToArray()));
            Log.BounceQueued(_logger, envelope.Id, item.Envelope.Sender, item.Id);
            Enqueue(new SpoolItem(envelope, SpoolState.New));
        }
        catch (Exception ex) when (ex is IOException or FormatException or ParseException or InvalidDataException)
        {
            Log.DeliveryFailedUnexpectedly(_logger, item.Id, ex);
        }
    }

    private (string Code, string Error, bool Permanent) Classify(Exception exception, Lane lane)
    {
        var smtp = (_routing.Cloud ?? lane.Route.Provider.Cloud).Smtp;
        var endpoint = (_routing.ConnectOptions.Host ?? smtp.Host) + ":" + (_routing.ConnectOptions.Port ?? smtp.Port);
        switch (exception)
        {
            case GraphMailException or GraphEnvelopeException:
                var graph = GraphUpstream.Classify(exception);
                return (graph.Code, Trim(graph.Error), graph.Permanent);
            case MailAuthenticationException auth:
                return (auth.ErrorCode, Trim(auth.Message + (string.IsNullOrWhiteSpace(auth.Remedy) ? string.Empty : " Remedy: " + auth.Remedy)), false);
            case SmtpCommandException when IsThrottled(exception):
                var throttled = (SmtpCommandException)exception;
                return ("upstream_throttled", Trim($"The upstream throttles this mailbox: {(int)throttled.StatusCode} {throttled.Message}"), false);
            case SmtpCommandException command:
                var status = (int)command.StatusCode;
                var text = $"The upstream answered {status} {command.Message}";
                return status >= 500 ? ("upstream_rejected", Trim(text), true) : ("upstream_temporary", Trim(text), false);
            case ArgumentException argument:
                return (MailErrorCodes.InvalidConfiguration, Trim($"The route for {lane.Mailbox ?? "this sender"} is misconfigured: {argument.Message}"), false);
            case ParseException or InvalidDataException or FormatException:
                return ("corrupt", Trim("The spooled message or its envelope could not be read: " + exception.Message), true);
            case SmtpProtocolException or IOException or SocketException or SslHandshakeException or ServiceNotConnectedException or ServiceNotAuthenticatedException or TimeoutException or OperationCanceledException or System.Security.Authentication.AuthenticationException:
                return ("upstream_unreachable", Trim($"Could not talk to the upstream {endpoint}: {exception.Message}"), false);
            default:
                return ("unexpected", Trim($"{exception.GetType().Name}: {exception.Message}"), false);
        }
    }

    /// <summary>
    /// Whether the upstream throttles the mailbox: <c>421</c> (closing), <c>4.3.2</c> (system not accepting), any
    /// <c>4.7.x</c> (policy, rate), or Exchange's <c>5.2.0</c> submission quota (a daily limit, not a verdict on the message).
    /// </summary>
    internal static bool IsThrottled(Exception exception)
    {
        if (GraphUpstream.IsThrottled(exception))
        {
            return true;
        }

        if (exception is not SmtpCommandException command)
        {
            return false;
        }

        var status = (int)command.StatusCode;
        var text = command.Message.TrimStart();
        return status == 421
            || (status is >= 400 and < 500 && (text.StartsWith("4.3.2", StringComparison.Ordinal) || text.StartsWith("4.7.", StringComparison.Ordinal)))
            || (status >= 500 && text.Contains("5.2.0", StringComparison.Ordinal) && text.Contains("Quota", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsConnectionLevel(Exception exception) =>
        GraphUpstream.IsUnreachable(exception) || exception is MailAuthenticationException or SmtpProtocolException or IOException or SocketException or SslHandshakeException
            or ServiceNotConnectedException or ServiceNotAuthenticatedException or TimeoutException or OperationCanceledException
            or System.Security.Authentication.AuthenticationException or ArgumentException;

    private static string Trim(string text) => text.Length <= 2000 ? text : text[..2000] + "...";

    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.DisconnectAsync(true, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private sealed class Lane
    {
        public Lane(RelayRouting.Route route, string? mailbox, MailboxPacer pacer)
        {
            Route = route;
            Mailbox = mailbox;
            Pacer = pacer;
        }

        public RelayRouting.Route Route { get; }

        public string? Mailbox { get; }

        public MailboxPacer Pacer { get; }

        /// <summary>The lane's Graph client (routes with a Graph upstream), made at its first message and kept.</summary>
        public GraphMailClient? Graph { get; set; }

        public ConcurrentQueue<SpoolItem> Queue { get; } = new();

        /// <summary>Until when the upstream is left alone for this mailbox (throttled or unreachable).</summary>
        public DateTimeOffset PausedUntil { get; set; }

        /// <summary>Pauses in a row; the back-off grows with it and a delivered message resets it.</summary>
        public int Failures { get; set; }

        public int Running;

        public Task? Task { get; set; }
    }
}
