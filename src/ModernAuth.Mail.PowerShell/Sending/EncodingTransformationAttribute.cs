using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace ModernAuth.Mail.PowerShell.Sending;

/// <summary>
/// Lets -Encoding take what Send-MailMessage takes: an <see cref="Encoding"/>, a name PowerShell 7 knows (utf8, utf8BOM,
/// utf8NoBOM, ascii, unicode, bigendianunicode, utf32, bigendianutf32, utf7, ansi, oem, default), a .NET encoding name
/// (iso-8859-1) or a code page number.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>The names -Encoding completes with.</summary>
    internal static readonly string[] Names = ["ascii", "ansi", "bigendianunicode", "bigendianutf32", "oem", "unicode", "utf7", "utf8", "utf8BOM", "utf8NoBOM", "utf32"];

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case Encoding encoding:
                return encoding;
            case int codePage:
                return Encoding.GetEncoding(codePage);
            case string name:
                switch (name.Trim().ToUpperInvariant())
                {
                    case "ASCII": return Encoding.ASCII;
                    case "BIGENDIANUNICODE": return Encoding.BigEndianUnicode;
                    case "BIGENDIANUTF32": return new UTF32Encoding(bigEndian: true, byteOrderMark: true);
                    case "UNICODE": return Encoding.Unicode;
#pragma warning disable SYSLIB0001 // UTF-7 is obsolete, but Send-MailMessage accepts it, so an old script keeps working.
                    case "UTF7": return Encoding.UTF7;
#pragma warning restore SYSLIB0001
                    case "UTF8" or "UTF8NOBOM" or "DEFAULT": return new UTF8Encoding(false);
                    case "UTF8BOM": return new UTF8Encoding(true);
                    case "UTF32": return Encoding.UTF32;
                    case "ANSI": return CodePage(CultureInfo.CurrentCulture.TextInfo.ANSICodePage);
                    case "OEM": return CodePage(CultureInfo.CurrentCulture.TextInfo.OEMCodePage);
                }

                try
                {
                    return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? Encoding.GetEncoding(number) : Encoding.GetEncoding(name.Trim());
                }
                catch (Exception error) when (error is ArgumentException or NotSupportedException)
                {
                    throw new ArgumentTransformationMetadataException(
                        $"'{name}' is not an encoding. Use one of {string.Join(", ", Names)}, a .NET encoding name such as iso-8859-1, or a code page number.", error);
                }

            default:
                return inputData;
        }
    }

    private static Encoding CodePage(int codePage)
    {
        try
        {
            return Encoding.GetEncoding(codePage);
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException)
        {
            // A code page this runtime does not carry: UTF-8 loses nothing.
            return new UTF8Encoding(false);
        }
    }
}
