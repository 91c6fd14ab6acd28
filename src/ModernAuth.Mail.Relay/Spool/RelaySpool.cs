using ModernAuth.Mail.Relay.Internal;

namespace ModernAuth.Mail.Relay;

/// <summary>
/// Reads a relay spool directory: the messages waiting for delivery and the dead letters, with their attempts, next
/// attempt and last error. Works from another process while the relay runs (what <c>modernauth-mail relay status</c>
/// does) and reads only the small envelope and state files, never message bodies.
/// </summary>
/// <example>
/// <code>
/// var spool = new RelaySpool("/var/spool/modernauth-relay");
/// foreach (var entry in await spool.GetQueueAsync())
/// {
///     Console.WriteLine($"{entry.Id} {entry.Sender} {entry.RecipientCount} {entry.Age} {entry.Attempts} {entry.LastError}");
/// }
/// </code>
/// </example>
public class RelaySpool
{
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a reader of a spool directory.</summary>
    /// <param name="directory">The relay's <see cref="RelayOptions.SpoolDirectory"/>.</param>
    /// <param name="timeProvider">The clock ages are computed with; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    public RelaySpool(string directory, TimeProvider? timeProvider = null)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new ArgumentException("The spool directory is required.", nameof(directory));
        }

        Directory = Path.GetFullPath(directory);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a reader for tests and mocks.</summary>
    protected RelaySpool()
    {
        Directory = string.Empty;
        _timeProvider = TimeProvider.System;
    }

    /// <summary>The spool directory, as a full path.</summary>
    public virtual string Directory { get; }

    /// <summary>Reads the messages waiting for delivery, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The queue; empty when the directory does not exist yet.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The directory could not be read.</exception>
    public virtual Task<IReadOnlyList<RelayQueueEntry>> GetQueueAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => SpoolStore.ReadEntries(Directory, dead: false, _timeProvider.GetUtcNow(), cancellationToken), cancellationToken);

    /// <summary>Reads the dead letters (given up: rejected by the upstream, or expired), oldest first, with the reason.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The dead letters; empty when there are none.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The directory could not be read.</exception>
    public virtual Task<IReadOnlyList<RelayQueueEntry>> GetDeadLettersAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => SpoolStore.ReadEntries(Directory, dead: true, _timeProvider.GetUtcNow(), cancellationToken), cancellationToken);
}
