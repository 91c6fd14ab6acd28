using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// A loopback EWS endpoint (HTTPS on 127.0.0.1 with a self-signed certificate, no ASP.NET Core runtime needed) that speaks EWS SOAP 1.1 the
/// way Exchange Online does: it validates bearer tokens with the fake Entra ID's published keys (signature, issuer
/// <c>https://sts.windows.net/{tid}/</c>, audience <c>https://outlook.office365.com</c>, lifetime, and <c>scp</c>
/// <c>EWS.AccessAsUser.All</c> or <c>roles</c> <c>full_access_as_app</c>), requires <c>X-AnchorMailbox</c> and, for
/// app-only tokens, an <c>ExchangeImpersonation</c> header naming the same mailbox, keeps mailboxes in memory and
/// answers with response shapes copied from Microsoft's published EWS examples, SOAP faults included.
/// </summary>
public sealed class FakeEwsServer : IAsyncDisposable
{
    /// <summary>Exchange Online's resource, the audience the tokens must have.</summary>
    public const string Audience = "https://outlook.office365.com";
    private static readonly XNamespace S = "http://schemas.xmlsoap.org/soap/envelope/";
    private static readonly XNamespace M = "http://schemas.microsoft.com/exchange/services/2006/messages";
    private static readonly XNamespace T = "http://schemas.microsoft.com/exchange/services/2006/types";
    private static readonly XNamespace E = "http://schemas.microsoft.com/exchange/services/2006/errors";

    // One key pair for every server of the process: RSA key generation is the slowest part of starting one.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(LoopbackHttps.CreateCertificate);
    private readonly LoopbackHttpServer _server;
    private readonly byte[] _certificate;
    private readonly string _tenantId;
    private readonly IReadOnlyList<SecurityKey> _keys;
    private readonly ConcurrentDictionary<string, FakeMailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<FakeEwsRequest> _requests = new();
    private readonly ConcurrentQueue<Func<LoopbackHttpContext, CancellationToken, Task>> _overrides = new();
    private readonly ConcurrentDictionary<string, string> _denied = new(StringComparer.OrdinalIgnoreCase);

    private FakeEwsServer(LoopbackHttpServer server, X509Certificate2 certificate, Uri endpoint, string tenantId, IReadOnlyList<SecurityKey> keys)
    {
        _server = server;
        _certificate = certificate.RawData;
        Certificate = CertificateHelper.PublicCopy(certificate);
        Endpoint = endpoint;
        _tenantId = tenantId;
        _keys = keys;
    }

    /// <summary>The EWS URL, <c>https://127.0.0.1:{port}/EWS/Exchange.asmx</c>: set it as <c>EwsClientOptions.Endpoint</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The server's self-signed certificate (public part): trust exactly this one, or use <see cref="CreateTrustingHandler"/>.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<FakeEwsRequest> Requests => _requests.ToArray();

    /// <summary>Raised when a request has been recorded, before it is answered.</summary>
    public event Action<FakeEwsRequest>? RequestReceived;

