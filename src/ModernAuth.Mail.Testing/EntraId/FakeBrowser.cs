using ModernAuth.Mail.Testing.Internal;

namespace ModernAuth.Mail.Testing;

/// <summary>
/// A scripted browser for the fake's sign-in page: it loads the authorize URL an app opens (in process, whatever the
/// host), lets the user do what <see cref="FakeEntraId.BrowserOutcome"/> says, and follows the redirect. Plug
/// <see cref="OpenAsync"/> in where an app opens the system browser (the redirect then reaches the app's own loopback
/// listener over HTTP), or <see cref="NavigateAsync"/> where an app takes a custom web UI (it returns the redirect).
/// </summary>
public sealed class FakeBrowser
{
    private readonly FakeEntraId _entra;
    private int _pageCount;
    private int _redirectCount;
    private Exception? _lastError;

    /// <summary>Creates a browser for the sign-in pages of <paramref name="entra"/>.</summary>
    /// <param name="entra">The fake Entra ID whose authorize endpoint the browser loads.</param>
    /// <exception cref="ArgumentNullException"><paramref name="entra"/> is <see langword="null"/>.</exception>
    public FakeBrowser(FakeEntraId entra)
    {
        ArgumentNullException.ThrowIfNull(entra);
        _entra = entra;
    }

    /// <summary>How many sign-in pages were opened.</summary>
    public int PageCount => Volatile.Read(ref _pageCount);

    /// <summary>How many redirects <see cref="OpenAsync"/> delivered to an app's loopback listener.</summary>
    public int RedirectCount => Volatile.Read(ref _redirectCount);

    /// <summary>The last failure of a background <see cref="OpenAsync"/> navigation, or <see langword="null"/>.</summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// The custom web UI shape: loads <paramref name="authorizeUri"/> and returns the address the page redirected to
    /// (the redirect URI with <c>code</c> and <c>state</c>, or <c>error</c>).
    /// </summary>
    /// <param name="authorizeUri">The sign-in page's address, as the app built it.</param>
    /// <param name="redirectUri">The app's redirect URI (informational: the page's redirect carries it).</param>
    /// <param name="cancellationToken">Cancels the wait (for <see cref="FakeBrowserOutcome.NeverAnswer"/>, the only way out).</param>
    /// <returns>The address the page redirected to.</returns>
    /// <exception cref="InvalidOperationException">The page showed an error instead of redirecting (unknown client, bad redirect URI).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<Uri> NavigateAsync(Uri authorizeUri, Uri? redirectUri = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authorizeUri);
        Interlocked.Increment(ref _pageCount);
        var page = await _entra.HandleAsync(new EntraHttpRequest("GET", authorizeUri, new Dictionary<string, string>(), null), cancellationToken).ConfigureAwait(false);
        var location = page.Headers.FirstOrDefault(h => string.Equals(h.Key, "Location", StringComparison.OrdinalIgnoreCase)).Value;
        if (page.StatusCode != 302 || location is null)
        {
            throw new InvalidOperationException($"The sign-in page showed an error instead of redirecting (HTTP {page.StatusCode}): {page.Json}");
        }

        return new Uri(location);
    }

    /// <summary>
    /// The system browser shape: returns at once, like starting a browser process, then in the background loads
    /// <paramref name="authorizeUri"/> and delivers the redirect to the app's loopback listener (retrying briefly while
    /// the listener starts). A failure is kept in <see cref="LastError"/>.
    /// </summary>
    /// <param name="authorizeUri">The sign-in page's address, as the app built it.</param>
    /// <param name="cancellationToken">Ends the background navigation (a page that never answers waits for it).</param>
    /// <returns>A completed task.</returns>
    public Task OpenAsync(Uri authorizeUri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(authorizeUri);
        _ = Task.Run(() => DeliverAsync(authorizeUri, cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task DeliverAsync(Uri authorizeUri, CancellationToken cancellationToken)
    {
        try
        {
            var target = await NavigateAsync(authorizeUri, null, cancellationToken).ConfigureAwait(false);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var response = await client.GetAsync(target, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _redirectCount);
                    return;
                }
                catch (HttpRequestException) when (attempt < 100)
                {
                    // The app starts its listener after the browser was opened: try again shortly.
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception error)
        {
            Volatile.Write(ref _lastError, error);
        }
    }
}
