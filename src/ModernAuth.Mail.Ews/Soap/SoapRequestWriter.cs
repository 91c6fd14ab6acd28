using System.Text;
using System.Xml;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>Writes EWS SOAP 1.1 request envelopes with <see cref="XmlWriter"/>.</summary>
internal static class SoapRequestWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        CloseOutput = false,
    };

    public static byte[] Build(string requestServerVersion, string? impersonatedMailbox, Action<XmlWriter> writeBody)
    {
        using var stream = new MemoryStream(1024);
        using (var w = XmlWriter.Create(stream, Settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("soap", "Envelope", EwsNamespaces.Soap);
            w.WriteAttributeString("xmlns", "m", null, EwsNamespaces.Messages);
            w.WriteAttributeString("xmlns", "t", null, EwsNamespaces.Types);
            w.WriteStartElement("Header", EwsNamespaces.Soap);
            w.WriteStartElement("RequestServerVersion", EwsNamespaces.Types);
            w.WriteAttributeString("Version", requestServerVersion);
            w.WriteEndElement();
            if (impersonatedMailbox is not null)
            {
                w.WriteStartElement("ExchangeImpersonation", EwsNamespaces.Types);
                w.WriteStartElement("ConnectingSID", EwsNamespaces.Types);
                w.WriteElementString("SmtpAddress", EwsNamespaces.Types, impersonatedMailbox);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteStartElement("Body", EwsNamespaces.Soap);
            writeBody(w);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return stream.ToArray();
    }

    public static void StartM(this XmlWriter w, string name) => w.WriteStartElement(name, EwsNamespaces.Messages);

    public static void StartT(this XmlWriter w, string name) => w.WriteStartElement(name, EwsNamespaces.Types);

    public static void FolderId(this XmlWriter w, EwsFolderId folder, string mailbox)
    {
        if (folder.IsWellKnown)
        {
            // Naming the mailbox makes well-known folders of a shared or delegated mailbox work for delegated tokens too.
            w.StartT("DistinguishedFolderId");
            w.WriteAttributeString("Id", folder.Id);
            w.StartT("Mailbox");
            w.WriteElementString("EmailAddress", EwsNamespaces.Types, mailbox);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        else
        {
            w.StartT("FolderId");
            w.WriteAttributeString("Id", folder.Id);
            if (folder.ChangeKey is not null)
            {
                w.WriteAttributeString("ChangeKey", folder.ChangeKey);
            }

            w.WriteEndElement();
        }
    }

    public static void ItemId(this XmlWriter w, EwsItemId item)
    {
        w.StartT("ItemId");
        w.WriteAttributeString("Id", item.Id);
        if (item.ChangeKey is not null)
        {
            w.WriteAttributeString("ChangeKey", item.ChangeKey);
        }

        w.WriteEndElement();
    }

    public static void ItemSummaryShape(this XmlWriter w, bool includeMimeContent)
    {
        w.StartM("ItemShape");
        w.WriteElementString("BaseShape", EwsNamespaces.Types, "IdOnly");
        if (includeMimeContent)
        {
            w.WriteElementString("IncludeMimeContent", EwsNamespaces.Types, "true");
        }

        w.StartT("AdditionalProperties");
        foreach (var field in SummaryFields)
        {
            w.StartT("FieldURI");
            w.WriteAttributeString("FieldURI", field);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static readonly string[] SummaryFields =
    {
        "item:ItemClass", "item:Subject", "item:DateTimeReceived", "item:Size", "item:HasAttachments",
        "message:From", "message:IsRead", "message:InternetMessageId",
    };
}
