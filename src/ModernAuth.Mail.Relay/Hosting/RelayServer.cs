using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.Relay.Internal;
using SmtpServer;
using SmtpServer.ComponentModel;

namespace ModernAuth.Mail.Relay;

/// <summary>
/// The relay itself: the SMTP listener, the durable spool and the delivery worker, started and stopped together.
/// <see cref="RelayHostedService"/> runs one in a generic host (foreground, systemd or Windows service); tests and
/// tools can run one directly.
/// </summary>
/// <example>
/// <code>
/// await using var relay = new RelayServer(options, loggerFactory);
/// await relay.StartAsync();
/// Console.WriteLine($"listening on {string.Join(", ", relay.Endpoints)}");
/// </code>
/// </example>
public class RelayServer : IAsyncDisposable
{
    private readonly RelayOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly IMeterFactory? _meterFactory;
    private readonly object _gate = new();
    private SmtpServer.SmtpServer? _server;
    private Task? _serverTask;
    private RelayEndpointListenerFactory? _listeners;
    private DeliveryEngine? _engine;
    private RelayMetrics? _metrics;
    private VerifiedPasswordCache? _passwords;
    private ReceiveMemoryBudget? _memory;
    private PickupDirectoryWatcher? _pickup;
    private RelayMessageStore? _messageStore;
    private X509Certificate2? _certificate;
    private CancellationTokenSource? _stop;
    private bool _started;
    private readonly MailTokenProviderFactory? _providers;

    /// <summary>Creates a relay; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The configuration; checked by <see cref="StartAsync"/>.</param>
    /// <param name="loggerFactory">Where the relay logs; default none.</param>
    /// <param name="timeProvider">The clock for retries, pacing and ages; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="meterFactory">Creates the <c>ModernAuth.Mail.Relay</c> meter; default a meter of its own.</param>
    /// <param name="providers">
    /// The token providers registered with <c>AddModernAuthMail()</c>, which routes name; default none (then every route
    /// names one of <see cref="RelayOptions.TokenProviders"/>).
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public RelayServer(RelayOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null,
        MailTokenProviderFactory? providers = null)
    {
        _providers = providers;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("ModernAuth.Mail.Relay");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _meterFactory = meterFactory;
    }

    /// <summary>Creates a relay for tests and mocks.</summary>
    protected RelayServer()
    {
        _options = new RelayOptions();
        _loggerFactory = NullLoggerFactory.Instance;
        _logger = NullLogger.Instance;
        _timeProvider = TimeProvider.System;
    }

    /// <summary>The addresses and ports the listener is bound to (the real port when the configuration said 0); empty before <see cref="StartAsync"/>.</summary>
    public virtual IReadOnlyList<IPEndPoint> Endpoints => _listeners?.Bound ?? Array.Empty<IPEndPoint>();

    /// <summary>A reader of this relay's spool (queue and dead letters).</summary>
    /// <exception cref="InvalidOperationException">The options have no <see cref="RelayOptions.SpoolDirectory"/>.</exception>
    public virtual RelaySpool Spool => new(_options.SpoolDirectory ?? throw new InvalidOperationException("The relay has no spool directory."), _timeProvider);

    /// <summary>How many messages wait for delivery (0 before <see cref="StartAsync"/>).</summary>
    public virtual int QueueDepth => _engine?.QueueDepth ?? 0;

    /// <summary>Test hook: after a message is committed to the spool, before <c>250</c>.</summary>
    internal Func<string, Task>? AfterSpoolHook { get; set; }

    /// <summary>Test hook: after the upstream accepted a message, before it leaves the spool.</summary>
    internal Func<string, CancellationToken, Task>? BeforeCompleteHook { get; set; }

    /// <summary>Test hook: replaces the directory flush of the spool (to make it fail).</summary>
    internal Action<string>? SyncDirectoryOverride { get; set; }

    internal int PasswordChecks => _passwords?.FullChecks ?? 0;

    /// <summary>Forgets verified passwords (benchmarks measure cold logins).</summary>
    internal void ForgetVerifiedPasswords() => _passwords?.Clear();

    /// <summary>Message data held in memory by connections receiving now, in bytes.</summary>
    internal long ReceiveMemoryInUse => _memory?.Used ?? 0;

    /// <summary>Connections holding a slot now.</summary>
    internal int ActiveConnections => _listeners?.Connections ?? 0;

