using System.ComponentModel;
using System.Net;
using System.Net.Mail;
using MailKit;

namespace ModernAuth.Mail.MailKit;

/// <summary>
/// A drop-in for <see cref="System.Net.Mail.SmtpClient"/> that signs in with OAuth 2.0: old code changes
/// <c>new SmtpClient(host)</c> to <c>new ModernAuthSmtpClient(provider)</c> and keeps its <see cref="MailMessage"/>s,
/// its <c>Send</c>/<c>SendMailAsync</c>/<c>SendAsync</c> calls, its <see cref="SendCompleted"/> handlers and its
/// <c>catch (SmtpException)</c> blocks. Each message is converted with MimeKit and sent over SMTP with XOAUTH2 (one
/// connection per message, as <see cref="System.Net.Mail.SmtpClient"/> does), or through another
/// <see cref="MailMessageTransport"/> such as <c>ModernAuth.Mail.Graph</c>'s Graph one.
/// </summary>
/// <remarks>
/// <para>The mailbox a token is asked for (the XOAUTH2 <c>user=</c>) is <see cref="Mailbox"/>, or else each message's
/// <see cref="MailMessage.Sender"/>, or else its <see cref="MailMessage.From"/>.</para>
/// <para>Failures are thrown as <see cref="System.Net.Mail.SmtpClient"/> throws them: <see cref="SmtpException"/>
/// (a token or sign-in failure too: its message says what to do, and its <see cref="Exception.InnerException"/> is the
/// <see cref="MailAuthenticationException"/> with <see cref="MailAuthenticationException.ErrorCode"/> and
/// <see cref="MailAuthenticationException.Remedy"/>), <see cref="SmtpFailedRecipientException"/> and
/// <see cref="SmtpFailedRecipientsException"/>.</para>
/// <para>The synchronous members run the work on the thread pool and wait for it, so they do not deadlock under a
/// single-threaded <see cref="SynchronizationContext"/> (classic ASP.NET, WinForms, WPF).</para>
/// </remarks>
public class ModernAuthSmtpClient : IDisposable
{
    private const int DefaultTimeout = 100_000;

    private readonly MailTokenProvider? _provider;
    private readonly MailKitConnectOptions? _options;
    private readonly MailMessageTransport? _transport;
    private readonly bool _ownsTransport;
    private string _host;
    private int _port;
    private bool _enableSsl;
    private int _timeout = DefaultTimeout;
    private SmtpDeliveryMethod _deliveryMethod = SmtpDeliveryMethod.Network;
    private int _inCall;
    private CancellationTokenSource? _pending;
    private bool _disposed;

    /// <summary>
    /// Creates a client that sends over SMTP with tokens from <paramref name="provider"/>, to the provider's cloud's SMTP
    /// server (Exchange Online: <c>smtp.office365.com</c>, port 587, STARTTLS).
    /// </summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public ModernAuthSmtpClient(MailTokenProvider provider)
        : this(provider, null)
    {
    }

