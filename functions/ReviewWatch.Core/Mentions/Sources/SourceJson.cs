using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Mentions.Sources;

// Reddit: a Listing of t3 (link) things; see https://www.reddit.com/dev/api#GET_search.
public sealed record RedditListing(string? Kind, RedditListingData? Data);

public sealed record RedditListingData(string? After, string? Before, IReadOnlyList<RedditThing>? Children);

public sealed record RedditThing(string? Kind, RedditPost? Data);

public sealed record RedditPost(
    string? Id,
    string? Name,
    string? Title,
    string? Selftext,
    string? Permalink,
    string? Url,
    string? Author,
    double CreatedUtc,
    string? Subreddit,
    bool IsSelf);

public sealed record RedditToken(string? AccessToken, string? TokenType, int ExpiresIn);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(RedditListing))]
[JsonSerializable(typeof(RedditToken))]
public sealed partial class RedditJsonContext : JsonSerializerContext;

// Bluesky: app.bsky.feed.searchPosts output (cursor, hitsTotal, posts: PostView[]).
public sealed record BlueskySearchResponse(string? Cursor, int? HitsTotal, IReadOnlyList<BlueskyPost>? Posts);

public sealed record BlueskyPost(string? Uri, string? Cid, BlueskyAuthor? Author, BlueskyRecord? Record, DateTimeOffset? IndexedAt);

public sealed record BlueskyAuthor(string? Did, string? Handle, string? DisplayName);

public sealed record BlueskyRecord(string? Text, DateTimeOffset? CreatedAt, IReadOnlyList<string>? Langs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BlueskySearchResponse))]
public sealed partial class BlueskyJsonContext : JsonSerializerContext;

// Mastodon: Status entities (timelines return an array; v2 search returns {accounts, statuses, hashtags}).
public sealed record MastodonStatus(string? Id, DateTimeOffset? CreatedAt, string? Url, string? Uri, string? Content, string? SpoilerText, string? Language, MastodonAccount? Account);

public sealed record MastodonAccount(string? Id, string? Acct, string? Username, string? DisplayName, string? Url);

public sealed record MastodonSearchResponse(IReadOnlyList<MastodonStatus>? Statuses);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<MastodonStatus>))]
[JsonSerializable(typeof(MastodonSearchResponse))]
public sealed partial class MastodonJsonContext : JsonSerializerContext;

/// <summary>Shared plumbing of the JSON sources: send, read rate limits, turn failures into <see cref="MentionSourceException"/>.</summary>
internal static class SourceHttp
{
    public static async Task<(T? Body, HttpResponseMessage Response)> GetJsonAsync<T>(
        HttpClient http, HttpRequestMessage request, string source, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        Func<HttpResponseMessage, DateTimeOffset?> rateLimit, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new MentionSourceException(source, 0, $"{source}: {ex.Message}", inner: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MentionSourceException(source, 0, $"{source}: timed out", inner: ex);
        }

        if ((int)response.StatusCode == 429)
        {
            var until = rateLimit(response);
            response.Dispose();
            throw new MentionSourceException(source, 429, $"{source}: rate limited (429) until {until:O}", until);
        }

        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new MentionSourceException(source, status, $"{source}: {status} {(body.Length > 300 ? body[..300] : body)}");
        }

        try
        {
            var value = await response.Content.ReadFromJsonAsync(type, cancellationToken);
            return (value, response);
        }
        catch (JsonException ex)
        {
            response.Dispose();
            throw new MentionSourceException(source, (int)response.StatusCode, $"{source}: unexpected response: {ex.Message}", inner: ex);
        }
    }
}
