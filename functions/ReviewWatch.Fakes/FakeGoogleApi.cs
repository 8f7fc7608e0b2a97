using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReviewWatch.Reviews;

namespace ReviewWatch.Google.Fake;

/// <summary>
/// An in-process stand-in for Google (OAuth token endpoint, Account Management, Business Information, v4 reviews,
/// Notifications, and a JWKS for push tokens) on 127.0.0.1, serving the documented JSON shapes. Used by the tests
/// and <c>./reviewwatch bench-google</c>; never registered in the app. Unknown routes answer 404 loudly.
/// </summary>
public sealed class FakeGoogleApi : IAsyncDisposable
{
    public const string PushServiceAccount = "push@reviewwatch-test.iam.gserviceaccount.com";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<GbpReview>> _reviews = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<GbpLocation>> _locations = new(StringComparer.Ordinal);
    private readonly List<GbpAccount> _accounts = [];
    private readonly List<string> _requests = [];
    private int _apiCalls;
    private int _tokens;

    private FakeGoogleApi(WebApplication app, RSA key)
    {
        _app = app;
        SigningKey = key;
    }

    public Uri BaseAddress { get; private set; } = null!;
    public RSA SigningKey { get; }
    public string KeyId { get; } = "test-key-1";

    /// <summary>Settings that point the app at this fake (Google__* app-setting names).</summary>
    public Dictionary<string, string> Settings(string audience = "https://reviewwatch.test/api/google/notifications") => new()
    {
        ["Google__ClientId"] = "test-client",
        ["Google__ClientSecret"] = "test-secret",
        ["Google__RefreshToken"] = "test-refresh",
        ["Google__AccountManagementBaseUrl"] = BaseAddress.ToString(),
        ["Google__BusinessInformationBaseUrl"] = BaseAddress.ToString(),
        ["Google__ReviewsBaseUrl"] = BaseAddress.ToString(),
        ["Google__NotificationsBaseUrl"] = BaseAddress.ToString(),
        ["Google__TokenUrl"] = new Uri(BaseAddress, "/token").ToString(),
        ["Google__PubSub__Audience"] = audience,
        ["Google__PubSub__ServiceAccount"] = PushServiceAccount,
        ["Google__PubSub__CertsUrl"] = new Uri(BaseAddress, "/oauth2/v3/certs").ToString(),
    };

    /// <summary>Answer the next N API calls with 401 (a revoked access token).</summary>
    public int UnauthorizedResponses { get; set; }

    /// <summary>
    /// Per API call number (1-based), a status to fail with instead of answering (e.g. 429), or null. 0 means a
    /// timeout: the request is held for <see cref="Stall"/> and the connection dropped without an answer.
    /// </summary>
    public Func<int, int?>? Fault { get; set; }

    /// <summary>How long a timeout fault (status 0) holds the request before dropping the connection.</summary>
    public TimeSpan Stall { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Called after a reviews page is built, with the location name and 0-based page index (to change data mid-poll).</summary>
    public Action<string, int>? AfterReviewsPage { get; set; }

    /// <summary>When set, reply PUTs fail with this status and Google-style error message.</summary>
    public (int Status, string Message)? ReplyFailure { get; set; }

    /// <summary>Statuses to answer review listings of a given location with (403, 404…).</summary>
    public Dictionary<string, int> LocationFailures { get; } = new(StringComparer.Ordinal);

    public int ApiCalls => Volatile.Read(ref _apiCalls);
    public int TokenRequests => Volatile.Read(ref _tokens);

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public JsonObject? LastNotificationSetting { get; private set; }

    public static async Task<FakeGoogleApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeGoogleApi(app, RSA.Create(2048));
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return fake;
    }

    public void AddAccount(string accountName, string displayName = "Test account") { lock (_gate) { _accounts.Add(new GbpAccount(accountName, displayName, "PERSONAL")); } }

    public void AddLocation(string accountName, string locationId, string title, string city = "Helsinki")
    {
        lock (_gate)
        {
            if (!_locations.TryGetValue(accountName, out var list))
            {
                _locations[accountName] = list = [];
            }

            list.Add(new GbpLocation($"locations/{locationId}", title, locationId, "fi", new GbpPostalAddress(city, "00100", "FI", ["Testikatu 1"])));
        }
    }

    /// <summary>Adds or replaces (by reviewId) a review of <paramref name="locationName"/> (accounts/{a}/locations/{l}).</summary>
    public void PutReview(string locationName, GbpReview review)
    {
        lock (_gate)
        {
            if (!_reviews.TryGetValue(locationName, out var list))
            {
                _reviews[locationName] = list = [];
            }

            list.RemoveAll(r => r.Id == review.Id);
            list.Add(review);
        }
    }

    public bool RemoveReview(string locationName, string reviewId)
    {
        lock (_gate)
        {
            return _reviews.TryGetValue(locationName, out var list) && list.RemoveAll(r => r.Id == reviewId) > 0;
        }
    }