    /// <summary>
    /// Checks the configuration (logging what is allowed but dangerous), recovers the spool (a complete message a crash
    /// left in <c>tmp/</c> joins the queue, a truncated one goes to <c>dead/</c>), binds the listeners, starts
    /// delivering what the spool holds and, when configured, watching the pickup directory.
    /// </summary>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <returns>A task that completes when the relay listens.</returns>
    /// <exception cref="RelayConfigurationException">The configuration is wrong; the message names every wrong key.</exception>
    /// <exception cref="InvalidOperationException">The relay was started already.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">A listen address could not be bound (in use, or not this machine's).</exception>
    /// <exception cref="IOException">The spool directory could not be created or read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The relay was started already.");
            }

            _started = true;
        }

        var errors = RelayOptionsValidator.Validate(_options, providers: _providers);
        if (errors.Count > 0)
        {
            throw new RelayConfigurationException("The relay's configuration is wrong:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        foreach (var (key, warning) in RelayOptionsValidator.Warnings(_options))
        {
            Log.ConfigurationWarning(_logger, key, warning);
        }

        var policy = new RelayPolicy(_options);
        var routing = new RelayRouting(_options, _providers, _loggerFactory, _timeProvider);
        var store = new SpoolStore(_options.SpoolDirectory!, _options.ArchiveDelivered, _timeProvider, SyncDirectoryOverride);
        var recovered = store.Recover((id, ex) => Log.SpoolFileCorrupt(_logger, id, ex.Message));
        if (store.RecoveredFromTemp > 0)
        {
            Log.SpoolRecovered(_logger, store.RecoveredFromTemp);
        }

        var graph = _options.Routes.Any(r => r.Upstream == RelayUpstreamKind.Graph) ? new GraphUpstream(_options.Graph, _loggerFactory) : null;
        _engine = new DeliveryEngine(store, routing, _options.Delivery, _logger, _timeProvider, graph) { BeforeComplete = BeforeCompleteHook };
        var engine = _engine;
        _metrics = new RelayMetrics(_meterFactory, () => engine.QueueDepth, () => engine.OldestAgeSeconds);
        _engine.Metrics = _metrics;
        var capacity = new SpoolCapacity(store, () => engine.QueueDepth, _options);
        _passwords = new VerifiedPasswordCache(policy.StrongestIterations);
        _memory = new ReceiveMemoryBudget(_options.MaxReceiveMemory);
        _listeners = new RelayEndpointListenerFactory(_options, policy, _logger, _timeProvider, _memory);
        _messageStore = new RelayMessageStore(store, capacity, _engine, policy, _logger, _metrics, _timeProvider) { AfterSpool = AfterSpoolHook };

        if (!string.IsNullOrWhiteSpace(_options.CertificatePath))
        {
            _certificate = RelayOptionsValidator.LoadPfx(_options.CertificatePath, _options.CertificatePassword);
        }

        var builder = new SmtpServerOptionsBuilder()
            .ServerName(_options.ServerName)
            .MaxMessageSize(_options.MaxMessageSize, MaxMessageSizeHandling.Ignore)
            .MaxAuthenticationAttempts(3)
            .CommandWaitTimeout(_options.CommandTimeout)
            .CustomSmtpGreeting(_ => $"220 {_options.ServerName} ESMTP ModernAuth.Mail relay ready");
        var listen = _options.Listen.Count == 0 && _options.ImplicitTlsListen.Count == 0 ? new[] { "127.0.0.1:2525" } : _options.Listen.ToArray();
        var endpoints = listen.Select(text => (Text: text, Implicit: false)).Concat(_options.ImplicitTlsListen.Select(text => (Text: text, Implicit: true)));
        foreach (var (text, implicitTls) in endpoints)
        {
            var endpoint = IPEndPoint.Parse(text);
            builder.Endpoint(e =>
            {
                // Whether this client may log in before TLS is decided per client (RelaySmtpCommandFactory, RelayUserAuthenticator).
                e.Endpoint(endpoint)
                    .IsSecure(implicitTls)
                    .AuthenticationRequired(false)
                    .AllowUnsecureAuthentication(policy.AnyAuthenticationWithoutTls)
                    .SessionTimeout(_options.SessionTimeout);
                if (_certificate is not null)
                {
                    e.Certificate(_certificate);
                }
            });
        }

        var services = new ServiceProvider();
        services.Add(_listeners);
        services.Add(new RelayMailboxFilter(policy, routing, capacity, _options, _logger, _metrics));
        services.Add(new RelayUserAuthenticator(policy, _passwords, new LoginThrottle(_options.LoginThrottling, _timeProvider), _timeProvider, _logger));
        services.Add((SmtpServer.Protocol.ISmtpCommandFactory)new RelaySmtpCommandFactory(policy));
        services.Add(_messageStore);
        _server = new SmtpServer.SmtpServer(builder.Build(), services);
        _server.SessionFaulted += (_, e) => Log.SessionFaulted(
            _logger,
            e.Context.Properties.TryGetValue(SmtpServer.Net.EndpointListener.RemoteEndPointKey, out var remote) ? remote?.ToString() ?? "?" : "?",
            e.Exception.GetType().Name + ": " + e.Exception.Message);
        _stop = new CancellationTokenSource();
        _serverTask = _server.StartAsync(_stop.Token);

        // The listeners bind synchronously inside StartAsync: a failure is known now.
        if (_listeners.BindError is { } bindError)
        {
            _server.Shutdown();
            _stop.Cancel();
            throw bindError;
        }

        _engine.Start(recovered.Select(r => new SpoolItem(r.Envelope, r.State)));
        if (!string.IsNullOrWhiteSpace(_options.PickupDirectory))
        {
            _pickup = new PickupDirectoryWatcher(_options.PickupDirectory, _options.PickupInterval, store, capacity, _engine, routing, _logger, _metrics, _timeProvider, _options.MaxMessageSize);
            _pickup.Start();
        }

        Log.Started(_logger, string.Join(", ", Endpoints.Select(e => e.ToString())), store.Root, recovered.Count);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops listening (open sessions are cancelled: a message not yet answered with <c>250</c> is not kept) and stops
    /// delivering; the spool keeps every accepted message for the next start.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for sessions and deliveries to end.</param>
    /// <returns>A task that completes when the relay has stopped.</returns>
    public virtual async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stop is null || _stop.IsCancellationRequested)
        {
            return;
        }

        _server?.Shutdown();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_pickup is not null)
        {
            await _pickup.StopAsync().ConfigureAwait(false);
        }

        try
        {
            if (_serverTask is not null)
            {
                await _serverTask.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        if (_engine is not null)
        {
            await _engine.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.Stopped(_logger, _engine?.QueueDepth ?? 0);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the relay and releases what it holds.</summary>
    /// <returns>A task that completes when done.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_engine is not null)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
        }

        _metrics?.Dispose();
        _certificate?.Dispose();
        _stop?.Dispose();
    }
}
