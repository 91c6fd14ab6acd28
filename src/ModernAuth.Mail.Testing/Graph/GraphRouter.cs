using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace ModernAuth.Mail.Testing;

/// <summary>The fake Graph's endpoints: a function from a parsed request to a response, with no hosting in it.</summary>
internal sealed class GraphRouter
{
    private const string ReadPermission = "read";
    private const string WritePermission = "write";
    private const string SendPermission = "send";

    // Mail on the wire and in Exchange uses CRLF, whatever the platform.
    private static readonly FormatOptions WireFormat = CreateWireFormat();

    private readonly FakeGraph _graph;
    private readonly ConcurrentDictionary<string, List<MimePart>> _pendingAttachments = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UploadSession> _uploads = new(StringComparer.Ordinal);

    public GraphRouter(FakeGraph graph) => _graph = graph;

    public static bool IsUpload(GraphHttpRequest request) => request.Url.AbsolutePath.StartsWith("/attachmentSessions/", StringComparison.Ordinal);

    public static GraphHttpResponse Error(int status, string code, string message, params (string Name, string Value)[] headers)
    {
        var requestId = Guid.NewGuid().ToString();
        var json = Json(w =>
        {
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteStartObject("innerError");
            w.WriteString("date", TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            w.WriteString("request-id", requestId);
            w.WriteString("client-request-id", requestId);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        var all = headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).Append(new("request-id", requestId)).ToList();
        return new GraphHttpResponse(status, "application/json", json, all) { ErrorCode = code };
    }

    public async Task<GraphHttpResponse> RouteAsync(GraphHttpRequest request, CancellationToken cancellationToken)
    {
        if (IsUpload(request))
        {
            return Upload(request);
        }

        if (request.Body.Length > FakeGraph.MaxRequestBytes)
        {
            return Error(413, "RequestEntityTooLarge", "The request exceeds the maximum supported size of 4194304 bytes.");
        }

        var segments = request.Url.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length < 2 || segments[0] != "v1.0")
        {
            return Error(400, "BadRequest", "Invalid version: " + (segments.Length > 0 ? segments[0] : string.Empty));
        }

        var (caller, unauthorized) = await _graph.AuthenticateAsync(request.Header("Authorization")).ConfigureAwait(false);
        if (caller is null)
        {
            return unauthorized!;
        }

        // /me/... or /users/{id}/...
        string address;
        int rest;
        if (segments[1] == "me")
        {
            if (caller.AppOnly || caller.User is null)
            {
                return Error(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
            }

            address = caller.User;
            rest = 2;
        }
        else if (segments[1] == "users" && segments.Length >= 3)
        {
            address = segments[2];
            rest = 3;
        }
        else
        {
            return Error(400, "BadRequest", "Resource not found for the segment '" + segments[1] + "'.");
        }

        var mailbox = _graph.FindMailbox(address);
        var wrongTenant = caller.AppOnly
            ? !string.Equals(caller.TenantId, _graph.TenantId, StringComparison.OrdinalIgnoreCase) || (mailbox is not null && _graph.IsPersonal(address))
            : mailbox is not null && _graph.IsPersonal(address) != string.Equals(caller.TenantId, FakeEntraId.ConsumersTenantId, StringComparison.OrdinalIgnoreCase);
        if (mailbox is null || wrongTenant)
        {
            return Error(404, "ErrorInvalidUser", "The requested user '" + address + "' is invalid.");
        }

        if (!caller.AppOnly && !string.Equals(caller.User, mailbox.Address, StringComparison.OrdinalIgnoreCase))
        {
            return Error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        }

        if (caller.AppOnly && _graph.IsBlockedByPolicy(caller.AppId, mailbox.Address))
        {
            return Error(403, "ErrorAccessDenied", "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.");
        }

        if (_graph.IsRestDisabled(mailbox.Address))
        {
            return Error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
        }

        var key = caller.AppId + "|" + mailbox.Address;
        if (!_graph.TryEnter(key))
        {
            return Error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", ("Retry-After", _graph.ConcurrencyRetryAfterSeconds.ToString(CultureInfo.InvariantCulture)));
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Dispatch(request, caller, mailbox, segments.Skip(rest).ToArray());
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ParseException or InvalidOperationException or KeyNotFoundException)
        {
            return Error(400, "ErrorInvalidRequest", "The request could not be read: " + ex.GetType().Name + ".");
        }
        finally
        {
            _graph.Leave(key);
        }
    }

    private GraphHttpResponse Dispatch(GraphHttpRequest request, GraphCaller caller, FakeMailbox mailbox, string[] path)
    {
        var method = request.Method.ToUpperInvariant();
        var route = string.Join("/", path.Select((p, i) => IsIdPosition(path, i) ? "{id}" : p));
        var required = (method, route) switch
        {
            ("GET", _) => ReadPermission,
            ("POST", "sendMail") or ("POST", "messages/{id}/send") => SendPermission,
            _ => WritePermission,
        };
        var allowed = required switch
        {
            ReadPermission => caller.Has("Mail.Read", "Mail.ReadWrite"),
            SendPermission => caller.Has("Mail.Send"),
            _ => caller.Has("Mail.ReadWrite"),
        };
        if (!allowed)
        {
            return Error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        }

        switch (method, route)
        {
            case ("GET", "mailFolders/{id}"):
                return Folder(mailbox, path[1]);
            case ("GET", "mailFolders/{id}/messages"):
                return List(request, mailbox, path[1]);
            case ("GET", "mailFolders/{id}/messages/delta") or ("GET", "mailFolders/{id}/messages/delta()"):
                return Delta(request, mailbox, path[1]);
            case ("POST", "mailFolders/{id}/messages"):
                return CreateDraft(request, mailbox, path[1]);
            case ("POST", "messages"):
                return CreateDraft(request, mailbox, "drafts");
            case ("GET", "messages/{id}"):
                return WithMessage(mailbox, path[1], m => Ok(200, w => WriteMessage(w, mailbox, m)));
            case ("GET", "messages/{id}/$value"):
                return WithMessage(mailbox, path[1], m => new GraphHttpResponse(200, "text/plain", m.Mime));
            case ("PATCH", "messages/{id}"):
                return WithMessage(mailbox, path[1], m =>
                {
                    using var doc = JsonDocument.Parse(request.Body);
                    if (doc.RootElement.TryGetProperty("isRead", out var isRead))
                    {
                        mailbox.MarkRead(m, isRead.GetBoolean());
                    }

                    return Ok(200, w => WriteMessage(w, mailbox, m));
                });
            case ("DELETE", "messages/{id}"):
                return WithMessage(mailbox, path[1], m =>
                {
                    var deleted = mailbox.FindFolder("deleteditems", wellKnown: true)!;
                    if (m.FolderId == deleted.Id)
                    {
                        mailbox.Remove(m);
                    }
                    else
                    {
                        mailbox.Move(m, deleted.Id);
                    }

                    return new GraphHttpResponse(204);
                });
            case ("POST", "messages/{id}/permanentDelete"):
                return WithMessage(mailbox, path[1], m =>
                {
                    mailbox.Remove(m);
                    return new GraphHttpResponse(204);
                });
            case ("POST", "messages/{id}/move"):
                return WithMessage(mailbox, path[1], m =>
                {
                    using var doc = JsonDocument.Parse(request.Body);
                    var destination = ResolveFolder(mailbox, Prop(doc.RootElement, "destinationId").GetString() ?? string.Empty);
                    if (destination is null)
                    {
                        return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
                    }

                    var moved = mailbox.Move(m, destination.Id);
                    MovePending(m.Id, moved.Id);
                    return Ok(201, w => WriteMessage(w, mailbox, moved));
                });
            case ("POST", "messages/{id}/attachments"):
                return WithMessage(mailbox, path[1], m =>
                {
                    using var doc = JsonDocument.Parse(request.Body);
                    var root = doc.RootElement;
                    var name = Prop(root, "name").GetString() ?? "attachment";
                    var bytes = Convert.FromBase64String(Prop(root, "contentBytes").GetString() ?? string.Empty);
                    var contentType = root.TryGetProperty("contentType", out var ct) ? ct.GetString() : null;
                    AddPending(m.Id, name, contentType, bytes);
                    return Ok(201, w =>
                    {
                        w.WriteString("@odata.type", "#microsoft.graph.fileAttachment");
                        w.WriteString("id", Guid.NewGuid().ToString("N"));
                        w.WriteString("name", name);
                        w.WriteNumber("size", bytes.Length);
                    });
                });
            case ("POST", "messages/{id}/attachments/createUploadSession"):
                return WithMessage(mailbox, path[1], m =>
                {
                    using var doc = JsonDocument.Parse(request.Body);
                    var item = Prop(doc.RootElement, "attachmentItem");
                    var size = Prop(item, "size").GetInt64();
                    if (size > 150L * 1024 * 1024)
                    {
                        return Error(400, "ErrorAttachmentSizeLimitExceeded", "The attachment exceeds the maximum supported size of 150 MB.");
                    }

                    var session = new UploadSession(m.Id, Prop(item, "name").GetString() ?? "attachment", item.TryGetProperty("contentType", out var ct) ? ct.GetString() : null, size);
                    var id = Guid.NewGuid().ToString("N");
                    _uploads[id] = session;
                    var root = request.Url.GetLeftPart(UriPartial.Authority);
                    return Ok(201, w =>
                    {
                        w.WriteString("uploadUrl", root + "/attachmentSessions/" + id + "?authtoken=" + Guid.NewGuid().ToString("N"));
                        w.WriteString("expirationDateTime", TimeProvider.System.GetUtcNow().AddHours(1).ToString("o", CultureInfo.InvariantCulture));
                        w.WriteStartArray("nextExpectedRanges");
                        w.WriteStringValue("0-");
                        w.WriteEndArray();
                    });
                });
            case ("POST", "messages/{id}/send"):
                return WithMessage(mailbox, path[1], m =>
                {
                    var message = MimeMessage.Load(new MemoryStream(m.Mime));
                    if (_pendingAttachments.TryRemove(m.Id, out var parts))
                    {
                        var mixed = new Multipart("mixed");
                        if (message.Body is { } body)
                        {
                            mixed.Add(body);
                        }

                        foreach (var part in parts)
                        {
                            mixed.Add(part);
                        }

                        message.Body = mixed;
                    }

                    mailbox.Remove(m);
                    return Deliver(mailbox, message, saveCopy: true);
                });
            case ("POST", "sendMail"):
                return SendMail(request, mailbox);
            default:
                return Error(400, "BadRequest", "Resource not found for the segment '" + string.Join("/", path) + "'.");
        }
    }

    /// <summary>A JSON property by name, ignoring case as Graph does (the SDK writes <c>DestinationId</c>, the docs <c>destinationId</c>).</summary>
    private static JsonElement Prop(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        throw new KeyNotFoundException("The request has no '" + name + "'.");
    }

    private static bool IsIdPosition(string[] path, int index) => index == 1 && (path[0] is "mailFolders" or "messages");

    private GraphHttpResponse SendMail(GraphHttpRequest request, FakeMailbox mailbox)
    {
        MimeMessage message;
        var saveCopy = true;
        if (IsTextPlain(request))
        {
            if (!TryDecodeMime(request.Body, out var mime))
            {
                return Error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
            }

            message = MimeMessage.Load(new MemoryStream(mime));
        }
        else
        {
            using var doc = JsonDocument.Parse(request.Body);
            var root = doc.RootElement;
            message = FromJson(root.GetProperty("message"), mailbox.Address);
            saveCopy = !root.TryGetProperty("saveToSentItems", out var save) || save.ValueKind != JsonValueKind.False;
        }

        if (!message.To.Mailboxes.Any() && !message.Cc.Mailboxes.Any() && !message.Bcc.Mailboxes.Any())
        {
            return Error(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent because it contains no recipients.");
        }

        return Deliver(mailbox, message, saveCopy);
    }

    private GraphHttpResponse Deliver(FakeMailbox sender, MimeMessage message, bool saveCopy)
    {
        if (message.From.Count == 0)
        {
            message.From.Add(MailboxAddress.Parse(sender.Address));
        }

        if (string.IsNullOrEmpty(message.MessageId))
        {
            message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("fake-graph.test");
        }

        var bytes = ToBytes(message);
        lock (sender.Gate)
        {
            sender.Sent.Add(bytes);
        }

        if (saveCopy)
        {
            Store(sender, "sentitems", message, bytes, isRead: true);
        }

        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).ToList();
        if (message.Headers.Contains(HeaderId.Bcc))
        {
            // As Exchange does: Bcc recipients get the message, and nobody's copy but the sender's shows them.
            message.Headers.RemoveAll(HeaderId.Bcc);
            bytes = ToBytes(message);
        }

        foreach (var recipient in recipients)
        {
            if (_graph.FindMailbox(recipient.Address) is { } target)
            {
                Store(target, "inbox", message, bytes, isRead: false);
            }
        }

        return new GraphHttpResponse(202);
    }

    private static FakeMessage Store(FakeMailbox mailbox, string folder, MimeMessage message, byte[] bytes, bool isRead)
    {
        var folderId = mailbox.FindFolder(folder, wellKnown: true)?.Id ?? folder;
        var stored = mailbox.Store(folderId, bytes, message.Subject ?? string.Empty, message.From.Mailboxes.FirstOrDefault()?.Address ?? mailbox.Address, isRead);
        stored.InternetMessageId = message.MessageId is { Length: > 0 } id ? "<" + id + ">" : null;
        return stored;
    }

    private GraphHttpResponse CreateDraft(GraphHttpRequest request, FakeMailbox mailbox, string folder)
    {
        var target = ResolveFolder(mailbox, folder);
        if (target is null)
        {
            return Error(404, "ErrorFolderNotFound", "The specified folder could not be found in the store.");
        }

        MimeMessage message;
        if (IsTextPlain(request))
        {
            if (!TryDecodeMime(request.Body, out var mime))
            {
                return Error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
            }

            message = MimeMessage.Load(new MemoryStream(mime));
        }
        else
        {
            using var doc = JsonDocument.Parse(request.Body);
            message = FromJson(doc.RootElement, mailbox.Address);
        }

        var stored = Store(mailbox, target.Id, message, ToBytes(message), isRead: true);
        return Ok(201, w => WriteMessage(w, mailbox, stored));
    }

    private GraphHttpResponse Upload(GraphHttpRequest request)
    {
        var id = request.Url.AbsolutePath["/attachmentSessions/".Length..];
        if (!_uploads.TryGetValue(id, out var session))
        {
            return Error(404, "ErrorItemNotFound", "The upload session was not found.");
        }

        if (request.Header("Authorization") is not null)
        {
            // Outlook's upload URL carries its own token: an Authorization header makes the PUT fail.
            return Error(401, "InvalidAuthenticationToken", "The upload URL is pre-authenticated: send no Authorization header.");
        }

        if (request.Method == "DELETE")
        {
            _uploads.TryRemove(id, out _);
            return new GraphHttpResponse(204);
        }

        if (request.Method == "GET")
        {
            return Ok(200, w => WriteSessionStatus(w, session));
        }

        var range = request.Header("Content-Range") ?? string.Empty;
        var parts = range.Replace("bytes ", string.Empty, StringComparison.Ordinal).Split('-', '/');
        if (request.Method != "PUT" || parts.Length != 3 || !long.TryParse(parts[0], out var start) || !long.TryParse(parts[1], out var end) ||
            !long.TryParse(parts[2], out var total) || total != session.Size || start != session.Received || end - start + 1 != request.Body.Length)
        {
            return Error(416, "InvalidRange", "The Content-Range header is not the next expected range (" + session.Received.ToString(CultureInfo.InvariantCulture) + "-).");
        }

        if (request.Body.Length > FakeGraph.MaxRequestBytes)
        {
            return Error(413, "RequestEntityTooLarge", "A slice may not exceed 4 MB.");
        }

        session.Content.Write(request.Body);
        if (session.Received < session.Size)
        {
            return Ok(200, w => WriteSessionStatus(w, session));
        }

        _uploads.TryRemove(id, out _);
        AddPending(session.MessageId, session.Name, session.ContentType, session.Content.ToArray());
        return new GraphHttpResponse(201, null, null, [new("Location", request.Url.GetLeftPart(UriPartial.Authority) + "/v1.0/attachments/" + id)]);
    }

    private GraphHttpResponse Folder(FakeMailbox mailbox, string idOrName)
    {
        var folder = ResolveFolder(mailbox, idOrName);
        if (folder is null)
        {
            return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        }

        var messages = mailbox.MessagesIn(folder.Id);
        return Ok(200, w =>
        {
            w.WriteString("id", GraphId(folder.Id));
            w.WriteString("displayName", folder.DisplayName);
            w.WriteNumber("childFolderCount", 0);
            w.WriteNumber("unreadItemCount", messages.Count(m => !m.IsRead));
            w.WriteNumber("totalItemCount", messages.Count);
            w.WriteBoolean("isHidden", false);
        });
    }

    private GraphHttpResponse List(GraphHttpRequest request, FakeMailbox mailbox, string idOrName)
    {
        var folder = ResolveFolder(mailbox, idOrName);
        if (folder is null)
        {
            return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        }

        var query = Query(request.Url);
        var top = int.TryParse(query.GetValueOrDefault("$top"), out var t) ? t : 10;
        var skip = int.TryParse(query.GetValueOrDefault("$skip"), out var s) ? s : 0;
        if (top is < 1 or > 1000)
        {
            return Error(400, "ErrorInvalidRequest", "The value of $top must be between 1 and 1000.");
        }

        var all = mailbox.MessagesIn(folder.Id);
        var page = all.Skip(skip).Take(top).ToList();
        return Ok(200, w =>
        {
            if (string.Equals(query.GetValueOrDefault("$count"), "true", StringComparison.OrdinalIgnoreCase))
            {
                w.WriteNumber("@odata.count", all.Count);
            }

            w.WriteStartArray("value");
            foreach (var message in page)
            {
                w.WriteStartObject();
                WriteMessage(w, mailbox, message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (skip + page.Count < all.Count)
            {
                var next = new UriBuilder(request.Url) { Query = "$top=" + top.ToString(CultureInfo.InvariantCulture) + "&$skip=" + (skip + page.Count).ToString(CultureInfo.InvariantCulture) + (query.ContainsKey("$count") ? "&$count=true" : string.Empty) };
                w.WriteString("@odata.nextLink", next.Uri.AbsoluteUri);
            }
        });
    }

    private GraphHttpResponse Delta(GraphHttpRequest request, FakeMailbox mailbox, string idOrName)
    {
        var folder = ResolveFolder(mailbox, idOrName);
        if (folder is null)
        {
            return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        }

        var query = Query(request.Url);
        var pageSize = 100;
        if (request.Header("Prefer") is { } prefer && prefer.Contains("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase))
        {
            _ = int.TryParse(prefer[(prefer.IndexOf("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase) + 18)..].Split(',', ';')[0].Trim(), out pageSize);
        }

        pageSize = Math.Clamp(pageSize, 1, 1000);
        var baseUrl = request.Url.GetLeftPart(UriPartial.Path);
        List<(string Kind, string ItemId)> changes;
        long state;
        bool last;
        string? skipToken = null;
        if (query.GetValueOrDefault("$skiptoken") is { } token && token.StartsWith('i'))
        {
            // Paging through the first, full sync: "i{state}:{offset}".
            var pieces = token[1..].Split(':');
            state = long.Parse(pieces[0], CultureInfo.InvariantCulture);
            var offset = int.Parse(pieces[1], CultureInfo.InvariantCulture);
            var (all, _, _) = mailbox.ChangesSince(folder.Id, null, int.MaxValue);
            changes = all.Skip(offset).Take(pageSize).ToList();
            last = offset + changes.Count >= all.Count;
            skipToken = last ? null : "i" + state.ToString(CultureInfo.InvariantCulture) + ":" + (offset + changes.Count).ToString(CultureInfo.InvariantCulture);
        }
        else if ((query.GetValueOrDefault("$deltatoken") ?? query.GetValueOrDefault("$skiptoken")) is { } since)
        {
            if (!since.StartsWith('d') || !long.TryParse(since[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            {
                return Error(410, "SyncStateNotFound", "The sync state generation is not valid: resyncRequired.");
            }

            (changes, state, last) = mailbox.ChangesSince(folder.Id, after, pageSize);
            skipToken = last ? null : "d" + state.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            var (all, current, _) = mailbox.ChangesSince(folder.Id, null, int.MaxValue);
            state = current;
            changes = all.Take(pageSize).ToList();
            last = changes.Count >= all.Count;
            skipToken = last ? null : "i" + state.ToString(CultureInfo.InvariantCulture) + ":" + changes.Count.ToString(CultureInfo.InvariantCulture);
        }

        return Ok(200, w =>
        {
            w.WriteStartArray("value");
            foreach (var (kind, itemId) in changes.DistinctBy(c => c.ItemId))
            {
                var message = kind == "Delete" ? null : mailbox.FindMessage(itemId);
                w.WriteStartObject();
                if (message is null || message.FolderId != folder.Id)
                {
                    w.WriteString("id", GraphId(itemId));
                    w.WriteStartObject("@removed");
                    w.WriteString("reason", "deleted");
                    w.WriteEndObject();
                }
                else
                {
                    WriteMessage(w, mailbox, message);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (skipToken is not null)
            {
                w.WriteString("@odata.nextLink", baseUrl + "?$skiptoken=" + Uri.EscapeDataString(skipToken));
            }
            else
            {
                w.WriteString("@odata.deltaLink", baseUrl + "?$deltatoken=" + Uri.EscapeDataString("d" + state.ToString(CultureInfo.InvariantCulture)));
            }
        });
    }

    private GraphHttpResponse WithMessage(FakeMailbox mailbox, string id, Func<FakeMessage, GraphHttpResponse> action)
    {
        var message = mailbox.FindMessage(FakeId(id));
        return message is null ? Error(404, "ErrorItemNotFound", "The specified object was not found in the store.") : action(message);
    }

    private void WriteMessage(Utf8JsonWriter w, FakeMailbox mailbox, FakeMessage message)
    {
        MimeMessage? mime = null;
        try
        {
            mime = MimeMessage.Load(new MemoryStream(message.Mime));
        }
        catch (FormatException)
        {
        }

        var drafts = mailbox.FindFolder("drafts", wellKnown: true)!;
        var pending = _pendingAttachments.TryGetValue(message.Id, out var list) && list.Count > 0;
        w.WriteString("@odata.etag", "W/\"" + message.ChangeKey + "\"");
        w.WriteString("id", GraphId(message.Id));
        w.WriteString("changeKey", message.ChangeKey);
        w.WriteString("receivedDateTime", message.Received.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteBoolean("hasAttachments", pending || (mime?.Attachments.Any() ?? false));
        w.WriteString("internetMessageId", message.InternetMessageId ?? mime?.MessageId);
        w.WriteString("subject", message.Subject);
        w.WriteString("parentFolderId", GraphId(message.FolderId));
        w.WriteBoolean("isRead", message.IsRead);
        w.WriteBoolean("isDraft", message.FolderId == drafts.Id);
        var from = mime?.From.Mailboxes.FirstOrDefault();
        w.WriteStartObject("from");
        w.WriteStartObject("emailAddress");
        w.WriteString("name", from?.Name ?? message.From);
        w.WriteString("address", from?.Address ?? message.From);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("toRecipients");
        foreach (var to in mime?.To.Mailboxes ?? [])
        {
            w.WriteStartObject();
            w.WriteStartObject("emailAddress");
            w.WriteString("name", to.Name);
            w.WriteString("address", to.Address);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteSessionStatus(Utf8JsonWriter w, UploadSession session)
    {
        w.WriteString("expirationDateTime", TimeProvider.System.GetUtcNow().AddHours(1).ToString("o", CultureInfo.InvariantCulture));
        w.WriteStartArray("nextExpectedRanges");
        w.WriteStringValue(session.Received.ToString(CultureInfo.InvariantCulture) + "-");
        w.WriteEndArray();
    }

    private static MimeMessage FromJson(JsonElement message, string sender)
    {
        var result = new MimeMessage();
        result.From.Add(MailboxAddress.Parse(sender));
        result.Subject = message.TryGetProperty("subject", out var subject) ? subject.GetString() ?? string.Empty : string.Empty;
        foreach (var (name, list) in new[] { ("toRecipients", result.To), ("ccRecipients", result.Cc), ("bccRecipients", result.Bcc) })
        {
            if (message.TryGetProperty(name, out var recipients))
            {
                foreach (var recipient in recipients.EnumerateArray())
                {
                    list.Add(MailboxAddress.Parse(recipient.GetProperty("emailAddress").GetProperty("address").GetString()!));
                }
            }
        }

        var builder = new BodyBuilder();
        if (message.TryGetProperty("body", out var body))
        {
            var html = body.TryGetProperty("contentType", out var type) && string.Equals(type.GetString(), "html", StringComparison.OrdinalIgnoreCase);
            var content = body.TryGetProperty("content", out var c) ? c.GetString() ?? string.Empty : string.Empty;
            if (html)
            {
                builder.HtmlBody = content;
            }
            else
            {
                builder.TextBody = content;
            }
        }

        if (message.TryGetProperty("attachments", out var attachments))
        {
            foreach (var attachment in attachments.EnumerateArray())
            {
                builder.Attachments.Add(attachment.GetProperty("name").GetString() ?? "attachment", Convert.FromBase64String(attachment.GetProperty("contentBytes").GetString() ?? string.Empty));
            }
        }

        result.Body = builder.ToMessageBody();
        return result;
    }

    private void AddPending(string messageId, string name, string? contentType, byte[] bytes)
    {
        var part = new MimePart(ContentType.TryParse(contentType ?? "application/octet-stream", out var type) ? type : new ContentType("application", "octet-stream"))
        {
            Content = new MimeContent(new MemoryStream(bytes)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = name,
        };
        var list = _pendingAttachments.GetOrAdd(messageId, _ => []);
        lock (list)
        {
            list.Add(part);
        }
    }

    private void MovePending(string from, string to)
    {
        if (_pendingAttachments.TryRemove(from, out var list))
        {
            _pendingAttachments[to] = list;
        }
    }

    private static FakeFolder? ResolveFolder(FakeMailbox mailbox, string idOrName) =>
        mailbox.FindFolder(idOrName, wellKnown: true) ?? mailbox.FindFolder(FakeId(idOrName), wellKnown: false);

    private static bool IsTextPlain(GraphHttpRequest request) =>
        request.Header("Content-Type") is { } type && type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);

    private static bool TryDecodeMime(byte[] body, out byte[] mime)
    {
        try
        {
            mime = Convert.FromBase64String(Encoding.ASCII.GetString(body).Trim());
            return mime.Length > 0;
        }
        catch (FormatException)
        {
            mime = [];
            return false;
        }
    }

    private static byte[] ToBytes(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(WireFormat, stream);
        return stream.ToArray();
    }

    private static FormatOptions CreateWireFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }

    /// <summary>Graph's ids are URL-safe; the fake mailbox's are plain base64.</summary>
    private static string GraphId(string id) => id.Replace('+', '-').Replace('/', '_');

    private static string FakeId(string id) => id.Replace('-', '+').Replace('_', '/');

    private static Dictionary<string, string> Query(Uri url)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            result[Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq])] = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
        }

        return result;
    }

    private static GraphHttpResponse Ok(int status, Action<Utf8JsonWriter> write) => new(status, "application/json", Json(write));

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private sealed class UploadSession
    {
        public UploadSession(string messageId, string name, string? contentType, long size)
        {
            MessageId = messageId;
            Name = name;
            ContentType = contentType;
            Size = size;
        }

        public string MessageId { get; }

        public string Name { get; }

        public string? ContentType { get; }

        public long Size { get; }

        public MemoryStream Content { get; } = new();

        public long Received => Content.Length;
    }
}
