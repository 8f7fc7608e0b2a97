using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReviewWatch.Tests.Mentions;

/// <summary>
/// Reddit (token + search), Bluesky (searchPosts) and one Mastodon instance (tag timeline + v2 search) on
/// 127.0.0.1, serving the documented payload shapes and pagination (Reddit <c>after</c>, Bluesky <c>cursor</c>,
/// Mastodon <c>Link</c> rel="next" with <c>max_id</c>). Any other route answers 404 loudly.
/// </summary>
public sealed class FakeSocialApis : IAsyncDisposable
{
    public const string RedditClientId = "rw-client";
    public const string RedditClientSecret = "rw-secret";
    private const string RedditAccessToken = "reddit-access-token";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();

    private FakeSocialApis(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request as "METHOD /path?query".</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public int RedditTokenRequests { get; private set; }

    /// <summary>Reddit search result pages, each a list of t3 data objects; page i+1 is reached with after=t3_page{i+1}.</summary>
    public List<List<JsonObject>> RedditPages { get; } = [];

    public List<List<JsonObject>> BlueskyPages { get; } = [];

    public List<List<JsonObject>> MastodonTagPages { get; } = [];

    public List<JsonObject> MastodonSearchStatuses { get; } = [];

    /// <summary>Set to answer Reddit search with 429 and these headers.</summary>
    public Dictionary<string, string>? RedditRateLimited { get; set; }

    /// <summary>Headers added to every Mastodon tag-timeline answer (e.g. a spent X-RateLimit-Remaining).</summary>
    public Dictionary<string, string> MastodonHeaders { get; } = [];

    public Dictionary<string, string?> Settings() => new()
    {
        ["Mentions:Reddit:BaseUrl"] = BaseAddress.ToString().TrimEnd('/'),
        ["Mentions:Reddit:TokenUrl"] = new Uri(BaseAddress, "/api/v1/access_token").ToString(),
        ["Mentions:Reddit:ClientId"] = RedditClientId,
        ["Mentions:Reddit:ClientSecret"] = RedditClientSecret,
        ["Mentions:Bluesky:BaseUrl"] = BaseAddress.ToString().TrimEnd('/'),
        ["Mentions:RetryBaseDelay"] = "00:00:00.010",
    };

    public static async Task<FakeSocialApis> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeSocialApis(app);
        fake.Map();
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return fake;
    }

    public static JsonObject RedditPost(string id, string title, string selftext = "", string? linkUrl = null, DateTimeOffset? created = null) => new()
    {
        ["id"] = id,
        ["name"] = "t3_" + id,
        ["title"] = title,
        ["selftext"] = selftext,
        ["permalink"] = $"/r/Finland/comments/{id}/{id}_post/",
        ["url"] = linkUrl ?? $"https://www.reddit.com/r/Finland/comments/{id}/{id}_post/",
        ["is_self"] = linkUrl is null,
        ["author"] = "user_" + id,
        ["subreddit"] = "Finland",
        ["created_utc"] = (double)(created ?? DateTimeOffset.UtcNow.AddMinutes(-5)).ToUnixTimeSeconds(),
    };

    public static JsonObject BlueskyPost(string handle, string rkey, string text, DateTimeOffset? at = null) => new()
    {
        ["uri"] = $"at://did:plc:{handle.Replace(".", string.Empty, StringComparison.Ordinal)}/app.bsky.feed.post/{rkey}",
        ["cid"] = "bafyrei" + rkey,
        ["author"] = new JsonObject { ["did"] = "did:plc:" + handle.Replace(".", string.Empty, StringComparison.Ordinal), ["handle"] = handle, ["displayName"] = handle },
        ["record"] = new JsonObject
        {
            ["$type"] = "app.bsky.feed.post",
            ["text"] = text,
            ["createdAt"] = (at ?? DateTimeOffset.UtcNow.AddMinutes(-3)).ToString("O", CultureInfo.InvariantCulture),
            ["langs"] = new JsonArray("fi"),
        },
        ["replyCount"] = 0,
        ["repostCount"] = 0,
        ["likeCount"] = 0,
        ["indexedAt"] = (at ?? DateTimeOffset.UtcNow.AddMinutes(-3)).ToString("O", CultureInfo.InvariantCulture),
    };

