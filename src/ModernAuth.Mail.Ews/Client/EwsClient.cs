using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModernAuth.Mail.Ews.Internal;
using Polly;

namespace ModernAuth.Mail.Ews;

/// <summary>
/// A small typed EWS client for what mail apps moving to OAuth use most: folders, paged item lists, messages as MIME,
/// sending, moving, deleting and incremental sync. Requests are EWS SOAP 1.1, authenticated by an
/// <see cref="EwsAuthenticationHandler"/> (token, <c>X-AnchorMailbox</c>, impersonation for app-only providers).
/// Every response's <c>ResponseClass</c> and <c>ResponseCode</c> is checked: errors throw <see cref="EwsException"/>.
/// All members are virtual so tests can mock the client; instances are thread-safe.
/// </summary>
public class EwsClient : IDisposable
{
    private static readonly XNamespace M = EwsNamespaces.M;
    private static readonly XNamespace T = EwsNamespaces.T;

    private readonly HttpClient? _http;
    private readonly bool _ownsHttpClient;
    private readonly EwsClientOptions _options;
    private readonly string? _impersonatedMailbox;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline? _throttling;
    private int _disposed;

    /// <summary>Creates a client that gets its tokens from <paramref name="provider"/>.</summary>
    /// <param name="provider">Where tokens come from: app-only providers impersonate <paramref name="mailbox"/>; delegated ones act as the signed-in user.</param>
    /// <param name="mailbox">The SMTP address of the mailbox to open.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (Exchange Online worldwide).</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="mailbox"/> is empty, or the endpoint is not an absolute http(s) URL.</exception>
    /// <exception cref="MailAuthenticationException">The cloud or provider is for personal Microsoft accounts, which have no EWS (<see cref="MailErrorCodes.NotSupported"/>).</exception>
#pragma warning disable RS0027 // The overloads differ in their first parameter's type, so optional options cannot make a call ambiguous.
    public EwsClient(MailTokenProvider provider, string mailbox, EwsClientOptions? options = null)
#pragma warning restore RS0027
    {
        if (provider is null)
        {
            throw new ArgumentNullException(nameof(provider));
        }

        _options = options ?? new EwsClientOptions();
        var handler = new EwsAuthenticationHandler(provider, mailbox, _options, endpointGiven: _options.Endpoint is not null)
        {
            InnerHandler = _options.Transport ?? new HttpClientHandler(),
        };
        Mailbox = handler.Mailbox;
        Endpoint = ResolveEndpoint(_options, null, handler.Cloud);

        // The client writes the impersonation header itself, so the handler never has to rewrite a request.
        _impersonatedMailbox = handler.UsesImpersonation ? Mailbox : null;
        _http = new HttpClient(handler, disposeHandler: _options.Transport is null) { Timeout = _options.Timeout };
        _ownsHttpClient = true;
        _logger = (ILogger?)_options.LoggerFactory?.CreateLogger("ModernAuth.Mail.Ews.EwsClient") ?? NullLogger.Instance;
        _throttling = EwsThrottling.Create(_options, _logger);
    }

    /// <summary>
    /// Creates a client over an <see cref="HttpClient"/> that already authenticates EWS requests, typically through an
    /// <see cref="EwsAuthenticationHandler"/> in its pipeline (with a proxy, resilience handlers or
    /// <c>IHttpClientFactory</c> around it). The client does not dispose it; its timeout applies.
    /// </summary>
    /// <param name="httpClient">The HTTP client.</param>
    /// <param name="mailbox">The SMTP address of the mailbox to open.</param>
    /// <param name="options">The options (<see cref="EwsClientOptions.Endpoint"/>, else the client's <see cref="HttpClient.BaseAddress"/>, else the cloud's); <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="mailbox"/> is empty, or the endpoint is not an absolute http(s) URL.</exception>
    /// <exception cref="MailAuthenticationException">The cloud is for personal Microsoft accounts, which have no EWS (<see cref="MailErrorCodes.NotSupported"/>).</exception>
    public EwsClient(HttpClient httpClient, string mailbox, EwsClientOptions? options)
    {
        _http = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        _options = options ?? new EwsClientOptions();
        Mailbox = EwsGuard.Mailbox(mailbox);
        var cloud = _options.Cloud ?? MailCloud.Global;
        if (cloud.IsPersonalAccounts || (cloud.Ews is null && _options.Endpoint is null && httpClient.BaseAddress is null))
        {
            EwsGuard.ThrowIfPersonalAccounts(cloud, NoProvider.Instance, endpointGiven: false);
        }

        Endpoint = ResolveEndpoint(_options, httpClient.BaseAddress, cloud);
        _impersonatedMailbox = _options.UseImpersonation == true ? Mailbox : null;
        _logger = (ILogger?)_options.LoggerFactory?.CreateLogger("ModernAuth.Mail.Ews.EwsClient") ?? NullLogger.Instance;
        _throttling = EwsThrottling.Create(_options, _logger);
    }

