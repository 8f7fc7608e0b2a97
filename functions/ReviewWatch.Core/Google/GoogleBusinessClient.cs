using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using ReviewWatch.Reviews;

namespace ReviewWatch.Google;

/// <summary>
/// The Google Business Profile APIs ReviewWatch calls: Account Management v1 (accounts), Business Information v1
/// (locations), My Business v4 (reviews, replies) and Notifications v1. Every base address is a setting. The
/// typed <see cref="HttpClient"/> behind it retries 429/5xx with jittered backoff, paces calls under the quota
/// and refreshes the token once on a 401 (see <see cref="GoogleServiceCollectionExtensions.AddGoogle"/>).
/// Every failure is a <see cref="GoogleApiException"/> carrying the status and Google's error code.
/// </summary>
public sealed class GoogleBusinessClient(HttpClient http, IOptions<GoogleOptions> options)
{
    public const int ReviewPageSize = 50;
    public const int AccountPageSize = 20;
    public const int LocationPageSize = 100;
    public const int MaxReplyBytes = 4096;
    public const string LocationReadMask = "name,title,storeCode,languageCode,storefrontAddress";

    private GoogleOptions Options => options.Value;

    /// <summary>Every account the connected user can manage (all pages).</summary>
    public async Task<IReadOnlyList<GbpAccount>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        var accounts = new List<GbpAccount>();
        string? pageToken = null;
        do
        {
            var url = $"{Base(Options.AccountManagementBaseUrl)}/v1/accounts?pageSize={AccountPageSize}{Token(pageToken)}";
            var page = await SendAsync(HttpMethod.Get, url, null, GoogleJsonContext.Default.GbpListAccountsResponse, cancellationToken);
            accounts.AddRange(page?.Accounts ?? []);
            pageToken = page?.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));

        return accounts;
    }

    /// <summary>Every location of <paramref name="accountName"/> (<c>accounts/{id}</c>), all pages. Names come back as <c>locations/{id}</c>.</summary>
    public async Task<IReadOnlyList<GbpLocation>> ListLocationsAsync(string accountName, CancellationToken cancellationToken = default)
    {
        var locations = new List<GbpLocation>();
        string? pageToken = null;
        do
        {
            var url = $"{Base(Options.BusinessInformationBaseUrl)}/v1/{accountName}/locations?readMask={Uri.EscapeDataString(LocationReadMask)}&pageSize={LocationPageSize}{Token(pageToken)}";
            var page = await SendAsync(HttpMethod.Get, url, null, GoogleJsonContext.Default.GbpListLocationsResponse, cancellationToken);
            locations.AddRange(page?.Locations ?? []);
            pageToken = page?.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));

        return locations;
    }

    /// <summary>One page of a location's reviews (<c>accounts/{a}/locations/{l}</c>), newest update first.</summary>
    public async Task<GbpListReviewsResponse> ListReviewsAsync(string locationName, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        var url = $"{Base(Options.ReviewsBaseUrl)}/v4/{locationName}/reviews?pageSize={ReviewPageSize}&orderBy={Uri.EscapeDataString("updateTime desc")}{Token(pageToken)}";
        return await SendAsync(HttpMethod.Get, url, null, GoogleJsonContext.Default.GbpListReviewsResponse, cancellationToken)
            ?? new GbpListReviewsResponse([], null, null, null);
    }

    public async Task<GbpReview?> GetReviewAsync(string reviewName, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, $"{Base(Options.ReviewsBaseUrl)}/v4/{reviewName}", null, GoogleJsonContext.Default.GbpReview, cancellationToken);

    /// <summary>Creates or replaces the reply. The comment must fit <see cref="MaxReplyBytes"/> UTF-8 bytes (checked here, before any call).</summary>
    public async Task<GbpReviewReply> UpdateReplyAsync(string reviewName, string comment, CancellationToken cancellationToken = default)
    {
        if (ReplyTooLong(comment, out var bytes))
        {
            throw new GoogleApiException(400, "REPLY_TOO_LONG", $"The reply is {bytes} bytes in UTF-8; Google accepts at most {MaxReplyBytes}.");
        }

        var body = JsonContent.Create(new GbpReplyRequest(comment), GoogleJsonContext.Default.GbpReplyRequest);
        return await SendAsync(HttpMethod.Put, $"{Base(Options.ReviewsBaseUrl)}/v4/{reviewName}/reply", body, GoogleJsonContext.Default.GbpReviewReply, cancellationToken)
            ?? new GbpReviewReply(comment, null);
    }

    public async Task DeleteReplyAsync(string reviewName, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Delete, $"{Base(Options.ReviewsBaseUrl)}/v4/{reviewName}/reply", null, GoogleJsonContext.Default.GbpReviewReply, cancellationToken);

    /// <summary>Points the account's review notifications at a Pub/Sub topic (<c>projects/{p}/topics/{t}</c>).</summary>
    public async Task<GbpNotificationSetting?> UpdateNotificationSettingAsync(string accountName, string pubsubTopic, IReadOnlyList<string> notificationTypes, CancellationToken cancellationToken = default)
    {
        var name = $"{accountName}/notificationSetting";
        var body = JsonContent.Create(new GbpNotificationSetting(name, pubsubTopic, notificationTypes), GoogleJsonContext.Default.GbpNotificationSetting);
        var url = $"{Base(Options.NotificationsBaseUrl)}/v1/{name}?updateMask={Uri.EscapeDataString("pubsubTopic,notificationTypes")}";
        return await SendAsync(HttpMethod.Patch, url, body, GoogleJsonContext.Default.GbpNotificationSetting, cancellationToken);
    }

    public static bool ReplyTooLong(string comment, out int bytes)
    {
        bytes = System.Text.Encoding.UTF8.GetByteCount(comment);
        return bytes > MaxReplyBytes;
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string url, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using var request = new HttpRequestMessage(method, new Uri(url)) { Content = content };
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Error((int)response.StatusCode, text);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, type);
        }
        catch (JsonException ex)
        {
            throw new GoogleApiException((int)response.StatusCode, "BAD_RESPONSE", $"Google answered {method} {request.RequestUri?.AbsolutePath} with JSON we cannot read: {ex.Message}", ex);
        }
    }

    private static GoogleApiException Error(int status, string body)
    {
        GoogleErrorDetail? detail = null;
        try
        {
            detail = JsonSerializer.Deserialize(body, GoogleJsonContext.Default.GoogleErrorBody)?.Error;
        }
        catch (JsonException)
        {
        }

        var message = detail?.Message ?? (body.Length > 200 ? body[..200] : body);
        return new GoogleApiException(status, detail?.Status ?? StatusName(status), string.IsNullOrEmpty(message) ? $"HTTP {status}" : message);
    }

    private static string StatusName(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        _ => "HTTP_" + status.ToString(CultureInfo.InvariantCulture),
    };

    private static string Base(string url) => url.TrimEnd('/');

    private static string Token(string? pageToken) => string.IsNullOrEmpty(pageToken) ? string.Empty : "&pageToken=" + Uri.EscapeDataString(pageToken);
}