    public JsonObject MastodonStatus(string id, string html, string acct = "someone@example.social", string? url = null) => new()
    {
        ["id"] = id,
        ["created_at"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O", CultureInfo.InvariantCulture),
        ["uri"] = $"{BaseAddress}users/someone/statuses/{id}",
        ["url"] = url ?? $"{BaseAddress}@someone/{id}",
        ["content"] = html,
        ["spoiler_text"] = string.Empty,
        ["language"] = "fi",
        ["visibility"] = "public",
        ["account"] = new JsonObject { ["id"] = "1", ["username"] = acct.Split('@')[0], ["acct"] = acct, ["display_name"] = acct, ["url"] = $"{BaseAddress}@someone" },
    };

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            _requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            await next(context);
        });

        _app.MapPost("/api/v1/access_token", async (HttpContext context) =>
        {
            var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{RedditClientId}:{RedditClientSecret}"));
            var form = await context.Request.ReadFormAsync();
            if (context.Request.Headers.Authorization.ToString() != expected || form["grant_type"] != "client_credentials")
            {
                return Results.Json(new JsonObject { ["error"] = "invalid_grant" }, statusCode: 401);
            }

            RedditTokenRequests++;
            return Results.Json(new JsonObject { ["access_token"] = RedditAccessToken, ["token_type"] = "bearer", ["expires_in"] = 86400, ["scope"] = "*" });
        });

        _app.MapGet("/search", (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + RedditAccessToken || context.Request.Query["sort"] != "new")
            {
                return Results.StatusCode(401);
            }

            if (RedditRateLimited is { } limited)
            {
                foreach (var (k, v) in limited)
                {
                    context.Response.Headers[k] = v;
                }

                return Results.Text("{\"message\": \"Too Many Requests\", \"error\": 429}", "application/json", statusCode: 429);
            }

            var index = PageIndex(context.Request.Query["after"], "t3_page");
            var page = index < RedditPages.Count ? RedditPages[index] : [];
            context.Response.Headers["X-Ratelimit-Used"] = "1";
            context.Response.Headers["X-Ratelimit-Remaining"] = "99.0";
            context.Response.Headers["X-Ratelimit-Reset"] = "300";
            return Results.Json(new JsonObject
            {
                ["kind"] = "Listing",
                ["data"] = new JsonObject
                {
                    ["after"] = index + 1 < RedditPages.Count ? $"t3_page{index + 1}" : null,
                    ["before"] = null,
                    ["dist"] = page.Count,
                    ["children"] = new JsonArray([.. page.Select(p => (JsonNode)new JsonObject { ["kind"] = "t3", ["data"] = p.DeepClone() })]),
                },
            });
        });

        _app.MapGet("/xrpc/app.bsky.feed.searchPosts", (HttpContext context) =>
        {
            if (string.IsNullOrEmpty(context.Request.Query["q"]) || context.Request.Query["sort"] != "latest")
            {
                return Results.Json(new JsonObject { ["error"] = "BadQueryString", ["message"] = "q and sort required" }, statusCode: 400);
            }

            var index = PageIndex(context.Request.Query["cursor"], "c");
            var page = index < BlueskyPages.Count ? BlueskyPages[index] : [];
            var body = new JsonObject { ["hitsTotal"] = BlueskyPages.Sum(p => p.Count), ["posts"] = new JsonArray([.. page.Select(p => (JsonNode)p.DeepClone())]) };
            if (index + 1 < BlueskyPages.Count)
            {
                body["cursor"] = $"c{index + 1}";
            }

            return Results.Json(body);
        });

        _app.MapGet("/api/v1/timelines/tag/{tag}", (HttpContext context, string tag) =>
        {
            foreach (var (k, v) in MastodonHeaders)
            {
                context.Response.Headers[k] = v;
            }

            var maxId = context.Request.Query["max_id"].ToString();
            var index = maxId.Length == 0 ? 0 : MastodonTagPages.FindIndex(p => p.Count > 0 && p[^1]["id"]!.GetValue<string>() == maxId) + 1;
            var page = index < MastodonTagPages.Count ? MastodonTagPages[index] : [];
            if (index + 1 < MastodonTagPages.Count && page.Count > 0)
            {
                var last = page[^1]["id"]!.GetValue<string>();
                context.Response.Headers.Link = $"<{BaseAddress}api/v1/timelines/tag/{tag}?limit=40&max_id={last}>; rel=\"next\", <{BaseAddress}api/v1/timelines/tag/{tag}?limit=40&min_id={page[0]["id"]}>; rel=\"prev\"";
            }

            return Results.Json(new JsonArray([.. page.Select(p => (JsonNode)p.DeepClone())]));
        });

        _app.MapGet("/api/v2/search", (HttpContext context) =>
            context.Request.Query["type"] != "statuses"
                ? Results.StatusCode(400)
                : Results.Json(new JsonObject { ["accounts"] = new JsonArray(), ["statuses"] = new JsonArray([.. MastodonSearchStatuses.Select(p => (JsonNode)p.DeepClone())]), ["hashtags"] = new JsonArray() }));

        _app.MapFallback((HttpContext context) => Results.Text($"FakeSocialApis: no route for {context.Request.Method} {context.Request.Path}", statusCode: 404));
    }

    private static int PageIndex(string? token, string prefix) =>
        string.IsNullOrEmpty(token) ? 0 : int.Parse(token[prefix.Length..], CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
