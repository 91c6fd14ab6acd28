using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Users.Item.Messages.Item.Move;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using MimeKit;

namespace ModernAuth.Mail.Graph;

/// <summary>
/// A small typed Microsoft Graph mail client with <c>EwsClient</c>'s operations: folders, paged message lists, messages
/// as MIME, sending MIME or a <see cref="MimeMessage"/> (attachments of 3 MB and more through an upload session), moving,
/// deleting, marking read and incremental sync with delta links. It runs on the official <see cref="GraphServiceClient"/>
/// (<see cref="Graph"/>, at hand for everything else) with the SDK's own retry handler, and its tokens come from a
/// <see cref="MailTokenProvider"/> through <see cref="GraphAuthenticationProvider"/>. Errors throw
/// <see cref="GraphMailException"/> (or <see cref="MailAuthenticationException"/> for a rejected token) with an
/// <c>ErrorCode</c>, a <c>Remedy</c> and <c>IsRetryable</c>. All members are virtual so tests can mock the client.
/// </summary>
/// <remarks>
/// App-only providers open <c>/users/{mailbox}</c> and need the application permissions <c>Mail.ReadWrite</c> (and
/// <c>Mail.Send</c> to send); delegated providers open the signed-in user's own mailbox (<c>/me</c>), which works for
/// personal Microsoft accounts too.
/// </remarks>
public class GraphMailClient : IDisposable
{
    /// <summary>The largest request Graph takes: 4 MB.</summary>
    internal const int MaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>Attachments this large or larger go through an upload session (Graph: "3 MB to 150 MB").</summary>
    internal const int UploadSessionThreshold = (MaxRequestBytes - 8 * 1024) / 4 * 3;

    private const int UploadSliceBytes = 3 * 1024 * 1024;
    private const string MePath = "/me";
    private const string UsersPath = "/users/{user%2Did}";

    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new(StringComparer.OrdinalIgnoreCase)
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    // RFC 5322 lines end in CRLF on every platform; MimeKit's default follows the platform.
    private static readonly FormatOptions WireFormat = CreateWireFormat();

    private readonly GraphServiceClient? _graph;
    private readonly IRequestAdapter? _adapter;
    private readonly HttpClient? _http;
    private readonly MailTokenProvider? _provider;
    private readonly GraphMailClientOptions _options;
    private readonly GraphErrorMapper? _errors;
    private readonly ILogger _logger;
    private readonly bool _useMe;
    private int _disposed;

    /// <summary>Creates a client that gets its tokens from <paramref name="provider"/>.</summary>
    /// <param name="provider">Where tokens come from: app-only providers open <paramref name="mailbox"/>; delegated ones the signed-in user's mailbox.</param>
    /// <param name="mailbox">The mailbox's address (for delegated providers: the signed-in account).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (global cloud).</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="mailbox"/> is empty, or an option is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public GraphMailClient(MailTokenProvider provider, string mailbox, GraphMailClientOptions? options = null)
    {
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _options = options ?? new GraphMailClientOptions();
        _options.Validate();
        // The one mailbox check every adapter shares; this client needs the address even for a delegated provider (/me's owner).
        Mailbox = provider.CreateRequest(MailProtocol.Graph, mailbox).Mailbox
            ?? throw new ArgumentException("The mailbox is empty: pass the mailbox's address (for a delegated provider, the signed-in user's).", nameof(mailbox));
        var cloud = _options.Cloud ?? provider.Cloud;
        Endpoint = _options.Endpoint ?? new Uri(cloud.Graph.GetLeftPart(UriPartial.Authority) + "/v1.0");
        _useMe = !provider.IsAppOnly && !_options.OpenSharedMailbox;
        _logger = (ILogger?)_options.LoggerFactory?.CreateLogger("ModernAuth.Mail.Graph.GraphMailClient") ?? NullLogger.Instance;

        var auth = new GraphAuthenticationProvider(provider, new GraphAuthenticationProviderOptions { Mailbox = Mailbox, Cloud = cloud with { Graph = new Uri(Endpoint.GetLeftPart(UriPartial.Authority)) } });
        var handlers = KiotaClientFactory.CreateDefaultHandlers(new IRequestOption[]
        {
            new RetryHandlerOption { MaxRetry = _options.MaxRetries, RetriesTimeLimit = _options.MaxTotalRetryDelay },
        });
        handlers.Add(new GraphTelemetryHandler());
        _http = GraphClientFactory.Create(handlers, finalHandler: _options.Transport, disposeHandler: _options.Transport is null);
        _http.Timeout = _options.Timeout;
        _adapter = new BaseGraphRequestAdapter(auth, httpClient: _http) { BaseUrl = Endpoint.AbsoluteUri.TrimEnd('/') };
        _graph = new GraphServiceClient(_adapter);
        _errors = new GraphErrorMapper(provider, Mailbox, cloud);
    }

