using System.Net;
using System.Text.RegularExpressions;
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
    private static readonly Regex FormAction = new("<form method=\"POST\" name=\"hiddenform\" action=\"([^\"]*)\">", RegexOptions.CultureInvariant);
    private static readonly Regex HiddenField = new("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\" />", RegexOptions.CultureInvariant);
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
        var (target, fields) = await LoadAsync(authorizeUri, cancellationToken).ConfigureAwait(false);
        if (fields is null)
        {
            return target;
        }

        // A form_post page: hand the fields over as a query, the only shape a custom web UI can return.
        var query = string.Join('&', fields.Select(f => f.Key + "=" + Uri.EscapeDataString(f.Value)));
        return new Uri(target.OriginalString + (target.Query.Length > 0 ? "&" : "?") + query);
    }

    /// <summary>Loads the sign-in page: where it sends the browser, and the fields of a form_post page (<see langword="null"/> for a redirect).</summary>
    private async Task<(Uri Target, List<KeyValuePair<string, string>>? Fields)> LoadAsync(Uri authorizeUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorizeUri);
        Interlocked.Increment(ref _pageCount);
        var page = await _entra.HandleAsync(new EntraHttpRequest("GET", authorizeUri, new Dictionary<string, string>(), null), cancellationToken).ConfigureAwait(false);
        var location = page.Headers.FirstOrDefault(h => string.Equals(h.Key, "Location", StringComparison.OrdinalIgnoreCase)).Value;
        if (page.StatusCode == 302 && location is not null)
        {
            return (new Uri(location), null);
        }

        if (page is { StatusCode: 200, MediaType: "text/html", Json: { } html } && FormAction.Match(html) is { Success: true } action)
        {
            var fields = HiddenField.Matches(html).Select(m => new KeyValuePair<string, string>(m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value))).ToList();
            return (new Uri(WebUtility.HtmlDecode(action.Groups[1].Value)), fields);
        }

        throw new InvalidOperationException($"The sign-in page showed an error instead of redirecting (HTTP {page.StatusCode}): {page.Json}");
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
            var (target, fields) = await LoadAsync(authorizeUri, cancellationToken).ConfigureAwait(false);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    // A form_post page submits itself (POST); a redirect is followed (GET).
                    using var content = fields is null ? null : new FormUrlEncodedContent(fields);
                    using var response = content is null
                        ? await client.GetAsync(target, cancellationToken).ConfigureAwait(false)
                        : await client.PostAsync(target, content, cancellationToken).ConfigureAwait(false);
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
