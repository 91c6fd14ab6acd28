using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>Reads EWS SOAP responses with System.Xml and turns every kind of failure into an <see cref="EwsException"/>.</summary>
internal static class SoapResponseReader
{
    private static readonly Regex HtmlTitle = new(@"<title[^>]*>(?<t>[^<]{0,200})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Parses a response body that must be a SOAP envelope; anything else is an <see cref="EwsErrorCodes.InvalidResponse"/>.</summary>
    public static XDocument ParseEnvelope(byte[] body, in ResponseInfo info)
    {
        if (body.Length == 0)
        {
            throw Invalid(info, "an empty body", "Check the EWS URL (it ends in /EWS/Exchange.asmx) and any proxy in between.");
        }

        if (LooksLikeHtml(body, info.MediaType))
        {
            throw Invalid(info, "an HTML page" + Title(body) + " instead of a SOAP response",
                "An HTML page comes from a proxy, a firewall, a sign-in page or a wrong URL, not from EWS: check EwsClientOptions.Endpoint (https://<server>/EWS/Exchange.asmx) and the proxy.");
        }

        XDocument document;
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw Invalid(info, $"malformed XML ({ex.Message})",
                "The response was cut off or is not XML: a proxy that changes bodies, a connection dropped mid-response, or not an EWS endpoint. Retry; if it persists, capture the response (EwsClientOptions.LogSoapBodies) and check the path to the server.", ex);
        }

        var root = document.Root;
        if (root is null || root.Name != EwsNamespaces.S + "Envelope" || root.Element(EwsNamespaces.S + "Body") is null)
        {
            throw Invalid(info, $"XML that is not a SOAP 1.1 envelope (root element <{root?.Name.LocalName}>)",
                "Check that the URL is an EWS endpoint (https://<server>/EWS/Exchange.asmx).");
        }

        return document;
    }

