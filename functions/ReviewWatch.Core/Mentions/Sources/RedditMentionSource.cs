using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Options;

namespace ReviewWatch.Mentions.Sources;

/// <summary>
/// Reddit's app-only OAuth token (client credentials, HTTP basic auth to the token URL), cached until shortly
/// before it expires.
/// </summary>
public sealed class RedditTokenProvider(IHttpClientFactory factory, IOptions<MentionsOptions> options, TimeProvider time) : IDisposable
{
    public const string HttpClientName = "reddit-token";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expires;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        var o = options.Value.Reddit;
        if (!o.IsConfigured)
        {
            throw new MentionSourceException("reddit", 0, "reddit: Mentions__Reddit__ClientId and ClientSecret are not set");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is not null && time.GetUtcNow() < _expires)
            {
                return _token;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, o.TokenUrl)
            {
                Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.ClientId}:{o.ClientSecret}")));
            request.Headers.TryAddWithoutValidation("User-Agent", o.UserAgent);
            using var response = await factory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new MentionSourceException("reddit", (int)response.StatusCode, $"reddit: the token URL answered {(int)response.StatusCode}");
            }

            var token = await response.Content.ReadFromJsonAsync(RedditJsonContext.Default.RedditToken, cancellationToken);
            _token = token?.AccessToken ?? throw new MentionSourceException("reddit", 200, "reddit: the token response had no access_token");
            _expires = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(60, token.ExpiresIn) - 60);
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _token = null;

    public void Dispose() => _gate.Dispose();
}

/// <summary>
/// Reddit search, newest first (<c>GET /search?q=…&amp;sort=new&amp;limit=100&amp;after=…</c>), paged by <c>after</c>
/// down to the cursor (the newest <c>created_utc</c> already stored). A link post's identity is the page it links
/// to, so the same article found in a feed is one mention.
/// </summary>
public sealed class RedditMentionSource(HttpClient http, RedditTokenProvider tokens, IOptions<MentionsOptions> options, TimeProvider time) : IMentionSource
{
    public string Name => "reddit";

    public IReadOnlyList<MentionScope> ScopesFor(MentionConfig config)
    {
        var terms = config.SearchTerms.Where(t => t.Trim().Length > 0).Select(t => $"\"{t.Trim()}\"").ToList();
        return terms.Count == 0 ? [] : [new MentionScope("search", string.Join(" OR ", terms))];
    }

    public async Task<MentionFetchResult> FetchAsync(MentionConfig config, MentionScope scope, string? cursor, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        double? watermark = double.TryParse(cursor, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) ? w : null;
        var newest = watermark ?? 0;
        var items = new List<MentionItem>();
        string? after = null;
        var pages = 0;
        var reachedOld = false;
        DateTimeOffset? notBefore = null;
        do
        {
            var url = $"{o.Reddit.BaseUrl.TrimEnd('/')}/search?q={Uri.EscapeDataString(scope.Target)}&sort=new&limit=100&type=link&raw_json=1"
                + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after));
            var listing = await GetPageAsync(url, o, cancellationToken);
            pages++;
            notBefore = listing.NotBefore;
            foreach (var post in listing.Body?.Data?.Children?.Select(c => c.Data).OfType<RedditPost>() ?? [])
            {
                if (watermark is { } wm && post.CreatedUtc < wm)
                {
                    reachedOld = true;
                    continue;
                }

                newest = Math.Max(newest, post.CreatedUtc);
                items.Add(ToItem(post));
            }

            after = listing.Body?.Data?.After;
        }
        while (!string.IsNullOrEmpty(after) && !reachedOld && pages < o.MaxPages && notBefore is null);

        // Stopped by the rate limit with older pages unread: keep the old cursor, the overlap is deduplicated.
        var complete = notBefore is null || string.IsNullOrEmpty(after) || reachedOld;
        return new MentionFetchResult(items, newest > 0 ? newest.ToString("R", CultureInfo.InvariantCulture) : cursor, complete, notBefore, pages);
    }

    private async Task<(RedditListing? Body, DateTimeOffset? NotBefore)> GetPageAsync(string url, MentionsOptions o, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
            request.Headers.TryAddWithoutValidation("User-Agent", o.Reddit.UserAgent);
            try
            {
                var (body, response) = await SourceHttp.GetJsonAsync(http, request, Name, RedditJsonContext.Default.RedditListing, RateLimit, cancellationToken);
                using (response)
                {
                    return (body, RateLimit(response));
                }
            }
            catch (MentionSourceException ex) when (ex.Status == 401 && attempt == 0)
            {
                tokens.Invalidate(); // expired or revoked early: one fresh token, then give up
            }
        }
    }

    private DateTimeOffset? RateLimit(HttpResponseMessage response) =>
        RateLimits.NotBefore(response, "X-Ratelimit-Remaining", "X-Ratelimit-Reset", ResetStyle.SecondsFromNow, time.GetUtcNow(), options.Value.DefaultBackoff);

    private static MentionItem ToItem(RedditPost post)
    {
        var permalink = "https://www.reddit.com" + (post.Permalink ?? string.Empty);
        var linksOut = !post.IsSelf && Uri.TryCreate(post.Url, UriKind.Absolute, out var target) && target.Scheme is "http" or "https"
            && !target.Host.EndsWith("reddit.com", StringComparison.OrdinalIgnoreCase) && !target.Host.EndsWith("redd.it", StringComparison.OrdinalIgnoreCase);
        return new MentionItem(
            "reddit",
            post.Name ?? post.Id ?? string.Empty,
            linksOut ? post.Url! : permalink,
            post.Author ?? string.Empty,
            post.Title ?? string.Empty,
            post.Selftext ?? string.Empty,
            DateTimeOffset.FromUnixTimeMilliseconds((long)(post.CreatedUtc * 1000)));
    }
}