    public GbpReview? Review(string locationName, string reviewId)
    {
        lock (_gate)
        {
            return _reviews.TryGetValue(locationName, out var list) ? list.FirstOrDefault(r => r.Id == reviewId) : null;
        }
    }

    /// <summary>A review in the v4 shape with sensible defaults.</summary>
    public static GbpReview NewReview(string locationName, string reviewId, int stars, string? comment, DateTimeOffset updateTime, string reviewer = "Testi Asiakas") =>
        new($"{locationName}/reviews/{reviewId}", reviewId, new GbpReviewer(reviewer, null, false), Stars(stars), comment, updateTime, updateTime, null);

    public static string Stars(int stars) => stars switch
    {
        1 => "ONE",
        2 => "TWO",
        3 => "THREE",
        4 => "FOUR",
        5 => "FIVE",
        _ => "STAR_RATING_UNSPECIFIED",
    };

    /// <summary>A Pub/Sub push OIDC token, signed with <paramref name="key"/> (default: the key this fake's JWKS serves).</summary>
    public string CreatePushToken(string audience, DateTimeOffset expires, string email = PushServiceAccount, bool emailVerified = true, RSA? key = null)
    {
        var issued = expires.AddHours(-1) < DateTimeOffset.UtcNow ? expires.AddHours(-1) : DateTimeOffset.UtcNow;
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = KeyId, ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["iss"] = "https://accounts.google.com",
            ["aud"] = audience,
            ["azp"] = "1234567890",
            ["sub"] = "1234567890",
            ["email"] = email,
            ["email_verified"] = emailVerified,
            ["iat"] = issued.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        };
        var signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = (key ?? SigningKey).SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64(signature);
    }

    /// <summary>A Pub/Sub push body carrying a GBP notification (data = base64 JSON).</summary>
    public static string PushBody(string messageId, string notificationJson) => new JsonObject
    {
        ["message"] = new JsonObject
        {
            ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(notificationJson)),
            ["attributes"] = new JsonObject(),
            ["messageId"] = messageId,
            ["message_id"] = messageId,
            ["publishTime"] = "2026-02-26T19:13:55.749Z",
        },
        ["subscription"] = "projects/reviewwatch-test/subscriptions/gbp-push",
    }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SigningKey.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        lock (_gate)
        {
            _requests.Add($"{request.Method} {path}{request.QueryString}");
        }

        if (path == "/token" && request.Method == "POST")
        {
            var n = Interlocked.Increment(ref _tokens);
            var form = await request.ReadFormAsync(context.RequestAborted);
            if (form["grant_type"] != "refresh_token" || string.IsNullOrEmpty(form["refresh_token"]))
            {
                await Json(context, 400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Bad Request" });
                return;
            }

            await Json(context, 200, new JsonObject { ["access_token"] = $"tok-{n}", ["expires_in"] = 3599, ["token_type"] = "Bearer", ["scope"] = GoogleOptions.Scope });
            return;
        }

        if (path == "/oauth2/v3/certs")
        {
            var p = SigningKey.ExportParameters(false);
            await Json(context, 200, new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["alg"] = "RS256", ["use"] = "sig", ["kid"] = KeyId, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) }),
            });
            return;
        }

        var call = Interlocked.Increment(ref _apiCalls);
        if (!request.Headers.Authorization.ToString().StartsWith("Bearer tok-", StringComparison.Ordinal))
        {
            await Error(context, 401, "Request is missing required authentication credential.", "UNAUTHENTICATED");
            return;
        }

        if (UnauthorizedResponses > 0)
        {
            UnauthorizedResponses--;
            await Error(context, 401, "Request had invalid authentication credentials.", "UNAUTHENTICATED");
            return;
        }

        var fault = Fault?.Invoke(call);
        if (fault is 0)
        {
            try
            {
                await Task.Delay(Stall, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            context.Abort();
            return;
        }

        if (fault is int status)
        {
            await Error(context, status, status == 429 ? "Quota exceeded for quota metric 'Requests'." : "Backend error", status == 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE");
            return;
        }

        var segments = path.Trim('/').Split('/');
        switch (request.Method, segments)
        {
            case ("GET", ["v1", "accounts"]):
                await Paged(context, "accounts", Snapshot(() => _accounts.Cast<object>().ToList()), 20, GoogleJsonContext.Default.GbpAccount);
                return;
            case ("GET", ["v1", "accounts", var a, "locations"]):
                if (string.IsNullOrEmpty(request.Query["readMask"]))
                {
                    await Error(context, 400, "Request contains an invalid argument.", "INVALID_ARGUMENT");
                    return;
                }

                await Paged(context, "locations", Snapshot(() => _locations.GetValueOrDefault("accounts/" + a, []).Cast<object>().ToList()), 100, GoogleJsonContext.Default.GbpLocation);
                return;
            case ("GET", ["v4", "accounts", var a, "locations", var l, "reviews"]):
                await ListReviewsAsync(context, $"accounts/{a}/locations/{l}");
                return;
            case ("GET", ["v4", "accounts", var a, "locations", var l, "reviews", var r]):
                var one = Review($"accounts/{a}/locations/{l}", r);
                await (one is null ? Error(context, 404, "Requested entity was not found.", "NOT_FOUND") : Json(context, 200, JsonSerializer.SerializeToNode(one, GoogleJsonContext.Default.GbpReview)!));
                return;
            case ("PUT", ["v4", "accounts", var a, "locations", var l, "reviews", var r, "reply"]):
                await PutReplyAsync(context, $"accounts/{a}/locations/{l}", r);
                return;
            case ("DELETE", ["v4", "accounts", var a, "locations", var l, "reviews", var r, "reply"]):
                var existing = Review($"accounts/{a}/locations/{l}", r);
                if (existing is null)
                {
                    await Error(context, 404, "Requested entity was not found.", "NOT_FOUND");
                    return;
                }

                PutReview($"accounts/{a}/locations/{l}", existing with { ReviewReply = null });
                await Json(context, 200, new JsonObject());
                return;
            case ("PATCH", ["v1", "accounts", var a, "notificationSetting"]):
                var setting = await JsonNode.ParseAsync(request.Body, cancellationToken: context.RequestAborted) as JsonObject ?? [];
                setting["name"] = $"accounts/{a}/notificationSetting";
                LastNotificationSetting = setting;
                await Json(context, 200, setting.DeepClone());
                return;
            default:
                await Error(context, 404, $"The fake has no route for {request.Method} {path}.", "NOT_FOUND");
                return;
        }
    }

    private async Task ListReviewsAsync(HttpContext context, string locationName)
    {
        if (LocationFailures.TryGetValue(locationName, out var failure))
        {
            await Error(context, failure, failure == 403 ? "The caller does not have permission" : "Requested entity was not found.", failure == 403 ? "PERMISSION_DENIED" : "NOT_FOUND");
            return;
        }

        var pageSize = int.TryParse(context.Request.Query["pageSize"], CultureInfo.InvariantCulture, out var size) ? Math.Min(size, 50) : 50;
        var offset = int.TryParse(context.Request.Query["pageToken"], CultureInfo.InvariantCulture, out var o) ? o : 0;
        List<GbpReview> all;
        lock (_gate)
        {
            all = [.. _reviews.GetValueOrDefault(locationName, []).OrderByDescending(r => r.UpdateTime)];
        }

        var page = all.Skip(offset).Take(pageSize).ToList();
        var next = offset + pageSize < all.Count ? (offset + pageSize).ToString(CultureInfo.InvariantCulture) : null;
        var body = new GbpListReviewsResponse(page, all.Count == 0 ? null : all.Average(r => r.Rating ?? 0), all.Count, next);
        AfterReviewsPage?.Invoke(locationName, offset / pageSize);
        await Json(context, 200, JsonSerializer.SerializeToNode(body, GoogleJsonContext.Default.GbpListReviewsResponse)!);
    }

    private async Task PutReplyAsync(HttpContext context, string locationName, string reviewId)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var comment = body?["comment"]?.GetValue<string>() ?? string.Empty;
        if (ReplyFailure is { } failure)
        {
            await Error(context, failure.Status, failure.Message, failure.Status == 400 ? "INVALID_ARGUMENT" : "FAILED_PRECONDITION");
            return;
        }

        if (Encoding.UTF8.GetByteCount(comment) > 4096)
        {
            await Error(context, 400, "Request contains an invalid argument.", "INVALID_ARGUMENT");
            return;
        }

        var review = Review(locationName, reviewId);
        if (review is null)
        {
            await Error(context, 404, "Requested entity was not found.", "NOT_FOUND");
            return;
        }

        var reply = new GbpReviewReply(comment, DateTimeOffset.UtcNow);
        PutReview(locationName, review with { ReviewReply = reply });
        await Json(context, 200, JsonSerializer.SerializeToNode(reply, GoogleJsonContext.Default.GbpReviewReply)!);
    }

    private List<object> Snapshot(Func<List<object>> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private static async Task Paged<T>(HttpContext context, string field, List<object> all, int maxPageSize, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var pageSize = int.TryParse(context.Request.Query["pageSize"], CultureInfo.InvariantCulture, out var size) ? Math.Min(size, maxPageSize) : maxPageSize;
        var offset = int.TryParse(context.Request.Query["pageToken"], CultureInfo.InvariantCulture, out var o) ? o : 0;
        var items = new JsonArray(all.Skip(offset).Take(pageSize).Select(x => JsonSerializer.SerializeToNode((T)x, type)).ToArray());
        var body = new JsonObject { [field] = items };
        if (offset + pageSize < all.Count)
        {
            body["nextPageToken"] = (offset + pageSize).ToString(CultureInfo.InvariantCulture);
        }

        await Json(context, 200, body);
    }

    private static Task Error(HttpContext context, int status, string message, string code) =>
        Json(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = code } });

    private static async Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