    /// <summary>Creates a client that sends over SMTP with tokens from <paramref name="provider"/>.</summary>
    /// <param name="provider">Where tokens come from.</param>
    /// <param name="options">
    /// How to connect and authenticate: its <see cref="MailKitConnectOptions.Host"/>, <see cref="MailKitConnectOptions.Port"/>
    /// and <see cref="MailKitConnectOptions.TlsMode"/> (else the cloud's) give the starting values of <see cref="Host"/>,
    /// <see cref="Port"/> and <see cref="EnableSsl"/>; its <see cref="MailKitConnectOptions.Timeout"/> limits each network
    /// read or write, while <see cref="Timeout"/> limits the whole send. The client owns its
    /// <see cref="MailKitConnectOptions.ProtocolLogger"/> and disposes it with itself. <see langword="null"/> for the defaults.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public ModernAuthSmtpClient(MailTokenProvider provider, MailKitConnectOptions? options)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _options = options;
        var endpoint = (options?.Cloud ?? provider.Cloud).Smtp;
        _host = string.IsNullOrWhiteSpace(options?.Host) ? endpoint.Host : options!.Host!.Trim();
        _port = options?.Port ?? endpoint.Port;
        _enableSsl = (options?.TlsMode ?? endpoint.TlsMode) != MailTlsMode.None;
    }

    /// <summary>
    /// Creates a client that sends through <paramref name="transport"/>, for example Microsoft Graph with
    /// <c>new GraphMailMessageTransport(provider)</c> from <c>ModernAuth.Mail.Graph</c>. <see cref="Host"/>,
    /// <see cref="Port"/> and <see cref="EnableSsl"/> mean nothing to such a transport and are ignored.
    /// </summary>
    /// <param name="transport">How messages are delivered; disposed with the client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transport"/> is <see langword="null"/>.</exception>
    public ModernAuthSmtpClient(MailMessageTransport transport)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _ownsTransport = true;
        _host = string.Empty;
    }

    /// <summary>
    /// Raised when a <see cref="SendAsync(MailMessage, object?)"/> ends (sent, failed or cancelled), on the
    /// <see cref="SynchronizationContext"/> that was current when it was called (the UI thread of a WinForms app), as
    /// <see cref="System.Net.Mail.SmtpClient.SendCompleted"/> is.
    /// </summary>
    public event SendCompletedEventHandler? SendCompleted;

    /// <summary>The SMTP server's host name. Default: the cloud's (<c>smtp.office365.com</c> for Exchange Online).</summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    /// <exception cref="InvalidOperationException">A send is in progress.</exception>
    public string Host
    {
        get => _host;
        set
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            if (value.Trim().Length == 0)
            {
                throw new ArgumentException("The SMTP host name is empty.", nameof(value));
            }

            ThrowIfInCall();
            _host = value.Trim();
        }
    }

    /// <summary>The SMTP server's port. Default: the cloud's (587).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 1 and 65535.</exception>
    /// <exception cref="InvalidOperationException">A send is in progress.</exception>
    public int Port
    {
        get => _port;
        set
        {
            if (value is <= 0 or > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The port must be between 1 and 65535.");
            }

            ThrowIfInCall();
            _port = value;
        }
    }

    /// <summary>
    /// Whether the connection is encrypted: STARTTLS (implicit TLS on port 465). Default <see langword="true"/>, unlike
    /// <see cref="System.Net.Mail.SmtpClient.EnableSsl"/>: a token must not travel in clear text, and Exchange Online
    /// only takes one after STARTTLS. <see langword="false"/> is refused at send time unless <see cref="Host"/> is a
    /// loopback address (a local test server).
    /// </summary>
    /// <exception cref="InvalidOperationException">A send is in progress.</exception>
    public bool EnableSsl
    {
        get => _enableSsl;
        set
        {
            ThrowIfInCall();
            _enableSsl = value;
        }
    }

    /// <summary>
    /// How long a whole send may take, in milliseconds (getting the token, connecting, authenticating and sending), as
    /// <see cref="System.Net.Mail.SmtpClient.Timeout"/>; when it passes the send fails with an <see cref="SmtpException"/>
    /// "The operation has timed out.". Default 100,000 (100 seconds). <see cref="System.Threading.Timeout.Infinite"/> (-1)
    /// means no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than -1.</exception>
    /// <exception cref="InvalidOperationException">A send is in progress.</exception>
    public int Timeout
    {
        get => _timeout;
        set
        {
            if (value < System.Threading.Timeout.Infinite)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be -1 (none) or a number of milliseconds.");
            }

            ThrowIfInCall();
            _timeout = value;
        }
    }

    /// <summary>
    /// The mailbox to sign in as (the XOAUTH2 <c>user=</c>, for an app-only provider the mailbox it sends from).
    /// Default <see langword="null"/>: each message's <see cref="MailMessage.Sender"/>, or else its <see cref="MailMessage.From"/>.
    /// </summary>
    public string? Mailbox { get; set; }

    /// <summary>
    /// How messages are delivered. Only <see cref="SmtpDeliveryMethod.Network"/> (the default) is supported: a pickup
    /// directory needs no sign-in, so code that writes to one has nothing to move to OAuth (the ModernAuth.Mail relay
    /// reads a pickup directory and delivers with OAuth).
    /// </summary>
    /// <exception cref="NotSupportedException">The value is not <see cref="SmtpDeliveryMethod.Network"/>.</exception>
    public SmtpDeliveryMethod DeliveryMethod
    {
        get => _deliveryMethod;
        set => _deliveryMethod = value == SmtpDeliveryMethod.Network
            ? value
            : throw new NotSupportedException($"ModernAuthSmtpClient delivers over the network only (SmtpDeliveryMethod.Network), not {value}: a pickup directory needs no sign-in. Keep System.Net.Mail.SmtpClient for it, or point the ModernAuth.Mail relay's pickup directory at it.");
    }

    /// <summary>
    /// Not supported: this client signs in with OAuth tokens from its <see cref="MailTokenProvider"/>, never with a
    /// password (Exchange Online refuses Basic authentication for SMTP: <c>535 5.7.139</c>, then <c>550 5.7.30</c>).
    /// The property exists so that old code which sets it fails to compile with this explanation: delete that line, and
    /// the password with it.
    /// </summary>
    /// <exception cref="NotSupportedException">Always, when set to anything but <see langword="null"/> (for late-bound callers).</exception>
    [Obsolete("ModernAuthSmtpClient signs in with OAuth 2.0 tokens from its MailTokenProvider, never with a password: delete the Credentials line (and the password). The mailbox is the message's From (or Sender), or ModernAuthSmtpClient.Mailbox.", error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ICredentialsByHost? Credentials
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new NotSupportedException("ModernAuthSmtpClient signs in with OAuth 2.0 tokens from its MailTokenProvider, never with a password: remove the credentials (and the password).");
            }
        }
    }

    /// <summary>
    /// Not supported: Windows (NTLM/Kerberos) credentials cannot sign in to Exchange Online's SMTP; this client uses
    /// OAuth tokens from its <see cref="MailTokenProvider"/>. Exists so old code that sets it fails to compile with this explanation.
    /// </summary>
    /// <exception cref="NotSupportedException">Always, when set to <see langword="true"/> (for late-bound callers).</exception>
    [Obsolete("ModernAuthSmtpClient signs in with OAuth 2.0 tokens from its MailTokenProvider: delete the UseDefaultCredentials line.", error: true)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public bool UseDefaultCredentials
    {
        get => false;
        set
        {
            if (value)
            {
                throw new NotSupportedException("ModernAuthSmtpClient signs in with OAuth 2.0 tokens from its MailTokenProvider, not with Windows credentials: remove UseDefaultCredentials.");
            }
        }
    }

    /// <summary>Sends <paramref name="message"/> and waits until the server has accepted it.</summary>
    /// <param name="message">The message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The message has no From address or no recipient; another send is in progress; or <see cref="EnableSsl"/> is <see langword="false"/> for a host that is not loopback.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="SmtpFailedRecipientException">The server refused the (one) recipient that failed.</exception>
    /// <exception cref="SmtpFailedRecipientsException">The server refused several recipients.</exception>
    /// <exception cref="SmtpException">No token could be had, the server rejected it, the connection failed or timed out, or the server refused the message; see <see cref="Exception.InnerException"/>.</exception>
    public void Send(MailMessage message)
    {
        var prepared = Begin(message);
        try
        {
            // On the thread pool: under a single-threaded SynchronizationContext, waiting here for work that wants to
            // resume on this thread (a provider or handler that forgot ConfigureAwait(false)) would deadlock.
            Task.Run(() => SendCoreAsync(prepared, CancellationToken.None)).GetAwaiter().GetResult();
        }
        finally
        {
            End();
        }
    }

    /// <summary>Sends a text message and waits until the server has accepted it.</summary>
    /// <param name="from">The sender's address.</param>
    /// <param name="recipients">The recipients' addresses, separated by commas.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="body">The text body.</param>
    /// <exception cref="ArgumentNullException"><paramref name="from"/> or <paramref name="recipients"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="recipients"/> is empty.</exception>
    /// <exception cref="FormatException">An address is not valid.</exception>
    /// <exception cref="InvalidOperationException">Another send is in progress.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="SmtpException">As for <see cref="Send(MailMessage)"/>.</exception>
    public void Send(string from, string recipients, string? subject, string? body)
    {
        using var message = new MailMessage(from, recipients, subject, body);
        Send(message);
    }

    /// <summary>Sends <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    /// <returns>A task that completes when the server has accepted the message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Send(MailMessage)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="SmtpException">As for <see cref="Send(MailMessage)"/> (also <see cref="SmtpFailedRecipientException"/> and <see cref="SmtpFailedRecipientsException"/>).</exception>
    public Task SendMailAsync(MailMessage message) => SendMailAsync(message, CancellationToken.None);

    /// <summary>Sends <paramref name="message"/>; the overloads are <see cref="System.Net.Mail.SmtpClient"/>'s, so old calls bind unchanged.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the server has accepted the message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Send(MailMessage)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="SmtpException">As for <see cref="Send(MailMessage)"/> (also <see cref="SmtpFailedRecipientException"/> and <see cref="SmtpFailedRecipientsException"/>).</exception>
    public Task SendMailAsync(MailMessage message, CancellationToken cancellationToken)
    {
        var prepared = Begin(message);
        return RunAsync(prepared, cancellationToken);
    }

    /// <summary>Sends a text message.</summary>
    /// <param name="from">The sender's address.</param>
    /// <param name="recipients">The recipients' addresses, separated by commas.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="body">The text body.</param>
    /// <returns>A task that completes when the server has accepted the message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="from"/> or <paramref name="recipients"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="recipients"/> is empty.</exception>
    /// <exception cref="FormatException">An address is not valid.</exception>
    /// <exception cref="SmtpException">As for <see cref="Send(MailMessage)"/>.</exception>
    public Task SendMailAsync(string from, string recipients, string? subject, string? body) => SendMailAsync(from, recipients, subject, body, CancellationToken.None);

    /// <summary>Sends a text message.</summary>
    /// <param name="from">The sender's address.</param>
    /// <param name="recipients">The recipients' addresses, separated by commas.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="body">The text body.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the server has accepted the message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="from"/> or <paramref name="recipients"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="recipients"/> is empty.</exception>
    /// <exception cref="FormatException">An address is not valid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="SmtpException">As for <see cref="Send(MailMessage)"/>.</exception>
    public async Task SendMailAsync(string from, string recipients, string? subject, string? body, CancellationToken cancellationToken)
    {
        using var message = new MailMessage(from, recipients, subject, body);
        await SendMailAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts sending <paramref name="message"/> and returns at once; <see cref="SendCompleted"/> is raised when it ends,
    /// with <paramref name="userToken"/> as <see cref="AsyncCompletedEventArgs.UserState"/>, the failure (an
    /// <see cref="SmtpException"/>) as <see cref="AsyncCompletedEventArgs.Error"/>, or
    /// <see cref="AsyncCompletedEventArgs.Cancelled"/> after <see cref="SendAsyncCancel"/>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="userToken">Anything, handed back in <see cref="SendCompleted"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">As for <see cref="Send(MailMessage)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public void SendAsync(MailMessage message, object? userToken)
    {
        var prepared = Begin(message);
        var operation = AsyncOperationManager.CreateOperation(userToken);
        var cancellation = new CancellationTokenSource();
        _pending = cancellation;
        _ = CompleteAsync(prepared, operation, cancellation);
    }

    /// <summary>Starts sending a text message; see <see cref="SendAsync(MailMessage, object?)"/>.</summary>
    /// <param name="from">The sender's address.</param>
    /// <param name="recipients">The recipients' addresses, separated by commas.</param>
    /// <param name="subject">The subject.</param>
    /// <param name="body">The text body.</param>
    /// <param name="userToken">Anything, handed back in <see cref="SendCompleted"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="from"/> or <paramref name="recipients"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> or <paramref name="recipients"/> is empty.</exception>
    /// <exception cref="FormatException">An address is not valid.</exception>
    /// <exception cref="InvalidOperationException">Another send is in progress.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public void SendAsync(string from, string recipients, string? subject, string? body, object? userToken) =>
        SendAsync(new MailMessage(from, recipients, subject, body), userToken);

    /// <summary>Cancels the <see cref="SendAsync(MailMessage, object?)"/> in progress, if any; <see cref="SendCompleted"/> then reports it cancelled.</summary>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public void SendAsyncCancel()
    {
        ThrowIfDisposed();
        try
        {
            _pending?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It had just ended.
        }
    }

    /// <summary>Cancels a send in progress and releases the transport and the protocol logger.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Raises <see cref="SendCompleted"/>.</summary>
    /// <param name="e">How the send ended.</param>
    protected virtual void OnSendCompleted(AsyncCompletedEventArgs e) => SendCompleted?.Invoke(this, e);

    /// <summary>Cancels a send in progress and releases the transport and the protocol logger.</summary>
    /// <param name="disposing"><see langword="true"/> from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        SendAsyncCancelQuietly();
        if (_ownsTransport)
        {
            _transport!.Dispose();
        }

        _options?.ProtocolLogger?.Dispose();
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private MailMessageConversion Begin(MailMessage message)
    {
        ThrowIfDisposed();
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        if (Interlocked.CompareExchange(ref _inCall, 1, 0) != 0)
        {
            throw new InvalidOperationException("An asynchronous call is already in progress. It must be completed or canceled before you can call this method.");
        }

        try
        {
            if (_transport is null && !_enableSsl && !IsLoopback(_host))
            {
                throw new InvalidOperationException($"EnableSsl is false, which would send the OAuth token to {_host} in clear text. Exchange Online takes a token only after STARTTLS on port 587: remove the line that sets EnableSsl = false.");
            }

            return MailMessageConversion.Create(message);
        }
        catch
        {
            End();
            throw;
        }
    }

    private void End() => Volatile.Write(ref _inCall, 0);

    private async Task RunAsync(MailMessageConversion prepared, CancellationToken cancellationToken)
    {
        try
        {
            await SendCoreAsync(prepared, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            End();
        }
    }

    private async Task CompleteAsync(MailMessageConversion prepared, AsyncOperation operation, CancellationTokenSource cancellation)
    {
        Exception? error = null;
        var cancelled = false;
        try
        {
            await Task.Run(() => SendCoreAsync(prepared, cancellation.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            _pending = null;
            cancellation.Dispose();
            End();
        }

        // Posted to the SynchronizationContext SendAsync was called on, as SmtpClient does; the client is free again by then.
        operation.PostOperationCompleted(state => OnSendCompleted((AsyncCompletedEventArgs)state!), new AsyncCompletedEventArgs(error, cancelled, operation.UserSuppliedState));
    }

    private async Task SendCoreAsync(MailMessageConversion prepared, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_timeout != System.Threading.Timeout.Infinite)
        {
            limit.CancelAfter(_timeout);
        }

        try
        {
            if (_transport is not null)
            {
                await _transport.SendAsync(prepared.Message, prepared.Sender, prepared.Recipients, prepared.DeliveryNotifications, limit.Token).ConfigureAwait(false);
            }
            else
            {
                await SendSmtpAsync(prepared, limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && limit.IsCancellationRequested)
        {
            throw new SmtpException(SmtpErrorTranslation.TimedOut, ex) { StatusCode = SmtpStatusCode.GeneralFailure };
        }
        catch (Exception ex) when (SmtpErrorTranslation.Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    private async Task SendSmtpAsync(MailMessageConversion prepared, CancellationToken cancellationToken)
    {
        var options = ConnectOptions();
        var mailbox = string.IsNullOrWhiteSpace(Mailbox) ? prepared.Sender.Address : Mailbox;
        using var client = await MailKitConnector.ConnectSmtpAsync(
            logger => new EnvelopeSmtpClient(logger, prepared.DeliveryNotifications),
            _provider!,
            mailbox,
            options,
            cancellationToken).ConfigureAwait(false);
        await client.SendAsync(prepared.Message, prepared.Sender, prepared.Recipients, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ProtocolException or TimeoutException)
        {
            // The server has the message; a QUIT that fails loses nothing.
        }

        if (client.Refused.Count > 0)
        {
            // SmtpClient sends to the recipients the server took, then reports the ones it refused.
            throw EnvelopeSmtpClient.RecipientFailure(client.Refused, prepared.Recipients.Count);
        }
    }

    private MailKitConnectOptions ConnectOptions()
    {
        var source = _options ?? new MailKitConnectOptions();
        var options = new MailKitConnectOptions
        {
            Host = _host,
            Port = _port,
            TlsMode = !_enableSsl ? MailTlsMode.None : _port == 465 || source.TlsMode == MailTlsMode.Implicit ? MailTlsMode.Implicit : MailTlsMode.StartTls,
            Cloud = source.Cloud,
            LoggerFactory = source.LoggerFactory,
            Mechanism = source.Mechanism,
            RetryWithFreshToken = source.RetryWithFreshToken,
            TimeProvider = source.TimeProvider,
            ServerCertificateValidationCallback = source.ServerCertificateValidationCallback,
            CheckCertificateRevocation = source.CheckCertificateRevocation,
            Timeout = source.Timeout,
            LocalDomain = source.LocalDomain,
            ProtocolLogger = source.ProtocolLogger is null ? null : new SharedProtocolLogger(source.ProtocolLogger),
        };
        return options;
    }

    private void SendAsyncCancelQuietly()
    {
        try
        {
            _pending?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ThrowIfInCall()
    {
        if (Volatile.Read(ref _inCall) != 0)
        {
            throw new InvalidOperationException("This operation cannot be performed while a message is being sent.");
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(GetType().FullName);
        }
    }
}