    /// <summary>Creates a client with no connection, for test doubles that override every member.</summary>
    protected EwsClient()
    {
        _options = new EwsClientOptions();
        Mailbox = string.Empty;
        Endpoint = new Uri("https://localhost/EWS/Exchange.asmx");
        _logger = NullLogger.Instance;
    }

    /// <summary>The mailbox the client opens.</summary>
    public virtual string Mailbox { get; }

    /// <summary>The EWS URL requests go to.</summary>
    public virtual Uri Endpoint { get; }

    /// <summary>Gets a folder (EWS <c>GetFolder</c>).</summary>
    /// <param name="folder">A well-known folder such as <see cref="EwsFolderId.Inbox"/>, or a folder id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The folder, with its id, name and counts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="folder"/> is <see langword="null"/>.</exception>
    /// <exception cref="EwsException">EWS answered with an error (for example <c>ErrorFolderNotFound</c>), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<EwsFolder> GetFolderAsync(EwsFolderId folder, CancellationToken cancellationToken = default)
    {
        if (folder is null)
        {
            throw new ArgumentNullException(nameof(folder));
        }

        var message = await SendAsync("GetFolder", w =>
        {
            w.StartM("GetFolder");
            w.StartM("FolderShape");
            w.WriteElementString("BaseShape", EwsNamespaces.Types, "Default");
            w.WriteEndElement();
            w.StartM("FolderIds");
            w.FolderId(folder, Mailbox);
            w.WriteEndElement();
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);

        return Read("GetFolder", () =>
        {
            var element = message.Element(M + "Folders")?.Elements().FirstOrDefault()
                ?? throw new FormatException("The response has no folder.");
            return SoapItemReader.ReadFolder(element);
        });
    }

    /// <summary>
    /// Lists one page of a folder's items (EWS <c>FindItem</c>, shallow, with <c>IndexedPageItemView</c>), newest
    /// first as EWS orders them, with their summary properties.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="offset">Where the page starts (0 for the first page; then <see cref="EwsFindItemsResult.NextOffset"/>).</param>
    /// <param name="pageSize">How many items at most, 1 to 1000. Default 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="folder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or <paramref name="pageSize"/> is outside 1 to 1000.</exception>
    /// <exception cref="EwsException">EWS answered with an error, throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<EwsFindItemsResult> FindItemsAsync(EwsFolderId folder, int offset = 0, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        if (folder is null)
        {
            throw new ArgumentNullException(nameof(folder));
        }

        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset cannot be negative.");
        }

        if (pageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size is 1 to 1000 (Exchange caps pages at 1000).");
        }