    /// <summary>
    /// Starts a server on a free loopback port that accepts the tokens <paramref name="entra"/> issues for
    /// <paramref name="tenantId"/> (checked with its published signing keys).
    /// </summary>
    /// <param name="entra">The fake Entra ID whose keys sign the tokens.</param>
    /// <param name="tenantId">The tenant the tokens must come from (issuer <c>https://sts.windows.net/{tenantId}/</c>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static Task<FakeEwsServer> StartAsync(FakeEntraId entra, string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entra);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        var keys = new JsonWebKeySet(entra.GetJwksJson()).GetSigningKeys();
        var certificate = SharedCertificate.Value;
        cancellationToken.ThrowIfCancellationRequested();
        FakeEwsServer? fake = null;
        var server = LoopbackHttpServer.Start(certificate, (context, _) => fake!.ServeAsync(context), TimeSpan.FromSeconds(2));
        fake = new FakeEwsServer(server, certificate, new Uri(server.BaseAddress, "/EWS/Exchange.asmx"), tenantId, keys.ToList());
        return Task.FromResult(fake);
    }

    /// <summary>Adds a mailbox (or returns the existing one with that address).</summary>
    /// <param name="address">The mailbox's SMTP address.</param>
    /// <returns>The mailbox.</returns>
    public FakeMailbox AddMailbox(string address) => _mailboxes.GetOrAdd(address, a => new FakeMailbox(a));

    /// <summary>The mailbox with this address.</summary>
    /// <param name="address">The mailbox's SMTP address.</param>
    /// <returns>The mailbox.</returns>
    /// <exception cref="KeyNotFoundException">There is no such mailbox.</exception>
    public FakeMailbox Mailbox(string address) => _mailboxes[address];

    /// <summary>Makes every request for <paramref name="mailbox"/> fail with <paramref name="responseCode"/> (ErrorAccessDenied, ErrorImpersonateUserDenied).</summary>
    public void Deny(string mailbox, string responseCode) => _denied[mailbox] = responseCode;

    /// <summary>A handler that trusts exactly this server's certificate.</summary>
    public HttpMessageHandler CreateTrustingHandler() => LoopbackHttps.CreateTrustingHandler(_certificate);

    private void AnswerNext(Func<LoopbackHttpContext, CancellationToken, Task> answer) => _overrides.Enqueue(answer);

    /// <summary>The next request (after being recorded) gets this raw answer instead of EWS logic.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="contentType">The Content-Type.</param>
    /// <param name="body">The body.</param>
    /// <param name="headers">Extra response headers.</param>
    public void AnswerNext(int statusCode, string contentType, string body, params (string Name, string Value)[] headers) =>
        AnswerNext(async (context, ct) =>
        {
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = contentType;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(body, ct).ConfigureAwait(false);
        });

    /// <summary>The next request gets 401 as Exchange Online answers a token it rejects.</summary>
    public void RejectNextToken(string reason = "The token has expired.") =>
        AnswerNext(async (context, ct) => await Unauthorized(context, "2000008;reason=\"" + reason + "\";error_category=\"invalid_token\"", ct).ConfigureAwait(false));

    /// <summary>The next request gets a SOAP fault (HTTP 500) with <paramref name="responseCode"/>.</summary>
    public void FaultNext(string responseCode, string message, long? backOffMilliseconds = null) =>
        AnswerNext((context, ct) => WriteFault(context, responseCode, message, backOffMilliseconds, ct));

    /// <summary>The next request never gets an answer (until the client gives up or the server stops).</summary>
    public void HangNext() =>
        AnswerNext(async (context, ct) => await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false));

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        Certificate.Dispose();
    }

    private async Task ServeAsync(LoopbackHttpContext context)
    {
        var ct = context.RequestAborted;
        var body = Encoding.UTF8.GetString(context.Request.Body);

        XDocument? document = null;
        try
        {
            document = XDocument.Parse(body);
        }
        catch (System.Xml.XmlException)
        {
        }

        var operation = document?.Root?.Element(S + "Body")?.Elements().FirstOrDefault(e => e.Name.Namespace == M)?.Name.LocalName;
        var request = new FakeEwsRequest(context.Request.Method, context.Request.Header("Authorization"),
            context.Request.Header("X-AnchorMailbox"), body, operation);
        _requests.Enqueue(request);
        RequestReceived?.Invoke(request);

        if (_overrides.TryDequeue(out var answer))
        {
            await answer(context, ct).ConfigureAwait(false);
            return;
        }

        if (!string.Equals(context.Request.Method, "POST", StringComparison.OrdinalIgnoreCase) || document?.Root?.Name != S + "Envelope" || operation is null)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><head><title>Bad Request</title></head><body>EWS takes a SOAP POST.</body></html>", ct).ConfigureAwait(false);
            return;
        }

        // Authentication, as Exchange Online's front door does it.
        var token = request.BearerToken;
        if (token is null)
        {
            await Unauthorized(context, null, ct).ConfigureAwait(false);
            return;
        }

        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = $"https://sts.windows.net/{_tenantId}/",
            ValidAudiences = [Audience, Audience + "/", "00000002-0000-0ff1-ce00-000000000000"],
            IssuerSigningKeys = _keys,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
        }).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            await Unauthorized(context, "2000003;reason=\"" + validation.Exception?.GetType().Name + "\";error_category=\"invalid_token\"", ct).ConfigureAwait(false);
            return;
        }

        var identity = validation.ClaimsIdentity;
        var scopes = (identity.FindFirst("scp")?.Value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var roles = identity.FindAll("roles").Select(c => c.Value).ToArray();
        var appOnly = roles.Contains("full_access_as_app", StringComparer.Ordinal);
        if (!appOnly && !scopes.Contains("EWS.AccessAsUser.All", StringComparer.Ordinal))
        {
            await Unauthorized(context, "2000001;reason=\"The token has no EWS.AccessAsUser.All scope or full_access_as_app role.\";error_category=\"invalid_grant\"", ct).ConfigureAwait(false);
            return;
        }

        var anchor = request.AnchorMailbox;
        if (anchor is null)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("The fake EWS endpoint requires the X-AnchorMailbox header on every request.", ct).ConfigureAwait(false);
            return;
        }

        var impersonated = document!.Root!.Element(S + "Header")?.Element(T + "ExchangeImpersonation")?.Descendants(T + "SmtpAddress").FirstOrDefault()?.Value.Trim();
        if (appOnly && impersonated is null)
        {
            await WriteFault(context, "ErrorInvalidExchangeImpersonationHeaderData", "ExchangeImpersonation SOAP header must be present for this type of OAuth token.", null, ct).ConfigureAwait(false);
            return;
        }

        if (impersonated is not null && !string.Equals(impersonated, anchor, StringComparison.OrdinalIgnoreCase))
        {
            await WriteFault(context, "ErrorInvalidExchangeImpersonationHeaderData", "The X-AnchorMailbox header does not match the impersonated account.", null, ct).ConfigureAwait(false);
            return;
        }

        if (!_mailboxes.TryGetValue(anchor, out var mailbox))
        {
            await WriteFault(context, "ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.", null, ct).ConfigureAwait(false);
            return;
        }

        if (_denied.TryGetValue(anchor, out var denial))
        {
            if (denial == "ErrorImpersonateUserDenied")
            {
                await WriteFault(context, denial, "The account does not have permission to impersonate the requested user.", null, ct).ConfigureAwait(false);
            }
            else
            {
                await WriteResponse(context, operation, Error(operation, denial, "Access is denied. Check credentials and try again."), ct).ConfigureAwait(false);
            }

            return;
        }

        var user = identity.FindFirst("upn")?.Value;
        if (!appOnly && !string.Equals(user, mailbox.Address, StringComparison.OrdinalIgnoreCase))
        {
            await WriteResponse(context, operation, Error(operation, "ErrorAccessDenied", "Access is denied. Check credentials and try again."), ct).ConfigureAwait(false);
            return;
        }

        var operationElement = document.Root!.Element(S + "Body")!.Element(M + operation)!;
        await WriteResponse(context, operation, Dispatch(mailbox, operation, operationElement), ct).ConfigureAwait(false);
    }

    private static XElement Dispatch(FakeMailbox mailbox, string operation, XElement request)
    {
        try
        {
            return operation switch
            {
                "GetFolder" => GetFolder(mailbox, request),
                "FindItem" => FindItem(mailbox, request),
                "GetItem" => GetItem(mailbox, request),
                "CreateItem" => CreateItem(mailbox, request),
                "SendItem" => SendItem(mailbox, request),
                "MoveItem" => MoveItem(mailbox, request),
                "DeleteItem" => DeleteItem(mailbox, request),
                "SyncFolderItems" => SyncFolderItems(mailbox, request),
                _ => Error(operation, "ErrorInvalidOperation", "The operation is not supported by the fake."),
            };
        }
        catch (EwsError error)
        {
            return Error(operation, error.Code, error.Text);
        }
    }

    private static XElement GetFolder(FakeMailbox mailbox, XElement request)
    {
        var folder = ResolveFolder(mailbox, request.Element(M + "FolderIds")!.Elements().First());
        return Success("GetFolder", new XElement(M + "Folders",
            new XElement(T + "Folder",
                new XElement(T + "FolderId", new XAttribute("Id", folder.Id), new XAttribute("ChangeKey", folder.ChangeKey)),
                new XElement(T + "DisplayName", folder.DisplayName),
                new XElement(T + "TotalCount", mailbox.MessagesIn(folder.Id).Count),
                new XElement(T + "ChildFolderCount", folder.WellKnownName == "msgfolderroot" ? 6 : 0),
                new XElement(T + "UnreadCount", mailbox.MessagesIn(folder.Id).Count(m => !m.IsRead)))));
    }

    private static XElement FindItem(FakeMailbox mailbox, XElement request)
    {
        var folder = ResolveFolder(mailbox, request.Element(M + "ParentFolderIds")!.Elements().First());
        var view = request.Element(M + "IndexedPageItemView")!;
        var max = (int)view.Attribute("MaxEntriesReturned")!;
        var offset = (int)view.Attribute("Offset")!;
        var all = mailbox.MessagesIn(folder.Id);
        var page = all.Skip(offset).Take(max).ToList();
        var last = offset + page.Count >= all.Count;
        return Success("FindItem", new XElement(M + "RootFolder",
            new XAttribute("IndexedPagingOffset", offset + page.Count),
            new XAttribute("TotalItemsInView", all.Count),
            new XAttribute("IncludesLastItemInRange", last ? "true" : "false"),
            new XElement(T + "Items", page.Select(m => MessageElement(m, withMime: false)))));
    }

    private static XElement GetItem(FakeMailbox mailbox, XElement request)
    {
        var withMime = (string?)request.Element(M + "ItemShape")?.Element(T + "IncludeMimeContent") == "true";
        var message = ResolveItem(mailbox, request.Element(M + "ItemIds")!.Element(T + "ItemId")!);
        return Success("GetItem", new XElement(M + "Items", MessageElement(message, withMime)));
    }

    private static XElement CreateItem(FakeMailbox mailbox, XElement request)
    {
        var disposition = (string?)request.Attribute("MessageDisposition") ?? "SaveOnly";
        var mimeText = request.Element(M + "Items")?.Element(T + "Message")?.Element(T + "MimeContent")?.Value
            ?? throw new EwsError("ErrorInvalidRequest", "The fake needs MimeContent.");
        var mime = Convert.FromBase64String(mimeText);
        var saved = request.Element(M + "SavedItemFolderId")?.Elements().FirstOrDefault() is { } target ? ResolveFolder(mailbox, target) : mailbox.FindFolder("drafts", true)!;
        if (disposition is "SendOnly" or "SendAndSaveCopy")
        {
            lock (mailbox.Gate)
            {
                mailbox.Sent.Add(mime);
            }

            if (disposition == "SendAndSaveCopy")
            {
                mailbox.Store(saved.Id, mime, isRead: true);
            }

            return Success("CreateItem", new XElement(M + "Items"));
        }

        var stored = mailbox.Store(saved.Id, mime, isRead: true);
        return Success("CreateItem", new XElement(M + "Items",
            new XElement(T + "Message", new XElement(T + "ItemId", new XAttribute("Id", stored.Id), new XAttribute("ChangeKey", stored.ChangeKey)))));
    }

    private static XElement SendItem(FakeMailbox mailbox, XElement request)
    {
        var idElement = request.Element(M + "ItemIds")!.Element(T + "ItemId")!;
        if (idElement.Attribute("ChangeKey") is null)
        {
            throw new EwsError("ErrorChangeKeyRequiredForWriteOperations", "When making a write operation a change key is required.");
        }

        var message = ResolveItem(mailbox, idElement);
        lock (mailbox.Gate)
        {
            mailbox.Sent.Add(message.Mime);
        }

        if ((string?)request.Attribute("SaveItemToFolder") == "true")
        {
            mailbox.Move(message, mailbox.FindFolder("sentitems", true)!.Id);
        }
        else
        {
            mailbox.Remove(message);
        }

        return Success("SendItem");
    }

    private static XElement MoveItem(FakeMailbox mailbox, XElement request)
    {
        var folder = ResolveFolder(mailbox, request.Element(M + "ToFolderId")!.Elements().First());
        var message = ResolveItem(mailbox, request.Element(M + "ItemIds")!.Element(T + "ItemId")!);
        var moved = mailbox.Move(message, folder.Id);
        return Success("MoveItem", new XElement(M + "Items",
            new XElement(T + "Message", new XElement(T + "ItemId", new XAttribute("Id", moved.Id), new XAttribute("ChangeKey", moved.ChangeKey)))));
    }

    private static XElement DeleteItem(FakeMailbox mailbox, XElement request)
    {
        var message = ResolveItem(mailbox, request.Element(M + "ItemIds")!.Element(T + "ItemId")!);
        switch ((string?)request.Attribute("DeleteType"))
        {
            case "MoveToDeletedItems":
                mailbox.Move(message, mailbox.FindFolder("deleteditems", true)!.Id);
                break;
            case "SoftDelete" or "HardDelete":
                mailbox.Remove(message);
                break;
            default:
                throw new EwsError("ErrorInvalidRequest", "DeleteType is required.");
        }

        return Success("DeleteItem");
    }

    private static XElement SyncFolderItems(FakeMailbox mailbox, XElement request)
    {
        var folder = ResolveFolder(mailbox, request.Element(M + "SyncFolderId")!.Elements().First());
        var max = (int)request.Element(M + "MaxChangesReturned")!;
        var stateText = (string?)request.Element(M + "SyncState");
        long? after = null;
        if (!string.IsNullOrEmpty(stateText))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(stateText));
            }
            catch (FormatException)
            {
                decoded = string.Empty;
            }

            var parts = decoded.Split('|');
            if (parts.Length != 2 || parts[0] != folder.Id || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var seq))
            {
                // Shape of Microsoft's SyncFolderItems error response example.
                return new XElement(M + "SyncFolderItemsResponseMessage", new XAttribute("ResponseClass", "Error"),
                    new XElement(M + "MessageText", "Synchronization state data is corrupt or otherwise invalid."),
                    new XElement(M + "ResponseCode", "ErrorInvalidSyncStateData"),
                    new XElement(M + "DescriptiveLinkKey", 0),
                    new XElement(M + "SyncState"),
                    new XElement(M + "IncludesLastItemInRange", "true"));
            }

            after = seq;
        }

        var (changes, lastSeq, includesLast) = mailbox.ChangesSince(folder.Id, after, max);
        var state = Convert.ToBase64String(Encoding.UTF8.GetBytes(folder.Id + "|" + lastSeq.ToString(CultureInfo.InvariantCulture)));
        var elements = new List<XElement>();
        foreach (var (kind, itemId) in changes)
        {
            var message = mailbox.FindMessage(itemId);
            elements.Add(kind switch
            {
                "Delete" => new XElement(T + "Delete", new XElement(T + "ItemId", new XAttribute("Id", itemId))),
                "ReadFlagChange" => new XElement(T + "ReadFlagChange", new XElement(T + "ItemId", new XAttribute("Id", itemId)), new XElement(T + "IsRead", message?.IsRead == true ? "true" : "false")),
                _ when message is null => new XElement(T + "Delete", new XElement(T + "ItemId", new XAttribute("Id", itemId))),
                _ => new XElement(T + kind, MessageElement(message, withMime: false)),
            });
        }

        return Success("SyncFolderItems",
            new XElement(M + "SyncState", state),
            new XElement(M + "IncludesLastItemInRange", includesLast ? "true" : "false"),
            new XElement(M + "Changes", elements));
    }

    private static FakeFolder ResolveFolder(FakeMailbox mailbox, XElement id)
    {
        if (id.Name == T + "DistinguishedFolderId")
        {
            var explicitMailbox = id.Element(T + "Mailbox")?.Element(T + "EmailAddress")?.Value;
            if (explicitMailbox is not null && !string.Equals(explicitMailbox, mailbox.Address, StringComparison.OrdinalIgnoreCase))
            {
                throw new EwsError("ErrorAccessDenied", "Access is denied. Check credentials and try again.");
            }

            return mailbox.FindFolder((string)id.Attribute("Id")!, wellKnown: true)
                ?? throw new EwsError("ErrorFolderNotFound", "The specified folder could not be found in the store.");
        }

        return mailbox.FindFolder((string)id.Attribute("Id")!, wellKnown: false)
            ?? throw new EwsError("ErrorFolderNotFound", "The specified folder could not be found in the store.");
    }

    private static FakeMessage ResolveItem(FakeMailbox mailbox, XElement id) =>
        mailbox.FindMessage((string)id.Attribute("Id")!)
        ?? throw new EwsError("ErrorItemNotFound", "The specified object was not found in the store., The process failed to get the correct properties.");

    private static XElement MessageElement(FakeMessage message, bool withMime)
    {
        var element = new XElement(T + "Message");
        if (withMime)
        {
            element.Add(new XElement(T + "MimeContent", new XAttribute("CharacterSet", "UTF-8"), Convert.ToBase64String(message.Mime)));
        }

        element.Add(
            new XElement(T + "ItemId", new XAttribute("Id", message.Id), new XAttribute("ChangeKey", message.ChangeKey)),
            new XElement(T + "ItemClass", "IPM.Note"),
            new XElement(T + "Subject", message.Subject),
            new XElement(T + "DateTimeReceived", message.Received.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)),
            new XElement(T + "Size", message.Mime.Length),
            new XElement(T + "HasAttachments", "false"),
            new XElement(T + "From", new XElement(T + "Mailbox", new XElement(T + "Name", message.From), new XElement(T + "EmailAddress", message.From), new XElement(T + "RoutingType", "SMTP"))),
            new XElement(T + "IsRead", message.IsRead ? "true" : "false"));
        if (message.InternetMessageId is not null)
        {
            element.Add(new XElement(T + "InternetMessageId", message.InternetMessageId));
        }

        return element;
    }

    private static XElement Success(string operation, params object[] content) =>
        new(M + (operation + "ResponseMessage"), new XAttribute("ResponseClass", "Success"), new XElement(M + "ResponseCode", "NoError"), content);

    private static XElement Error(string operation, string code, string text) =>
        new(M + (operation + "ResponseMessage"), new XAttribute("ResponseClass", "Error"),
            new XElement(M + "MessageText", text),
            new XElement(M + "ResponseCode", code),
            new XElement(M + "DescriptiveLinkKey", 0));

    private static async Task WriteResponse(LoopbackHttpContext context, string operation, XElement responseMessage, CancellationToken ct)
    {
        // Shape of Exchange's responses: ServerVersionInfo header, {Operation}Response with m: and t: declared.
        var envelope = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement(S + "Envelope", new XAttribute(XNamespace.Xmlns + "s", S),
                new XElement(S + "Header",
                    new XElement(T + "ServerVersionInfo", new XAttribute(XNamespace.Xmlns + "h", T),
                        new XAttribute("MajorVersion", 15), new XAttribute("MinorVersion", 20), new XAttribute("MajorBuildNumber", 8769), new XAttribute("MinorBuildNumber", 21), new XAttribute("Version", "V2018_01_08"))),
                new XElement(S + "Body",
                    new XAttribute(XNamespace.Xmlns + "xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                    new XAttribute(XNamespace.Xmlns + "xsd", "http://www.w3.org/2001/XMLSchema"),
                    new XElement(M + (operation + "Response"), new XAttribute(XNamespace.Xmlns + "m", M), new XAttribute(XNamespace.Xmlns + "t", T),
                        new XElement(M + "ResponseMessages", responseMessage)))));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/xml; charset=utf-8";
        context.Response.Headers["request-id"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(envelope.Declaration + envelope.ToString(SaveOptions.DisableFormatting), ct).ConfigureAwait(false);
    }

    private static async Task WriteFault(LoopbackHttpContext context, string responseCode, string message, long? backOffMilliseconds, CancellationToken ct)
    {
        // Shape of the SOAP faults Exchange returns with HTTP 500 (ErrorServerBusy carries BackOffMilliseconds in MessageXml).
        var detail = new XElement("detail",
            new XElement(E + "ResponseCode", new XAttribute(XNamespace.Xmlns + "e", E), responseCode),
            new XElement(E + "Message", new XAttribute(XNamespace.Xmlns + "e", E), message));
        if (backOffMilliseconds is { } ms)
        {
            detail.Add(new XElement(T + "MessageXml", new XAttribute(XNamespace.Xmlns + "t", T),
                new XElement(T + "Value", new XAttribute("Name", "BackOffMilliseconds"), ms)));
        }

        var envelope = new XElement(S + "Envelope", new XAttribute(XNamespace.Xmlns + "s", S),
            new XElement(S + "Body",
                new XElement(S + "Fault",
                    new XElement("faultcode", new XAttribute(XNamespace.Xmlns + "a", T), "a:" + responseCode),
                    new XElement("faultstring", new XAttribute(XNamespace.Xml + "lang", "en-US"), message),
                    detail)));
        context.Response.StatusCode = 500;
        context.Response.ContentType = "text/xml; charset=utf-8";
        await context.Response.WriteAsync(envelope.ToString(SaveOptions.DisableFormatting), ct).ConfigureAwait(false);
    }

    private static Task Unauthorized(LoopbackHttpContext context, string? diagnostics, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        context.Response.StatusCode = 401;
        context.Response.Headers["WWW-Authenticate"] = "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", error=\"invalid_token\"";
        if (diagnostics is not null)
        {
            context.Response.Headers["x-ms-diagnostics"] = diagnostics;
        }

        return Task.CompletedTask;
    }

    private sealed class EwsError : Exception
    {
        public EwsError(string code, string text)
            : base(text)
        {
            Code = code;
            Text = text;
        }

        public string Code { get; }

        public string Text { get; }
    }
}