    /// <summary>Creates a client with no connection, for test doubles that override every member.</summary>
    protected GraphMailClient()
    {
        _options = new GraphMailClientOptions();
        Mailbox = string.Empty;
        Endpoint = new Uri("https://localhost/v1.0");
        _logger = NullLogger.Instance;
    }

    /// <summary>The mailbox the client opens.</summary>
    public virtual string Mailbox { get; }

    /// <summary>The Graph service root requests go to, for example <c>https://graph.microsoft.com/v1.0</c>.</summary>
    public virtual Uri Endpoint { get; }

    /// <summary>The Graph SDK client behind this one, authenticated the same way: for everything this client does not wrap.</summary>
    /// <exception cref="InvalidOperationException">The client was created for a test double.</exception>
    public virtual GraphServiceClient Graph => _graph ?? throw NoConnection();

    /// <summary>Gets a folder with its counts.</summary>
    /// <param name="folder">A well-known name (<see cref="GraphWellKnownFolders"/>) or a folder id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The folder.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error (for example <c>graph_access_policy_denied</c>), throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<GraphMailFolder> GetFolderAsync(string folder, CancellationToken cancellationToken = default)
    {
        CheckId(folder, nameof(folder));
        return RunAsync("GetFolder", "Mail.Read", async ct =>
        {
            var info = Prepare(Graph.Users[Mailbox].MailFolders[folder].ToGetRequestInformation());
            var result = await _adapter!.SendAsync(info, MailFolder.CreateFromDiscriminatorValue, ErrorMapping, ct).ConfigureAwait(false) ?? throw Invalid("GetFolder", "no folder");
            return new GraphMailFolder(result.Id ?? folder, result.DisplayName ?? string.Empty)
            {
                TotalCount = result.TotalItemCount,
                UnreadCount = result.UnreadItemCount,
                ChildFolderCount = result.ChildFolderCount,
            };
        }, cancellationToken);
    }

