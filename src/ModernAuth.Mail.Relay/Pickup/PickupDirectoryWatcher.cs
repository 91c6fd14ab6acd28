using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// The second way in, beside the SMTP listener (<see cref="RelayOptions.PickupDirectory"/>): apps that drop <c>.eml</c>
/// files (System.Net.Mail's <c>SpecifiedPickupDirectory</c>, CDO, IIS's pickup folder) keep working. Every
/// <see cref="RelayOptions.PickupInterval"/> each file is claimed by an atomic rename into <c>.processing/</c> (so a
/// file is taken once, never half-written: files written in the last second wait for the next scan), its envelope read
/// (<see cref="PickupFile"/>), committed to the spool like an SMTP message and then deleted. A file that cannot be
/// taken goes to <c>badmail/</c> with a <c>.reason</c> file beside it. At start, files a crash left in
/// <c>.processing/</c> go back to be picked up again: a duplicate is better than a loss.
/// </summary>
internal sealed class PickupDirectoryWatcher
{
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    private readonly string _directory;
    private readonly string _processing;
    private readonly string _badmail;
    private readonly TimeSpan _interval;
    private readonly SpoolStore _store;
    private readonly SpoolCapacity _capacity;
    private readonly DeliveryEngine _engine;
    private readonly RelayRouting _routing;
    private readonly ILogger _logger;
    private readonly RelayMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly long _maxMessageSize;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public PickupDirectoryWatcher(string directory, TimeSpan interval, SpoolStore store, SpoolCapacity capacity, DeliveryEngine engine, RelayRouting routing, ILogger logger, RelayMetrics metrics, TimeProvider timeProvider, long maxMessageSize = 35 * 1024 * 1024)
    {
        _directory = Path.GetFullPath(directory);
        _processing = Path.Combine(_directory, ".processing");
        _badmail = Path.Combine(_directory, "badmail");
        _interval = interval;
        _store = store;
        _capacity = capacity;
        _engine = engine;
        _routing = routing;
        _logger = logger;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _maxMessageSize = maxMessageSize;
    }

    public void Start()
    {
        Directory.CreateDirectory(_directory);
        SpoolStore.CreatePrivateDirectory(_processing);
        SpoolStore.CreatePrivateDirectory(_badmail);
        foreach (var left in Directory.EnumerateFiles(_processing))
        {
            // A crash between claiming and spooling: back to be picked up again (a new name if the app reused the old).
            var back = Path.Combine(_directory, Path.GetFileName(left));
            File.Move(left, File.Exists(back) ? Path.Combine(_directory, Path.GetFileNameWithoutExtension(left) + "-" + Guid.NewGuid().ToString("N") + ".eml") : back);
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>Takes every settled file once.</summary>
    internal void ScanOnce()
    {
        var settled = _timeProvider.GetUtcNow().UtcDateTime - SettleTime;
        foreach (var file in new DirectoryInfo(_directory).EnumerateFiles("*.eml").OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (file.LastWriteTimeUtc > settled)
            {
                continue; // maybe still being written
            }

            if (_capacity.Refusal(file.Length) is not null)
            {
                return; // no room: the files wait where they are
            }

            var claimed = Path.Combine(_processing, file.Name);
            try
            {
                File.Move(file.FullName, claimed, overwrite: false);
            }
            catch (IOException)
            {
                continue; // taken by another scan, or still open for writing (Windows)
            }

            Take(file.Name, claimed, file.Length);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                ScanOnce();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever went wrong, the scanning goes on: the files stay where they are for the next scan.
                Log.PickupBadmail(_logger, _directory, "the pickup directory could not be scanned: " + ex.Message);
            }

            await Task.Delay(_interval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Take(string name, string claimed, long length)
    {
        SpoolEnvelope envelope;
        try
        {
            if (length > _maxMessageSize)
            {
                throw new InvalidDataException($"the file is {length} bytes, larger than MaxMessageSize ({_maxMessageSize}).");
            }

            var file = PickupFile.Read(File.ReadAllBytes(claimed));
            if (_routing.Find(file.Sender) is null)
            {
                throw new InvalidDataException($"no route in the relay's configuration takes the sender {file.Sender}.");
            }

            envelope = new SpoolEnvelope(_store.NewId(), file.Sender, file.Recipients, "pickup:" + name, _timeProvider.GetUtcNow(), file.Message.Length, IsBounce: false);
            _store.Commit(envelope, new ReadOnlySequence<byte>(file.Message));
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or ParseException)
        {
            ToBadmail(name, claimed, ex.Message);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The spool could not take it now: back to the pickup directory for the next scan.
            Log.SpoolWriteFailed(_logger, ex);
            TryMove(claimed, Path.Combine(_directory, name));
            return;
        }

        File.Delete(claimed);
        _metrics.Received.Add(1);
        Log.PickedUp(_logger, name, envelope.Id, envelope.Sender, envelope.Recipients.Count);
        _engine.Enqueue(new SpoolItem(envelope, SpoolState.New));
    }

    private void ToBadmail(string name, string claimed, string reason)
    {
        Log.PickupBadmail(_logger, name, reason);
        _metrics.Refused.Add(1);
        var target = Path.Combine(_badmail, name);
        TryMove(claimed, target);
        File.WriteAllText(target + ".reason", $"{_timeProvider.GetUtcNow():o} {name}: {reason}{Environment.NewLine}", Encoding.UTF8);
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (IOException)
        {
        }
    }
}
