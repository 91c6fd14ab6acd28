namespace ModernAuth.Mail.Relay.Internal;

/// <summary>A spooled message the delivery engine tracks in memory (envelope and state, never the body).</summary>
internal sealed class SpoolItem
{
    public SpoolItem(SpoolEnvelope envelope, SpoolState state)
    {
        Envelope = envelope;
        State = state;
    }

    public SpoolEnvelope Envelope { get; }

    public SpoolState State { get; set; }

    public string Id => Envelope.Id;
}