    /// <summary>Reads a SOAP fault, when the body is one.</summary>
    public static EwsException? ReadFault(XDocument document, in ResponseInfo info)
    {
        var fault = document.Root?.Element(EwsNamespaces.S + "Body")?.Element(EwsNamespaces.S + "Fault");
        if (fault is null)
        {
            return null;
        }

        var faultString = Text(fault.Element("faultstring"));
        var detail = fault.Element("detail");
        var responseCode = Text(detail?.Elements().FirstOrDefault(e => e.Name.LocalName == "ResponseCode"));
        if (responseCode is null)
        {
            // faultcode is a QName such as a:ErrorServerBusy; its local part is the EWS code when it is in an EWS namespace.
            var faultCodeElement = fault.Element("faultcode");
            var faultCode = Text(faultCodeElement);
            if (faultCode is not null)
            {
                var colon = faultCode.IndexOf(':');
                var local = colon >= 0 ? faultCode.Substring(colon + 1) : faultCode;
                var prefix = colon >= 0 ? faultCode.Substring(0, colon) : string.Empty;
                var ns = (prefix.Length == 0 ? faultCodeElement!.GetDefaultNamespace() : faultCodeElement!.GetNamespaceOfPrefix(prefix))?.NamespaceName ?? string.Empty;
                responseCode = ns.StartsWith("http://schemas.microsoft.com/exchange/services/2006/", StringComparison.Ordinal) || local.StartsWith("Error", StringComparison.Ordinal)
                    ? local
                    : null;
                faultString ??= faultCode;
            }
        }

        var message = Text(detail?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")) ?? faultString;
        var backOff = BackOff(detail?.Elements().FirstOrDefault(e => e.Name.LocalName == "MessageXml"));
        return FromResponseCode(responseCode, message, backOff, info, fault: true);
    }

    /// <summary>
    /// Finds <c>{operation}ResponseMessage</c> and checks its ResponseClass: Success returns it; Error and Warning throw.
    /// </summary>
    public static XElement GetResponseMessage(XDocument document, string operation, in ResponseInfo info)
    {
        var fault = ReadFault(document, info);
        if (fault is not null)
        {
            throw fault;
        }

        var body = document.Root!.Element(EwsNamespaces.S + "Body")!;
        var message = body.Element(EwsNamespaces.M + (operation + "Response"))?
            .Element(EwsNamespaces.M + "ResponseMessages")?
            .Elements().FirstOrDefault(e => e.Name.Namespace == EwsNamespaces.M);
        if (message is null)
        {
            var found = body.Elements().FirstOrDefault()?.Name.LocalName ?? "nothing";
            throw Invalid(info, $"a SOAP body without a {operation}ResponseMessage (it holds <{found}>)",
                "The server answered another operation or an unexpected schema: check the endpoint and RequestServerVersion.");
        }

        var responseClass = (string?)message.Attribute("ResponseClass");
        var responseCode = Text(message.Element(EwsNamespaces.M + "ResponseCode"));
        if (string.Equals(responseClass, "Success", StringComparison.Ordinal) && (responseCode is null || responseCode == "NoError"))
        {
            return message;
        }

        throw FromResponseCode(
            responseCode ?? "ResponseClass " + (responseClass ?? "missing"),
            Text(message.Element(EwsNamespaces.M + "MessageText")),
            BackOff(message.Element(EwsNamespaces.M + "MessageXml")),
            info,
            fault: false);
    }

    /// <summary>An exception for an HTTP error whose body is not a SOAP fault (or could not be read).</summary>
    public static EwsException FromHttpError(byte[] body, in ResponseInfo info)
    {
        var status = (int)info.StatusCode;
        var what = LooksLikeHtml(body, info.MediaType) ? "an HTML page" + Title(body) : body.Length == 0 ? "an empty body" : "a body that is not a SOAP fault";
        var remedy = info.StatusCode switch
        {
            HttpStatusCode.Forbidden =>
                "EWS refused the caller outright. Check that EWS is on for the mailbox and the organisation (Set-CASMailbox -EwsEnabled $true; Get-OrganizationConfig | fl Ews*) and that an EWS application access policy " +
                "(EwsApplicationAccessPolicy with EwsAllowList / EWSAllowedAppIDs) allows this app. From October 2026 Exchange Online only serves allow-listed apps, and EWS there ends in April 2027: plan the move to Microsoft Graph.",
            HttpStatusCode.NotFound => "Check the EWS URL: it ends in /EWS/Exchange.asmx (EwsClientOptions.Endpoint).",
            HttpStatusCode.MethodNotAllowed => "EWS takes POST requests with a SOAP body at /EWS/Exchange.asmx.",
            _ when status >= 500 => "The server or a proxy in front of it failed. Retry later; if it persists, give the request-id to the server's administrator.",
            _ => "Check the URL, the proxy and the request.",
        };
        return new EwsException(
            EwsErrorCodes.HttpError,
            $"EWS answered HTTP {status} ({info.StatusCode}) with {what}{Suffix(info)}.",
            remedy,
            isRetryable: status >= 500 || info.StatusCode == HttpStatusCode.RequestTimeout)
        {
            StatusCode = info.StatusCode,
            ServerDiagnostics = info.Diagnostics,
            RequestId = info.RequestId,
        };
    }

    public static EwsException FromResponseCode(string? responseCode, string? messageText, TimeSpan? backOff, in ResponseInfo info, bool fault)
    {
        var (meaning, remedy) = EwsResponseCodeCatalog.Describe(responseCode);
        var retryable = EwsResponseCodeCatalog.IsRetryable(responseCode);
        var code = responseCode == "ErrorServerBusy" ? EwsErrorCodes.Throttled : EwsErrorCodes.ResponseError;
        var where = fault ? "a SOAP fault" : "an error response";
        var text = string.IsNullOrWhiteSpace(messageText) ? string.Empty : " \"" + messageText!.Trim() + "\"";
        var wait = backOff is { } b ? $" The server asked to wait {b.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms." : string.Empty;
        return new EwsException(code, $"EWS answered {where} {responseCode ?? "(no ResponseCode)"}{text}: {meaning}{wait}{Suffix(info)}", remedy, retryable)
        {
            ResponseCode = responseCode,
            MessageText = messageText,
            StatusCode = info.StatusCode,
            ServerDiagnostics = info.Diagnostics,
            RequestId = info.RequestId,
            RetryAfter = backOff,
        };
    }

    public static bool LooksLikeHtml(byte[] body, string? mediaType)
    {
        if (mediaType is not null && mediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return true;
        }

        var head = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return head.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<html", StringComparison.OrdinalIgnoreCase);
    }

    public static XmlReaderSettings ReaderSettings { get; } = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    public static string? Text(XElement? element)
    {
        var value = element?.Value;
        return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }

    private static TimeSpan? BackOff(XElement? messageXml)
    {
        var value = messageXml?.Elements()
            .FirstOrDefault(e => e.Name.LocalName == "Value" && string.Equals((string?)e.Attribute("Name"), "BackOffMilliseconds", StringComparison.Ordinal));
        return value is not null && long.TryParse(value.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;
    }

    private static EwsException Invalid(in ResponseInfo info, string what, string remedy, Exception? inner = null) =>
        new(EwsErrorCodes.InvalidResponse, $"EWS answered HTTP {(int)info.StatusCode} with {what}{Suffix(info)}.", remedy, isRetryable: false, inner)
        {
            StatusCode = info.StatusCode,
            ServerDiagnostics = info.Diagnostics,
            RequestId = info.RequestId,
        };

    private static string Title(byte[] body)
    {
        try
        {
            var match = HtmlTitle.Match(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 8192)));
            return match.Success && match.Groups["t"].Value.Trim().Length > 0 ? " titled \"" + match.Groups["t"].Value.Trim() + "\"" : string.Empty;
        }
        catch (RegexMatchTimeoutException)
        {
            return string.Empty;
        }
    }

    private static string Suffix(in ResponseInfo info) =>
        (info.Diagnostics is null ? string.Empty : "; x-ms-diagnostics: " + info.Diagnostics) +
        (info.RequestId is null ? string.Empty : "; request-id: " + info.RequestId);
}
