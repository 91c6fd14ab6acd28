using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>Reads folders and items out of EWS response XML.</summary>
internal static class SoapItemReader
{
    private static readonly XNamespace T = EwsNamespaces.T;

    public static EwsItem ReadItem(XElement element, bool withMime)
    {
        var id = ReadItemId(element.Element(T + "ItemId"))
            ?? throw new FormatException($"The <{element.Name.LocalName}> element has no ItemId.");
        byte[]? mime = null;
        if (withMime)
        {
            var text = SoapResponseReader.Text(element.Element(T + "MimeContent"));
            mime = text is null ? Array.Empty<byte>() : Convert.FromBase64String(text);
        }

        return new EwsItem(id, mime)
        {
            ItemClass = SoapResponseReader.Text(element.Element(T + "ItemClass")),
            Subject = element.Element(T + "Subject")?.Value,
            DateTimeReceived = Date(element.Element(T + "DateTimeReceived")),
            Size = Long(element.Element(T + "Size")),
            HasAttachments = Bool(element.Element(T + "HasAttachments")),
            IsRead = Bool(element.Element(T + "IsRead")),
            InternetMessageId = SoapResponseReader.Text(element.Element(T + "InternetMessageId")),
            From = SoapResponseReader.Text(element.Element(T + "From")?.Element(T + "Mailbox")?.Element(T + "EmailAddress")),
        };
    }

    public static EwsItemId? ReadItemId(XElement? element)
    {
        var id = (string?)element?.Attribute("Id");
        return string.IsNullOrEmpty(id) ? null : new EwsItemId(id!, (string?)element!.Attribute("ChangeKey"));
    }

    /// <summary>The item elements (t:Message, t:Item, t:MeetingRequest, ...) of an Items container: any child with an ItemId.</summary>
    public static IEnumerable<XElement> Items(XElement? container) =>
        container?.Elements().Where(e => e.Name.Namespace == T && e.Element(T + "ItemId") is not null) ?? Enumerable.Empty<XElement>();

    public static EwsFolder ReadFolder(XElement element)
    {
        var idElement = element.Element(T + "FolderId");
        var id = (string?)idElement?.Attribute("Id");
        if (string.IsNullOrEmpty(id))
        {
            throw new FormatException($"The <{element.Name.LocalName}> element has no FolderId.");
        }

        return new EwsFolder(EwsFolderId.FromId(id!, (string?)idElement!.Attribute("ChangeKey")), element.Element(T + "DisplayName")?.Value ?? string.Empty)
        {
            FolderClass = SoapResponseReader.Text(element.Element(T + "FolderClass")),
            TotalCount = Int(element.Element(T + "TotalCount")),
            UnreadCount = Int(element.Element(T + "UnreadCount")),
            ChildFolderCount = Int(element.Element(T + "ChildFolderCount")),
        };
    }

    public static bool? Bool(XElement? element) =>
        SoapResponseReader.Text(element) is { } text ? XmlConvert.ToBoolean(text) : null;

    public static int? Int(XElement? element) =>
        SoapResponseReader.Text(element) is { } text ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    private static long? Long(XElement? element) =>
        SoapResponseReader.Text(element) is { } text ? long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    private static DateTimeOffset? Date(XElement? element) =>
        SoapResponseReader.Text(element) is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;
}
