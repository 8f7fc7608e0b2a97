using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ReviewWatch.Storage;

namespace ReviewWatch.Mentions.Sources;

/// <summary>
/// Mastodon, on each instance the business lists: hashtag timelines (<c>GET /api/v1/timelines/tag/{tag}?limit=40&amp;since_id=…</c>,
/// older pages through the <c>Link</c> header's rel="next" (<c>max_id</c>)) and status search
/// (<c>GET /api/v2/search?q=…&amp;type=statuses&amp;resolve=false</c>). The cursor is the newest status id stored.
/// Content is HTML and is reduced to text.
/// </summary>
public sealed partial class MastodonMentionSource(HttpClient http, IOptions<MentionsOptions> options, TimeProvider time) : IMentionSource
{
    public const int PageSize = 40;

    public string Name => "mastodon";

    public IReadOnlyList<MentionScope> ScopesFor(MentionConfig config)
    {
        var scopes = new List<MentionScope>();
        foreach (var instance in config.Mastodon.Instances.Where(i => Uri.TryCreate(i, UriKind.Absolute, out _)))
        {
            var host = new Uri(instance).Authority.Replace(':', '_');
            scopes.AddRange(config.Hashtags.Where(h => h.Trim().Length > 0).Select(h => h.Trim().TrimStart('#'))
                .Select(tag => new MentionScope(TableClientExtensions.SafeKey($"{host}-tag-{tag.ToLowerInvariant()}"), tag, instance)));
            scopes.AddRange(config.SearchTerms.Where(t => t.Trim().Length > 0)
                .Select(term => new MentionScope(TableClientExtensions.SafeKey($"{host}-search-{term.Trim().ToLowerInvariant().Replace(' ', '_')}"), term.Trim(), instance)));
        }

        return scopes;
    }

    public async Task<MentionFetchResult> FetchAsync(MentionConfig config, MentionScope scope, string? cursor, CancellationToken cancellationToken = default)
    {
        var baseUrl = scope.Instance.TrimEnd('/');
        var isTag = scope.Key.Contains("-tag-", StringComparison.Ordinal);
        var since = string.IsNullOrEmpty(cursor) ? string.Empty : "&since_id=" + Uri.EscapeDataString(cursor);
        string? url = isTag
            ? $"{baseUrl}/api/v1/timelines/tag/{Uri.EscapeDataString(scope.Target)}?limit={PageSize}{since}"
            : $"{baseUrl}/api/v2/search?q={Uri.EscapeDataString(scope.Target)}&type=statuses&resolve=false&limit={PageSize}";
        var items = new List<MentionItem>();
        var newest = cursor;
        var pages = 0;
        DateTimeOffset? notBefore;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            IReadOnlyList<MastodonStatus> statuses;
            string? next = null;
            if (isTag)
            {
                var (body, response) = await SourceHttp.GetJsonAsync(http, request, Name, MastodonJsonContext.Default.IReadOnlyListMastodonStatus, RateLimit, cancellationToken);
                using (response)
                {
                    notBefore = RateLimit(response);
                    next = NextLink(response);
                }

                statuses = body ?? [];
            }
            else
            {
                var (body, response) = await SourceHttp.GetJsonAsync(http, request, Name, MastodonJsonContext.Default.MastodonSearchResponse, RateLimit, cancellationToken);
                using (response)
                {
                    notBefore = RateLimit(response);
                }

                statuses = body?.Statuses ?? [];
            }

            pages++;
            foreach (var status in statuses)
            {
                if (string.IsNullOrEmpty(status.Id) || (cursor is not null && CompareIds(status.Id, cursor) <= 0))
                {
                    continue; // search has no since_id: older than the cursor means seen
                }

                newest = newest is null || CompareIds(status.Id, newest) > 0 ? status.Id : newest;
                items.Add(ToItem(status));
            }

            // The next link carries max_id only; keep our lower bound on it.
            url = statuses.Count == 0 || next is null ? null : next.Contains("since_id=", StringComparison.Ordinal) || since.Length == 0 ? next : next + since;
        }
        while (url is not null && pages < options.Value.MaxPages && notBefore is null);

        var complete = notBefore is null || url is null;
        return new MentionFetchResult(items, newest, complete, notBefore, pages);
    }

    /// <summary>Mastodon ids are numeric strings (snowflakes) that outgrow long in principle: longer is newer, then ordinal.</summary>
    public static int CompareIds(string a, string b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    private DateTimeOffset? RateLimit(HttpResponseMessage response) =>
        RateLimits.NotBefore(response, "X-RateLimit-Remaining", "X-RateLimit-Reset", ResetStyle.Timestamp, time.GetUtcNow(), options.Value.DefaultBackoff);

    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (Match m in LinkPattern().Matches(string.Join(',', values)))
        {
            if (m.Groups["rel"].Value.Split(' ').Contains("next", StringComparer.OrdinalIgnoreCase))
            {
                return m.Groups["url"].Value;
            }
        }

        return null;
    }

    private static MentionItem ToItem(MastodonStatus status)
    {
        var html = string.IsNullOrEmpty(status.SpoilerText) ? status.Content ?? string.Empty : $"{status.SpoilerText} {status.Content}";
        return new MentionItem(
            "mastodon",
            status.Uri ?? status.Id ?? string.Empty,
            status.Url ?? status.Uri ?? string.Empty,
            status.Account?.Acct ?? string.Empty,
            string.Empty,
            MentionText.HtmlToText(html),
            status.CreatedAt ?? DateTimeOffset.MinValue);
    }

    [GeneratedRegex(@"<(?<url>[^>]+)>\s*;\s*rel=""(?<rel>[^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();
}
