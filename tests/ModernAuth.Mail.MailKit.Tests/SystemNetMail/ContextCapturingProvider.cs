namespace ModernAuth.Mail.MailKit.Tests.SystemNetMail;

/// <summary>
/// A provider written the way app code often is: it awaits without <c>ConfigureAwait(false)</c>, so under a
/// single-threaded context its continuation needs that context's thread. It records the thread it resumed on.
/// </summary>
public sealed class ContextCapturingProvider : MailTokenProvider
{
    private readonly MailTokenProvider _inner;

    public ContextCapturingProvider(MailTokenProvider inner) => _inner = inner;

    public override bool IsAppOnly => _inner.IsAppOnly;

    public override MailCloud Cloud => _inner.Cloud;

    public SynchronizationContext? SeenContext { get; private set; }

    public override async ValueTask<MailAccessToken> GetTokenAsync(MailTokenRequest request, CancellationToken cancellationToken = default)
    {
        SeenContext = SynchronizationContext.Current;
        await Task.Yield();
        return await _inner.GetTokenAsync(request, cancellationToken);
    }
}
