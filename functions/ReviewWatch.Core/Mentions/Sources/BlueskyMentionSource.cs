using System.Globalization;
using Microsoft.Extensions.Options;
using ReviewWatch.Storage;

namespace ReviewWatch.Mentions.Sources;

/// <summary>
/// Bluesky's public AppView search (<c>GET /xrpc/app.bsky.feed.searchPosts?q=…&amp;sort=latest&amp;limit=…&amp;cursor=…</c>),
/// one scope per search term and hashtag, paged by the API's cursor down to our cursor (the newest indexedAt stored).
/// </summary>
public sealed class BlueskyMentionSource(HttpClient http, IOptions<MentionsOptions> options, TimeProvider time) : IMentionSource
{
    public const int PageSize = 100;

    public string Name => "bluesky";

    public IReadOnlyList<MentionScope> ScopesFor(MentionConfig config) =>
        [.. config.Queries().Select(q => new MentionScope(TableClientExtensions.SafeKey(q.ToLowerInvariant().Replace(' ', '_')), q))];

    public async Task<MentionFetchResult> FetchAsync(MentionConfig config, MentionScope scope, string? cursor, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        DateTimeOffset? watermark = DateTimeOffset.TryParse(cursor, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var w) ? w : null;
        var newest = watermark;
        var items = new List<MentionItem>();
        string? page = null;
        var pages = 0;
        var reachedOld = false;
        DateTimeOffset? notBefore;
        do
        {
            var url = $"{o.Bluesky.BaseUrl.TrimEnd('/')}/xrpc/app.bsky.feed.searchPosts?q={Uri.EscapeDataString(scope.Target)}&limit={PageSize}&sort=latest"
                + (page is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(page));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            var (body, response) = await SourceHttp.GetJsonAsync(http, request, Name, BlueskyJsonContext.Default.BlueskySearchResponse, RateLimit, cancellationToken);
            using (response)
            {
                notBefore = RateLimit(response);
            }

            pages++;
            foreach (var post in body?.Posts ?? [])
            {
                var at = post.IndexedAt ?? post.Record?.CreatedAt ?? DateTimeOffset.MinValue;
                if (watermark is { } wm && at < wm)
                {
                    reachedOld = true;
                    continue;
                }

                if (ToItem(post) is { } item)
                {
                    items.Add(item);
                    newest = newest is null || at > newest ? at : newest;
                }
            }

            page = body?.Posts is { Count: > 0 } ? body.Cursor : null;
        }
        while (!string.IsNullOrEmpty(page) && !reachedOld && pages < o.MaxPages && notBefore is null);

        var complete = notBefore is null || string.IsNullOrEmpty(page) || reachedOld;
        return new MentionFetchResult(items, newest?.ToString("O", CultureInfo.InvariantCulture) ?? cursor, complete, notBefore, pages);
    }

    /// <summary>The post's web address: https://bsky.app/profile/{handle}/post/{rkey}, rkey being the at:// URI's last segment.</summary>
    public static string WebUrl(string handle, string atUri) => $"https://bsky.app/profile/{handle}/post/{atUri[(atUri.LastIndexOf('/') + 1)..]}";

    private DateTimeOffset? RateLimit(HttpResponseMessage response) =>
        RateLimits.NotBefore(response, "RateLimit-Remaining", "RateLimit-Reset", ResetStyle.UnixSeconds, time.GetUtcNow(), options.Value.DefaultBackoff);

    private static MentionItem? ToItem(BlueskyPost post)
    {
        if (string.IsNullOrEmpty(post.Uri) || string.IsNullOrEmpty(post.Author?.Handle))
        {
            return null;
        }

        return new MentionItem(
            "bluesky",
            post.Uri,
            WebUrl(post.Author.Handle, post.Uri),
            post.Author.Handle,
            string.Empty,
            post.Record?.Text ?? string.Empty,
            post.Record?.CreatedAt ?? post.IndexedAt ?? DateTimeOffset.MinValue);
    }
}
