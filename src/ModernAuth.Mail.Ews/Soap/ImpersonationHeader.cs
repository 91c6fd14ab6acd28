using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace ModernAuth.Mail.Ews.Internal;

/// <summary>Finds or adds the <c>ExchangeImpersonation</c> SOAP header of a request body, with System.Xml.</summary>
internal static class ImpersonationHeader
{
    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        CloseOutput = false,
    };

    // Each thread reuses its own name table: atomizing the same dozen names again on every request is most of a scan's cost.
    [ThreadStatic]
    private static XmlReaderSettings? t_scanSettings;

    private static XmlReaderSettings ScanSettings => t_scanSettings ??= new XmlReaderSettings
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
        NameTable = new NameTable(),
    };

    /// <summary>What <see cref="Find"/> saw.</summary>
    internal enum State
    {
        NotSoap,
        Absent,
        Present,
    }

    /// <summary>
    /// Scans the envelope up to <c>soap:Body</c> with a forward-only reader (cheap: the body is never parsed) for an
    /// <c>ExchangeImpersonation</c> header and returns the address it names.
    /// </summary>
    public static State Find(byte[] body, out string? impersonated)
    {
        impersonated = null;
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = XmlReader.Create(stream, ScanSettings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "Envelope" || reader.NamespaceURI != EwsNamespaces.Soap)
            {
                return State.NotSoap;
            }

            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (reader.NamespaceURI == EwsNamespaces.Soap && reader.LocalName == "Body")
                {
                    return State.Absent;
                }

                if (reader.NamespaceURI == EwsNamespaces.Types && reader.LocalName == "ExchangeImpersonation")
                {
                    // ConnectingSID holds one of SmtpAddress, PrimarySmtpAddress, PrincipalName or SID: take the first text.
                    var depth = reader.Depth;
                    while (reader.Read() && reader.Depth > depth)
                    {
                        if (reader.NodeType == XmlNodeType.Text)
                        {
                            impersonated = reader.Value.Trim();
                            break;
                        }
                    }

                    return State.Present;
                }
            }

            return State.Absent;
        }
        catch (XmlException)
        {
            return State.NotSoap;
        }
    }

    /// <summary>Returns the body with an <c>ExchangeImpersonation</c> header for <paramref name="mailbox"/> added to <c>soap:Header</c> (created when missing).</summary>
    public static byte[] Add(byte[] body, string mailbox)
    {
        XDocument document;
        using (var stream = new MemoryStream(body, writable: false))
        using (var reader = XmlReader.Create(stream, SoapResponseReader.ReaderSettings))
        {
            document = XDocument.Load(reader, LoadOptions.PreserveWhitespace);
        }

        var envelope = document.Root!;
        var header = envelope.Element(EwsNamespaces.S + "Header");
        if (header is null)
        {
            header = new XElement(EwsNamespaces.S + "Header");
            envelope.AddFirst(header);
        }

        var t = EwsNamespaces.T;
        var impersonation = new XElement(t + "ExchangeImpersonation",
            new XElement(t + "ConnectingSID",
                new XElement(t + "SmtpAddress", mailbox)));
        if (header.GetPrefixOfNamespace(t) is null)
        {
            // Declare a prefix on the new element so the output reads like Exchange's own examples (t:...).
            var prefix = header.GetNamespaceOfPrefix("t") is null ? "t" : "ewst";
            impersonation.Add(new XAttribute(XNamespace.Xmlns + prefix, EwsNamespaces.Types));
        }

        header.Add(impersonation);

        using var output = new MemoryStream(body.Length + 256);
        using (var writer = XmlWriter.Create(output, WriterSettings))
        {
            document.Save(writer);
        }

        return output.ToArray();
    }
}