    /// <summary>Lists one page of a folder's messages, newest first, with their summary properties (EWS <c>FindItem</c>).</summary>
    /// <param name="folder">A well-known name (<see cref="GraphWellKnownFolders"/>) or a folder id.</param>
    /// <param name="offset">Where the page starts (0 for the first; then <see cref="GraphFindItemsResult.NextOffset"/>).</param>
    /// <param name="pageSize">How many messages at most, 1 to 1000. Default 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or <paramref name="pageSize"/> is outside 1 to 1000.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error, throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<GraphFindItemsResult> FindItemsAsync(string folder, int offset = 0, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        CheckId(folder, nameof(folder));
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset cannot be negative.");
        }

        if (pageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size is 1 to 1000 (Graph's $top limit for messages).");
        }

        return RunAsync("FindItems", "Mail.Read", async ct =>
        {
            var info = Prepare(Graph.Users[Mailbox].MailFolders[folder].Messages.ToGetRequestInformation(c =>
            {
                c.QueryParameters.Top = pageSize;
                c.QueryParameters.Skip = offset;
                c.QueryParameters.Count = true;
                c.QueryParameters.Select = SummaryProperties;
                c.QueryParameters.Orderby = ["receivedDateTime desc"];
            }));
            var page = await _adapter!.SendAsync(info, MessageCollectionResponse.CreateFromDiscriminatorValue, ErrorMapping, ct).ConfigureAwait(false) ?? throw Invalid("FindItems", "no page");
            var items = (page.Value ?? []).Select(m => ToMessage(m, null)).ToList();
            var total = (int)(page.OdataCount ?? offset + items.Count);
            var last = page.OdataNextLink is null;
            return new GraphFindItemsResult(items, last, last ? null : offset + items.Count, total);
        }, cancellationToken);
    }

    /// <summary>Gets a message with its summary properties and, by default, its MIME content (<c>/$value</c>).</summary>
    /// <param name="itemId">The message id.</param>
    /// <param name="includeMimeContent">Whether to fetch the whole message as MIME. Default <see langword="true"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ArgumentException"><paramref name="itemId"/> is empty.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error (for example <c>graph_item_not_found</c>), throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<GraphMailMessage> GetItemAsync(string itemId, bool includeMimeContent = true, CancellationToken cancellationToken = default)
    {
        CheckId(itemId, nameof(itemId));
        return RunAsync("GetItem", "Mail.Read", async ct =>
        {
            var builder = Graph.Users[Mailbox].Messages[itemId];
            var info = Prepare(builder.ToGetRequestInformation(c => c.QueryParameters.Select = SummaryProperties));
            var message = await _adapter!.SendAsync(info, Message.CreateFromDiscriminatorValue, ErrorMapping, ct).ConfigureAwait(false) ?? throw Invalid("GetItem", "no message");
            byte[]? mime = null;
            if (includeMimeContent)
            {
                using var stream = await _adapter.SendPrimitiveAsync<Stream>(Prepare(builder.Content.ToGetRequestInformation()), ErrorMapping, ct).ConfigureAwait(false)
                    ?? throw Invalid("GetItem", "no MIME content");
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, 81920, ct).ConfigureAwait(false);
                mime = copy.ToArray();
            }

            return ToMessage(message, mime);
        }, cancellationToken);
    }

    /// <summary>Saves a MIME message into a folder without sending it (a draft by default); send it later with <see cref="SendItemAsync"/>.</summary>
    /// <param name="mimeContent">The message as MIME (RFC 5322) bytes; at most about 3 MB (Graph takes 4 MB per request, base64).</param>
    /// <param name="folder">Where to save it. Default <see langword="null"/>: Drafts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new message's id.</returns>
    /// <exception cref="ArgumentException"><paramref name="mimeContent"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="GraphMailException">The message is too large for one request (<c>graph_message_too_large</c>), or Graph answered with an error.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<string> CreateItemFromMimeAsync(byte[] mimeContent, string? folder = null, CancellationToken cancellationToken = default)
    {
        CheckMime(mimeContent);
        return RunAsync("CreateItem", "Mail.ReadWrite", ct => CreateDraftAsync(mimeContent, folder, ct), cancellationToken);
    }

    /// <summary>
    /// Sends a MIME message as the mailbox (<c>sendMail</c> with the base64 message as <c>text/plain</c>); Graph keeps a
    /// copy in Sent Items. The recipients come from the MIME headers. A message whose base64 form is over 4 MB is sent
    /// as <see cref="SendMessageAsync"/> does.
    /// </summary>
    /// <param name="mimeContent">The message as MIME (RFC 5322) bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when Graph has accepted the message.</returns>
    /// <exception cref="ArgumentException"><paramref name="mimeContent"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error (for example <c>graph_access_policy_denied</c>), throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task SendMimeAsync(byte[] mimeContent, CancellationToken cancellationToken = default)
    {
        CheckMime(mimeContent);
        if (Base64Length(mimeContent.Length) > MaxRequestBytes)
        {
            using var stream = new MemoryStream(mimeContent, writable: false);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            await SendLargeAsync(message, mimeContent.Length, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RunAsync("SendMail", "Mail.Send", async ct =>
        {
            await _adapter!.SendNoContentAsync(MimeRequest(Method.POST, "/sendMail", mimeContent), ErrorMapping, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a <see cref="MimeMessage"/> as the mailbox. When it fits one request it goes as MIME; otherwise its
    /// attachments are taken out, the rest is saved as a draft, each attachment is added (3 MB and more through an
    /// upload session in ranges), and the draft is sent. The caller's message is not changed.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when Graph has accepted the message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="GraphMailException">The message without its attachments is still over 4 MB, or Graph answered with an error.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task SendMessageAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        var mime = ToBytes(message);
        if (Base64Length(mime.Length) <= MaxRequestBytes)
        {
            await SendMimeAsync(mime, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var stream = new MemoryStream(mime, writable: false);
        var copy = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        await SendLargeAsync(copy, mime.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a saved message such as a draft; Graph keeps a copy in Sent Items.</summary>
    /// <param name="itemId">The message id (as <see cref="CreateItemFromMimeAsync"/> returned it).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when Graph has accepted the message.</returns>
    /// <exception cref="ArgumentException"><paramref name="itemId"/> is empty.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error, throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task SendItemAsync(string itemId, CancellationToken cancellationToken = default)
    {
        CheckId(itemId, nameof(itemId));
        return RunAsync("SendItem", "Mail.Send", async ct =>
        {
            await _adapter!.SendNoContentAsync(Prepare(Graph.Users[Mailbox].Messages[itemId].Send.ToPostRequestInformation()), ErrorMapping, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Moves a message to another folder. A moved message gets a new id.</summary>
    /// <param name="itemId">The message id.</param>
    /// <param name="destination">A well-known name (<see cref="GraphWellKnownFolders"/>) or a folder id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message's new id.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error (for example <c>graph_item_not_found</c>), throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<string> MoveItemAsync(string itemId, string destination, CancellationToken cancellationToken = default)
    {
        CheckId(itemId, nameof(itemId));
        CheckId(destination, nameof(destination));
        return RunAsync("MoveItem", "Mail.ReadWrite", async ct =>
        {
            var info = Prepare(Graph.Users[Mailbox].Messages[itemId].Move.ToPostRequestInformation(new MovePostRequestBody { DestinationId = destination }));
            var moved = await _adapter!.SendAsync(info, Message.CreateFromDiscriminatorValue, ErrorMapping, ct).ConfigureAwait(false);
            return moved?.Id ?? throw Invalid("MoveItem", "no id of the moved message");
        }, cancellationToken);
    }

    /// <summary>Deletes a message.</summary>
    /// <param name="itemId">The message id.</param>
    /// <param name="mode">How. Default <see cref="GraphDeleteMode.MoveToDeletedItems"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the message is deleted.</returns>
    /// <exception cref="ArgumentException"><paramref name="itemId"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error, throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task DeleteItemAsync(string itemId, GraphDeleteMode mode = GraphDeleteMode.MoveToDeletedItems, CancellationToken cancellationToken = default)
    {
        CheckId(itemId, nameof(itemId));
        if (mode is not (GraphDeleteMode.MoveToDeletedItems or GraphDeleteMode.PermanentDelete))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown delete mode.");
        }

        return RunAsync("DeleteItem", "Mail.ReadWrite", async ct =>
        {
            var builder = Graph.Users[Mailbox].Messages[itemId];
            var info = mode == GraphDeleteMode.PermanentDelete ? builder.PermanentDelete.ToPostRequestInformation() : builder.ToDeleteRequestInformation();
            await _adapter!.SendNoContentAsync(Prepare(info), ErrorMapping, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Marks a message read or unread.</summary>
    /// <param name="itemId">The message id.</param>
    /// <param name="isRead">Read (<see langword="true"/>, the default) or unread.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the flag is set.</returns>
    /// <exception cref="ArgumentException"><paramref name="itemId"/> is empty.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error, throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task MarkReadAsync(string itemId, bool isRead = true, CancellationToken cancellationToken = default)
    {
        CheckId(itemId, nameof(itemId));
        return RunAsync("MarkRead", "Mail.ReadWrite", async ct =>
        {
            var info = Prepare(Graph.Users[Mailbox].Messages[itemId].ToPatchRequestInformation(new Message { IsRead = isRead }));
            await _adapter!.SendAsync(info, Message.CreateFromDiscriminatorValue, ErrorMapping, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Gets the changes to a folder's messages since the last call (a Graph delta query; EWS <c>SyncFolderItems</c>).
    /// Start with <paramref name="syncState"/> <see langword="null"/> (every message arrives as created), store
    /// <see cref="GraphSyncResult.SyncState"/> and pass it next time; call again at once while
    /// <see cref="GraphSyncResult.IncludesLastItemInRange"/> is <see langword="false"/>.
    /// </summary>
    /// <param name="folder">A well-known name (<see cref="GraphWellKnownFolders"/>) or a folder id.</param>
    /// <param name="syncState">The state of the previous call, or <see langword="null"/> for a full sync.</param>
    /// <param name="maxChanges">How many changes per page at most (Graph's <c>odata.maxpagesize</c>), 1 to 1000. Default 512.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The changes and the new state.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty, or <paramref name="syncState"/> is not a state this client returned.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxChanges"/> is outside 1 to 1000.</exception>
    /// <exception cref="GraphMailException">Graph answered with an error (<c>graph_sync_state_invalid</c>: start again with a <see langword="null"/> state), throttled beyond the retry budget, or could not be reached.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or Graph rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<GraphSyncResult> SyncFolderItemsAsync(string folder, string? syncState = null, int maxChanges = 512, CancellationToken cancellationToken = default)
    {
        CheckId(folder, nameof(folder));
        if (maxChanges is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChanges), maxChanges, "maxChanges is 1 to 1000.");
        }

        if (syncState is not null && (!Uri.TryCreate(syncState, UriKind.Absolute, out var state) || !string.Equals(state.Host, Endpoint.Host, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException("The sync state is not one this client returned (a Graph delta or next link for " + Endpoint.Host + ").", nameof(syncState));
        }

        return RunAsync("SyncFolderItems", "Mail.Read", async ct =>
        {
            var delta = Graph.Users[Mailbox].MailFolders[folder].Messages.Delta;
            var builder = syncState is null ? delta : delta.WithUrl(syncState);
            var info = builder.ToGetRequestInformation(c =>
            {
                c.Headers.Add("Prefer", "odata.maxpagesize=" + maxChanges.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (syncState is null)
                {
                    c.QueryParameters.Select = SummaryProperties;
                }
            });
            var page = await _adapter!.SendAsync(syncState is null ? Prepare(info) : info, Microsoft.Graph.Users.Item.MailFolders.Item.Messages.Delta.DeltaGetResponse.CreateFromDiscriminatorValue, ErrorMapping, ct).ConfigureAwait(false)
                ?? throw Invalid("SyncFolderItems", "no page");
            var changes = new List<GraphItemChange>();
            foreach (var message in page.Value ?? [])
            {
                if (message.Id is null)
                {
                    continue;
                }

                changes.Add(message.AdditionalData.ContainsKey("@removed")
                    ? new GraphItemChange(GraphChangeType.Deleted, message.Id)
                    : new GraphItemChange(GraphChangeType.CreatedOrUpdated, message.Id, ToMessage(message, null)));
            }

            var next = page.OdataNextLink;
            var link = next ?? page.OdataDeltaLink ?? throw Invalid("SyncFolderItems", "neither @odata.nextLink nor @odata.deltaLink");
            return new GraphSyncResult(link, next is null, changes);
        }, cancellationToken);
    }

    /// <summary>Releases the client's HTTP pipeline (a supplied <see cref="GraphMailClientOptions.Transport"/> is left open).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _http?.Dispose();
        }
    }

    private static string[] SummaryProperties => ["id", "subject", "from", "receivedDateTime", "isRead", "hasAttachments", "isDraft", "internetMessageId", "parentFolderId"];

    private async Task SendLargeAsync(MimeMessage message, long size, CancellationToken cancellationToken)
    {
        // Take out attachments, largest first, until the rest fits one request.
        var parents = new Dictionary<MimePart, Multipart>();
        using (var iterator = new MimeIterator(message))
        {
            while (iterator.MoveNext())
            {
                if (iterator.Current is MimePart { IsAttachment: true } part && iterator.Parent is Multipart parent)
                {
                    parents[part] = parent;
                }
            }
        }

        var taken = new List<(string Name, string ContentType, byte[] Bytes)>();
        foreach (var part in parents.Keys.OrderByDescending(p => p.Content?.Stream?.Length ?? 0).ToList())
        {
            if (Base64Length(ToBytes(message).Length) <= MaxRequestBytes)
            {
                break;
            }

            using var content = new MemoryStream();
            if (part.Content is not null)
            {
                await part.Content.DecodeToAsync(content, cancellationToken).ConfigureAwait(false);
            }

            taken.Add((part.FileName ?? "attachment", part.ContentType.MimeType, content.ToArray()));
            parents[part].Remove(part);
        }

        var draft = ToBytes(message);
        if (Base64Length(draft.Length) > MaxRequestBytes)
        {
            throw new GraphMailException(Diagnostics.MailFindingCodes.GraphMessageTooLarge,
                $"The message is {draft.Length / 1024} KB without its attachments: one Microsoft Graph request carries at most 4 MB (base64), so its body and headers cannot be sent.",
                "Make the body smaller (link large content, or send it as an attachment: attachments of any size up to 150 MB go through upload sessions).");
        }

        Log.LargeMessage(_logger, Mailbox, size, taken.Count);
        var id = await RunAsync("CreateItem", "Mail.ReadWrite", ct => CreateDraftAsync(draft, null, ct), cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (name, contentType, bytes) in taken)
            {
                await RunAsync("AddAttachment", "Mail.ReadWrite", ct => AddAttachmentAsync(id, name, contentType, bytes, ct), cancellationToken).ConfigureAwait(false);
            }

            await SendItemAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Leave no half-built draft behind; the original failure is what the caller needs.
            try
            {
                await DeleteItemAsync(id, GraphDeleteMode.PermanentDelete, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception cleanup) when (cleanup is GraphMailException or MailAuthenticationException)
            {
                Log.OperationFailed(_logger, "DeleteDraft", Mailbox, cleanup is GraphMailException g ? g.ErrorCode : ((MailAuthenticationException)cleanup).ErrorCode, "-", 0, "The draft of a failed send was left in Drafts.");
            }

            throw;
        }
    }

    private async Task<bool> AddAttachmentAsync(string messageId, string name, string contentType, byte[] bytes, CancellationToken cancellationToken)
    {
        var attachments = Graph.Users[Mailbox].Messages[messageId].Attachments;
        if (bytes.Length < UploadSessionThreshold)
        {
            var attachment = new FileAttachment { OdataType = "#microsoft.graph.fileAttachment", Name = name, ContentType = contentType, ContentBytes = bytes };
            await _adapter!.SendAsync(Prepare(attachments.ToPostRequestInformation(attachment)), Attachment.CreateFromDiscriminatorValue, ErrorMapping, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var body = new Microsoft.Graph.Users.Item.Messages.Item.Attachments.CreateUploadSession.CreateUploadSessionPostRequestBody
        {
            AttachmentItem = new AttachmentItem { AttachmentType = AttachmentType.File, Name = name, Size = bytes.Length, ContentType = contentType },
        };
        var session = await _adapter!.SendAsync(Prepare(attachments.CreateUploadSession.ToPostRequestInformation(body)), UploadSession.CreateFromDiscriminatorValue, ErrorMapping, cancellationToken).ConfigureAwait(false)
            ?? throw Invalid("CreateUploadSession", "no upload session");

        // The upload URL carries its own credential: the ranges go through the same pipeline with no token.
        using var stream = new MemoryStream(bytes, writable: false);
        var uploader = new BaseGraphRequestAdapter(new Microsoft.Kiota.Abstractions.Authentication.AnonymousAuthenticationProvider(), httpClient: _http);
        var task = new LargeFileUploadTask<FileAttachment>(session, stream, UploadSliceBytes, uploader);
        var result = await task.UploadAsync(maxTries: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.UploadSucceeded)
        {
            throw Invalid("UploadAttachment", "the upload session did not confirm the attachment");
        }

        return true;
    }

    private async Task<string> CreateDraftAsync(byte[] mime, string? folder, CancellationToken cancellationToken)
    {
        if (Base64Length(mime.Length) > MaxRequestBytes)
        {
            throw new GraphMailException(Diagnostics.MailFindingCodes.GraphMessageTooLarge,
                $"The message is {mime.Length / 1024} KB: one Microsoft Graph request carries at most 4 MB of base64 (about 3 MB of MIME).",
                "Send it with SendMessageAsync, which uploads large attachments separately, or make it smaller.");
        }

        var path = folder is null ? "/messages" : "/mailFolders/" + Uri.EscapeDataString(folder) + "/messages";
        var created = await _adapter!.SendAsync(MimeRequest(Method.POST, path, mime), Message.CreateFromDiscriminatorValue, ErrorMapping, cancellationToken).ConfigureAwait(false);
        return created?.Id ?? throw Invalid("CreateItem", "no id of the new message");
    }

    /// <summary>A request whose body is the base64 MIME message as <c>text/plain</c>: a shape the SDK's typed builders do not offer.</summary>
    private RequestInformation MimeRequest(Method method, string path, byte[] mime)
    {
        var info = new RequestInformation
        {
            HttpMethod = method,
            UrlTemplate = "{+baseurl}" + (_useMe ? MePath : UsersPath) + path.Replace("{", "%7B").Replace("}", "%7D"),
        };
        if (!_useMe)
        {
            info.PathParameters["user%2Did"] = Mailbox;
        }

        info.SetStreamContent(new MemoryStream(Encoding.ASCII.GetBytes(Convert.ToBase64String(mime)), writable: false), "text/plain");
        return info;
    }

    /// <summary>Points a request built on <c>/users/{mailbox}</c> at <c>/me</c> for a delegated provider's own mailbox.</summary>
    private RequestInformation Prepare(RequestInformation info)
    {
        if (_useMe && info.UrlTemplate is { } template)
        {
            info.UrlTemplate = template.Replace(UsersPath, MePath);
        }

        return info;
    }

    private async Task<T> RunAsync<T>(string operation, string permission, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (_adapter is null)
        {
            throw NoConnection();
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(GraphMailClient));
        }

        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var result = await call(cancellationToken).ConfigureAwait(false);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    Log.OperationCompleted(_logger, operation, Mailbox, (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency);
                }

                return result;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not (MailAuthenticationException or GraphMailException or ArgumentException))
            {
                var failure = GraphFailure.From(ex, cancellationToken);
                if (failure.Status == 401 && attempt == 0)
                {
                    // A token Graph rejects may have been revoked or changed: one fresh token, then the request again.
                    Log.TokenRejectedRetrying(_logger, Mailbox);
                    await _provider!.GetTokenAsync(new MailTokenRequest(MailProtocol.Graph, Mailbox, forceRefresh: true), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var mapped = await _errors!.MapAsync(operation, permission, failure, ex, cancellationToken).ConfigureAwait(false);
                var (code, reason) = mapped is GraphMailException g ? (g.ErrorCode, g.GraphMessage ?? string.Empty) : (((MailAuthenticationException)mapped).ErrorCode, failure.Message ?? string.Empty);
                Log.OperationFailed(_logger, operation, Mailbox, code, failure.Code ?? "-", failure.Status, reason);
                throw mapped;
            }
        }
    }

    private static GraphMailMessage ToMessage(Message message, byte[]? mime) => new(message.Id ?? throw Invalid("message", "a message without an id"), mime)
    {
        Subject = message.Subject,
        From = message.From?.EmailAddress?.Address,
        ReceivedDateTime = message.ReceivedDateTime,
        IsRead = message.IsRead,
        HasAttachments = message.HasAttachments,
        IsDraft = message.IsDraft,
        InternetMessageId = message.InternetMessageId,
        ParentFolderId = message.ParentFolderId,
    };

    private static FormatOptions CreateWireFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }

    private static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

    private static byte[] ToBytes(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(WireFormat, stream);
        return stream.ToArray();
    }

    private static void CheckId(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The {name} is empty.", name);
        }
    }

    private static void CheckMime(byte[] mimeContent)
    {
        if (mimeContent is null || mimeContent.Length == 0)
        {
            throw new ArgumentException("The MIME content is empty.", nameof(mimeContent));
        }
    }

    private static GraphMailException Invalid(string operation, string what) =>
        new(GraphErrorCodes.InvalidResponse, $"Microsoft Graph answered {operation} with {what}.",
            "Check that the endpoint is Microsoft Graph (GraphMailClientOptions.Endpoint) and retry; quote the request-id to Microsoft support if it persists.");

    private static InvalidOperationException NoConnection() => new("This GraphMailClient was created for a test double: override the member you call.");
}