        var message = await SendAsync("FindItem", w =>
        {
            w.StartM("FindItem");
            w.WriteAttributeString("Traversal", "Shallow");
            w.ItemSummaryShape(includeMimeContent: false);
            w.StartM("IndexedPageItemView");
            w.WriteAttributeString("MaxEntriesReturned", pageSize.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("Offset", offset.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("BasePoint", "Beginning");
            w.WriteEndElement();
            w.StartM("ParentFolderIds");
            w.FolderId(folder, Mailbox);
            w.WriteEndElement();
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);

        return Read("FindItem", () =>
        {
            var root = message.Element(M + "RootFolder") ?? throw new FormatException("The response has no RootFolder.");
            var items = SoapItemReader.Items(root.Element(T + "Items")).Select(e => SoapItemReader.ReadItem(e, withMime: false)).ToList();
            var last = (bool?)root.Attribute("IncludesLastItemInRange") ?? true;
            var total = (int?)root.Attribute("TotalItemsInView") ?? items.Count;
            int? next = last ? null : (int?)root.Attribute("IndexedPagingOffset") ?? offset + items.Count;
            return new EwsFindItemsResult(items, last, next, total);
        });
    }

    /// <summary>Gets an item with its summary properties and, by default, its MIME content (EWS <c>GetItem</c> with <c>IncludeMimeContent</c>).</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="includeMimeContent">Whether to fetch the full message as MIME (RFC 5322), decoded from EWS's base64. Default <see langword="true"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The item.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="itemId"/> is <see langword="null"/>.</exception>
    /// <exception cref="EwsException">EWS answered with an error (for example <c>ErrorItemNotFound</c>), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<EwsItem> GetItemAsync(EwsItemId itemId, bool includeMimeContent = true, CancellationToken cancellationToken = default)
    {
        if (itemId is null)
        {
            throw new ArgumentNullException(nameof(itemId));
        }

        var message = await SendAsync("GetItem", w =>
        {
            w.StartM("GetItem");
            w.ItemSummaryShape(includeMimeContent);
            w.StartM("ItemIds");
            w.ItemId(itemId);
            w.WriteEndElement();
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);

        return Read("GetItem", () =>
        {
            var element = SoapItemReader.Items(message.Element(M + "Items")).FirstOrDefault() ?? throw new FormatException("The response has no item.");
            return SoapItemReader.ReadItem(element, includeMimeContent);
        });
    }

    /// <summary>Saves a MIME message into a folder without sending it (EWS <c>CreateItem</c>, <c>MessageDisposition="SaveOnly"</c>).</summary>
    /// <param name="mimeContent">The message as MIME (RFC 5322) bytes.</param>
    /// <param name="folder">Where to save it. Default <see langword="null"/>: <see cref="EwsFolderId.Drafts"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new item's id with its change key (send it later with <see cref="SendItemAsync"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="mimeContent"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="EwsException">EWS answered with an error, throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<EwsItemId> CreateItemFromMimeAsync(byte[] mimeContent, EwsFolderId? folder = null, CancellationToken cancellationToken = default)
    {
        var message = await CreateItemAsync(mimeContent, "SaveOnly", folder ?? EwsFolderId.Drafts, cancellationToken).ConfigureAwait(false);
        return Read("CreateItem", () =>
            SoapItemReader.ReadItemId(SoapItemReader.Items(message.Element(M + "Items")).FirstOrDefault()?.Element(T + "ItemId"))
            ?? throw new FormatException("The response has no item id."));
    }

    /// <summary>
    /// Sends a MIME message as the mailbox (EWS <c>CreateItem</c> with <c>MessageDisposition="SendAndSaveCopy"</c> into
    /// Sent Items, or <c>"SendOnly"</c>). The recipients come from the MIME headers (To, Cc, Bcc).
    /// </summary>
    /// <param name="mimeContent">The message as MIME (RFC 5322) bytes.</param>
    /// <param name="saveCopy">Whether to keep a copy in Sent Items. Default <see langword="true"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when Exchange has accepted the message for delivery.</returns>
    /// <exception cref="ArgumentException"><paramref name="mimeContent"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="EwsException">EWS answered with an error (for example <c>ErrorSendAsDenied</c>), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task SendMimeAsync(byte[] mimeContent, bool saveCopy = true, CancellationToken cancellationToken = default) =>
        await CreateItemAsync(mimeContent, saveCopy ? "SendAndSaveCopy" : "SendOnly", saveCopy ? EwsFolderId.SentItems : null, cancellationToken).ConfigureAwait(false);

    /// <summary>Sends a saved item such as a draft (EWS <c>SendItem</c>).</summary>
    /// <param name="itemId">The item, with its change key (as <see cref="CreateItemFromMimeAsync"/> returned it).</param>
    /// <param name="saveCopy">Whether to keep a copy in Sent Items. Default <see langword="true"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when Exchange has accepted the message for delivery.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="itemId"/> is <see langword="null"/>.</exception>
    /// <exception cref="EwsException">EWS answered with an error (for example <c>ErrorChangeKeyRequiredForWriteOperations</c>), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task SendItemAsync(EwsItemId itemId, bool saveCopy = true, CancellationToken cancellationToken = default)
    {
        if (itemId is null)
        {
            throw new ArgumentNullException(nameof(itemId));
        }

        await SendAsync("SendItem", w =>
        {
            w.StartM("SendItem");
            w.WriteAttributeString("SaveItemToFolder", saveCopy ? "true" : "false");
            w.StartM("ItemIds");
            w.ItemId(itemId);
            w.WriteEndElement();
            if (saveCopy)
            {
                w.StartM("SavedItemFolderId");
                w.FolderId(EwsFolderId.SentItems, Mailbox);
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves an item to another folder of the mailbox (EWS <c>MoveItem</c>). A moved item gets a new id.</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="destination">The folder to move it to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The item's new id, or <see langword="null"/> when the server did not return it.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="EwsException">EWS answered with an error (for example <c>ErrorItemNotFound</c>), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<EwsItemId?> MoveItemAsync(EwsItemId itemId, EwsFolderId destination, CancellationToken cancellationToken = default)
    {
        if (itemId is null)
        {
            throw new ArgumentNullException(nameof(itemId));
        }

        if (destination is null)
        {
            throw new ArgumentNullException(nameof(destination));
        }

        var message = await SendAsync("MoveItem", w =>
        {
            w.StartM("MoveItem");
            w.StartM("ToFolderId");
            w.FolderId(destination, Mailbox);
            w.WriteEndElement();
            w.StartM("ItemIds");
            w.ItemId(itemId);
            w.WriteEndElement();
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);

        return Read("MoveItem", () => SoapItemReader.ReadItemId(SoapItemReader.Items(message.Element(M + "Items")).FirstOrDefault()?.Element(T + "ItemId")));
    }

    /// <summary>Deletes an item (EWS <c>DeleteItem</c>).</summary>
    /// <param name="itemId">The item.</param>
    /// <param name="mode">How to delete. Default <see cref="EwsDeleteMode.MoveToDeletedItems"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the item is deleted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="itemId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    /// <exception cref="EwsException">EWS answered with an error (for example <c>ErrorItemNotFound</c>), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task DeleteItemAsync(EwsItemId itemId, EwsDeleteMode mode = EwsDeleteMode.MoveToDeletedItems, CancellationToken cancellationToken = default)
    {
        if (itemId is null)
        {
            throw new ArgumentNullException(nameof(itemId));
        }

        var deleteType = mode switch
        {
            EwsDeleteMode.MoveToDeletedItems => "MoveToDeletedItems",
            EwsDeleteMode.SoftDelete => "SoftDelete",
            EwsDeleteMode.HardDelete => "HardDelete",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown delete mode."),
        };

        await SendAsync("DeleteItem", w =>
        {
            w.StartM("DeleteItem");
            w.WriteAttributeString("DeleteType", deleteType);
            w.StartM("ItemIds");
            w.ItemId(itemId);
            w.WriteEndElement();
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gets the changes to a folder's items since the last call (EWS <c>SyncFolderItems</c>). Start with
    /// <paramref name="syncState"/> <see langword="null"/> (every item arrives as a create), store
    /// <see cref="EwsSyncResult.SyncState"/>, and pass it next time; call again at once while
    /// <see cref="EwsSyncResult.IncludesLastItemInRange"/> is <see langword="false"/>.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="syncState">The sync state of the previous call, or <see langword="null"/> for a full sync.</param>
    /// <param name="maxChanges">How many changes at most, 1 to 512. Default 512.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The changes and the new sync state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="folder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxChanges"/> is outside 1 to 512.</exception>
    /// <exception cref="EwsException">EWS answered with an error (<c>ErrorInvalidSyncStateData</c>: start again with a <see langword="null"/> sync state), throttled beyond the budget, or answered with something that is not EWS.</exception>
    /// <exception cref="MailAuthenticationException">No token could be had, or EWS rejected it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual async Task<EwsSyncResult> SyncFolderItemsAsync(EwsFolderId folder, string? syncState = null, int maxChanges = 512, CancellationToken cancellationToken = default)
    {
        if (folder is null)
        {
            throw new ArgumentNullException(nameof(folder));
        }

        if (maxChanges is < 1 or > 512)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChanges), maxChanges, "MaxChangesReturned is 1 to 512.");
        }

        var message = await SendAsync("SyncFolderItems", w =>
        {
            w.StartM("SyncFolderItems");
            w.ItemSummaryShape(includeMimeContent: false);
            w.StartM("SyncFolderId");
            w.FolderId(folder, Mailbox);
            w.WriteEndElement();
            if (!string.IsNullOrEmpty(syncState))
            {
                w.WriteElementString("SyncState", EwsNamespaces.Messages, syncState);
            }

            w.WriteElementString("MaxChangesReturned", EwsNamespaces.Messages, maxChanges.ToString(CultureInfo.InvariantCulture));
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);

        return Read("SyncFolderItems", () =>
        {
            var changes = new List<EwsItemChange>();
            foreach (var change in message.Element(M + "Changes")?.Elements() ?? Enumerable.Empty<XElement>())
            {
                switch (change.Name.LocalName)
                {
                    case "Create" or "Update":
                        var element = SoapItemReader.Items(change).FirstOrDefault() ?? throw new FormatException($"A {change.Name.LocalName} change has no item.");
                        var item = SoapItemReader.ReadItem(element, withMime: false);
                        changes.Add(new EwsItemChange(change.Name.LocalName == "Create" ? EwsChangeType.Create : EwsChangeType.Update, item.Id, item));
                        break;
                    case "Delete":
                        changes.Add(new EwsItemChange(EwsChangeType.Delete, SoapItemReader.ReadItemId(change.Element(T + "ItemId")) ?? throw new FormatException("A Delete change has no ItemId.")));
                        break;
                    case "ReadFlagChange":
                        changes.Add(new EwsItemChange(EwsChangeType.ReadFlagChange, SoapItemReader.ReadItemId(change.Element(T + "ItemId")) ?? throw new FormatException("A ReadFlagChange has no ItemId."))
                        {
                            IsRead = SoapItemReader.Bool(change.Element(T + "IsRead")),
                        });
                        break;
                }
            }

            var state = message.Element(M + "SyncState")?.Value ?? throw new FormatException("The response has no SyncState.");
            var last = SoapItemReader.Bool(message.Element(M + "IncludesLastItemInRange")) ?? true;
            return new EwsSyncResult(state, last, changes);
        });
    }

    /// <summary>Releases the client's own <see cref="HttpClient"/> (a supplied one is left open).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsHttpClient)
        {
            _http?.Dispose();
        }
    }

    private static Uri ResolveEndpoint(EwsClientOptions options, Uri? baseAddress, MailCloud cloud)
    {
        var endpoint = options.Endpoint ?? baseAddress ?? cloud.Ews
            ?? throw new ArgumentException("No EWS endpoint: set EwsClientOptions.Endpoint.", nameof(options));
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The EWS endpoint must be an absolute https URL such as https://outlook.office365.com/EWS/Exchange.asmx, not '{endpoint}'.", nameof(options));
        }

        return endpoint;
    }

    private static T Read<T>(string operation, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or XmlException or ArgumentException)
        {
            throw new EwsException(EwsErrorCodes.InvalidResponse, $"EWS answered {operation} with a response this client cannot read: {ex.Message}",
                "Check that the endpoint is Exchange EWS and that RequestServerVersion fits the server; capture the response with LogSoapBodies.", false, ex);
        }
    }

    private async Task<XElement> CreateItemAsync(byte[] mimeContent, string disposition, EwsFolderId? savedFolder, CancellationToken cancellationToken)
    {
        if (mimeContent is null || mimeContent.Length == 0)
        {
            throw new ArgumentException("The MIME content is empty.", nameof(mimeContent));
        }

        return await SendAsync("CreateItem", w =>
        {
            w.StartM("CreateItem");
            w.WriteAttributeString("MessageDisposition", disposition);
            if (savedFolder is not null)
            {
                w.StartM("SavedItemFolderId");
                w.FolderId(savedFolder, Mailbox);
                w.WriteEndElement();
            }

            w.StartM("Items");
            w.StartT("Message");
            w.StartT("MimeContent");
            w.WriteAttributeString("CharacterSet", "UTF-8");
            w.WriteBase64(mimeContent, 0, mimeContent.Length);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<XElement> SendAsync(string operation, Action<XmlWriter> writeBody, CancellationToken cancellationToken)
    {
        if (_http is null)
        {
            throw new InvalidOperationException("This EwsClient was created for a test double: override the method you call.");
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(EwsClient));
        }

        var body = SoapRequestWriter.Build(_options.RequestServerVersion, _impersonatedMailbox, writeBody);
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The one throttling pipeline for this call: the handler leaves requests the client wrote to it, and
            // Exchange can also report ErrorServerBusy inside an HTTP 200 response message, which only the client reads.
            var message = await _throttling!.ExecuteAsync(
                static (s, ct) => new ValueTask<XElement>(s.Client.SendOnceAsync(s.Operation, s.Body, ct)),
                (Client: this, Operation: operation, Body: body),
                cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.OperationCompleted(_logger, operation, Mailbox, (Stopwatch.GetTimestamp() - started) * 1000 / Stopwatch.Frequency);
            }

            return message;
        }
        catch (EwsException ex)
        {
            Log.OperationFailed(_logger, operation, ex.ErrorCode, ex.ResponseCode ?? "-", ex.StatusCode, ex.MessageText ?? ex.Message);
            throw;
        }
    }

    private async Task<XElement> SendOnceAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new EwsSoapContent(body, _impersonatedMailbox) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/xml"));

        HttpResponseMessage response;
        try
        {
            response = await _http!.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EwsException(EwsErrorCodes.Timeout, $"EWS {operation} did not finish within the timeout ({_http!.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s).",
                "Retry later; for large mailboxes page with smaller pages, or raise EwsClientOptions.Timeout.", isRetryable: true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new EwsException(EwsErrorCodes.HttpError, $"EWS {operation} could not reach {Endpoint.GetLeftPart(UriPartial.Authority)}: {ex.Message}",
                "Check the endpoint URL, DNS, the proxy and the TLS certificate; retry later if the network failed.", isRetryable: true, ex);
        }

        using (response)
        {
            var info = ResponseInfo.From(response);
            var bytes = response.Content is null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // Only reached through an HttpClient without an EwsAuthenticationHandler, which throws for these itself.
                EwsException? fault = null;
                if (bytes.Length > 0 && !SoapResponseReader.LooksLikeHtml(bytes, info.MediaType))
                {
                    try
                    {
                        fault = SoapResponseReader.ReadFault(SoapResponseReader.ParseEnvelope(bytes, info), info);
                    }
                    catch (EwsException)
                    {
                        fault = null;
                    }
                }

                throw fault ?? SoapResponseReader.FromHttpError(bytes, info);
            }

            var document = SoapResponseReader.ParseEnvelope(bytes, info);
            return SoapResponseReader.GetResponseMessage(document, operation, info);
        }
    }

    /// <summary>Stands in for a provider where the client was given an HttpClient and only the cloud can be checked.</summary>
    private sealed class NoProvider : MailTokenProvider
    {
        public static readonly NoProvider Instance = new();

        public override ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
