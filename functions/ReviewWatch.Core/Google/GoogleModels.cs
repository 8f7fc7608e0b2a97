using System.Text.Json;
using System.Text.Json.Serialization;
using ReviewWatch.Reviews;

namespace ReviewWatch.Google;

/// <summary>Account Management v1 Account (the fields we use).</summary>
public sealed record GbpAccount(string Name, string? AccountName, string? Type);

public sealed record GbpListAccountsResponse(IReadOnlyList<GbpAccount>? Accounts, string? NextPageToken);

/// <summary>Business Information v1 Location (readMask=name,title,storeCode,languageCode,storefrontAddress). Name is locations/{id}.</summary>
public sealed record GbpLocation(string Name, string? Title, string? StoreCode, string? LanguageCode, GbpPostalAddress? StorefrontAddress);

public sealed record GbpPostalAddress(string? Locality, string? PostalCode, string? RegionCode, IReadOnlyList<string>? AddressLines);

public sealed record GbpListLocationsResponse(IReadOnlyList<GbpLocation>? Locations, string? NextPageToken, int? TotalSize);

/// <summary>Notifications v1 NotificationSetting.</summary>
public sealed record GbpNotificationSetting(string? Name, string? PubsubTopic, IReadOnlyList<string>? NotificationTypes);

/// <summary>The request body of reviews.updateReply.</summary>
public sealed record GbpReplyRequest(string Comment);

/// <summary>Google's standard error body: <c>{"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED"}}</c>.</summary>
public sealed record GoogleErrorBody(GoogleErrorDetail? Error);

public sealed record GoogleErrorDetail(int Code, string? Message, string? Status);

/// <summary>The OAuth token endpoint's answer (snake_case on the wire).</summary>
public sealed record OAuthTokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>What <c>google connect</c> stores in the token file.</summary>
public sealed record StoredGoogleToken(
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("created")] DateTimeOffset Created);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GbpListAccountsResponse))]
[JsonSerializable(typeof(GbpListLocationsResponse))]
[JsonSerializable(typeof(GbpNotificationSetting))]
[JsonSerializable(typeof(GbpReplyRequest))]
[JsonSerializable(typeof(GbpReviewReply))]
[JsonSerializable(typeof(GbpListReviewsResponse))]
[JsonSerializable(typeof(GbpReview))]
[JsonSerializable(typeof(GoogleErrorBody))]
[JsonSerializable(typeof(OAuthTokenResponse))]
[JsonSerializable(typeof(StoredGoogleToken))]
public sealed partial class GoogleJsonContext : JsonSerializerContext;
