namespace ModernAuth.Mail.Relay.Internal;

/// <summary>
/// A message for a Graph route whose headers name recipients its SMTP envelope does not: Graph sends to the headers,
/// so it would deliver to them too. The message says so and what to do.
/// </summary>
internal sealed class GraphEnvelopeException : Exception
{
    public GraphEnvelopeException(IReadOnlyList<string> headerOnly)
        : base($"Microsoft Graph sends to the message's To, Cc and Bcc headers, not to the SMTP envelope, and the headers name {string.Join(", ", headerOnly.Take(10))}{(headerOnly.Count > 10 ? $" and {headerOnly.Count - 10} more" : string.Empty)} that the envelope does not: "
            + "sending it through Graph would deliver to them too (the client split its recipients over several transactions, or left them out on purpose). "
            + "Route this sender through SMTP (Routes:<n>:Upstream Smtp), or have the app send one message whose envelope holds every recipient its headers name.")
    {
        HeaderOnly = headerOnly;
    }

    public IReadOnlyList<string> HeaderOnly { get; }
}
