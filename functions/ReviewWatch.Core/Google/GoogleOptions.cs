namespace ReviewWatch.Google;

/// <summary>
/// The Google Business Profile connection. App settings (section "Google"):
/// <code>
/// Google__ClientId, Google__ClientSecret, Google__RefreshToken (or Google__TokenFile=.local/google-token.json)
/// Google__AccountManagementBaseUrl=https://mybusinessaccountmanagement.googleapis.com
/// Google__BusinessInformationBaseUrl=https://mybusinessbusinessinformation.googleapis.com
/// Google__ReviewsBaseUrl=https://mybusiness.googleapis.com
/// Google__NotificationsBaseUrl=https://mybusinessnotifications.googleapis.com
/// Google__TokenUrl=https://oauth2.googleapis.com/token
/// Google__PubSub__Audience, Google__PubSub__ServiceAccount, Google__PubSub__CertsUrl (empty = Google's JWKS)
/// Google__RequestsPerMinute=300, Google__MaxInstances=1, Google__AutoResolveOnPositiveEdit=false, Google__PollRequestExpiry=00:10:00, Google__PollRetryDelay=00:01:00
/// </code>
/// A value still reading <c>@Microsoft.KeyVault(...)</c> (an unresolved Key Vault reference) counts as not set.
/// </summary>
public sealed class GoogleOptions
{
    public const string Section = "Google";
    public const string Scope = "https://www.googleapis.com/auth/business.manage";

    public string ClientId { get; set; } = string.Empty;
    public string ClientSecret { get; set; } = string.Empty;
    public string RefreshToken { get; set; } = string.Empty;

    /// <summary>Locally, where <c>google connect</c> stores the refresh token (JSON <c>{"refresh_token":…}</c>).</summary>
    public string TokenFile { get; set; } = string.Empty;

    public string AccountManagementBaseUrl { get; set; } = "https://mybusinessaccountmanagement.googleapis.com";
    public string BusinessInformationBaseUrl { get; set; } = "https://mybusinessbusinessinformation.googleapis.com";
    public string ReviewsBaseUrl { get; set; } = "https://mybusiness.googleapis.com";
    public string NotificationsBaseUrl { get; set; } = "https://mybusinessnotifications.googleapis.com";
    public string TokenUrl { get; set; } = "https://oauth2.googleapis.com/token";
    public string AuthorizationUrl { get; set; } = "https://accounts.google.com/o/oauth2/v2/auth";

    public PubSubOptions PubSub { get; set; } = new();

    /// <summary>The project quota (requests per minute) shared by every instance of the app.</summary>
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>The most instances that may run at once (the plan's scale-out limit); each paces itself to its share.</summary>
    public int MaxInstances { get; set; } = 1;

    /// <summary>First retry delay for 429/5xx; later retries back off exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public int MaxRetries { get; set; } = 6;

    /// <summary>How far below the stored watermark a poll still looks, for reviews Google lists late.</summary>
    public TimeSpan WatermarkOverlap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a scheduled poll request may wait in the queue before the scheduler asks again for the same location
    /// (see <see cref="PollScheduler"/>): it normally asks only when the last request has been taken up.
    /// </summary>
    public TimeSpan PollRequestExpiry { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a poll request still failing after every attempt of its queue message (Google or storage down) waits
    /// before it is tried again, as a new message; it is handed on so until it is <see cref="PollRequestExpiry"/> old,
    /// when the scheduler asks again for the location anyway.
    /// </summary>
    public TimeSpan PollRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Resolve an open case automatically when its review is edited to a positive one.</summary>
    public bool AutoResolveOnPositiveEdit { get; set; }

    /// <summary>Requests per minute this instance may send: its share of the project quota.</summary>
    public int InstanceRequestsPerMinute => Math.Max(1, RequestsPerMinute / Math.Max(1, MaxInstances));

    public bool HasClient => IsSet(ClientId) && IsSet(ClientSecret);

    /// <summary>True when a setting has a real value (not empty, not an unresolved Key Vault reference).</summary>
    public static bool IsSet(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Pub/Sub push authentication: the OIDC token's audience and the service account that signs it.</summary>
public sealed class PubSubOptions
{
    public string Audience { get; set; } = string.Empty;
    public string ServiceAccount { get; set; } = string.Empty;

    /// <summary>The JWKS the token's signature is checked against; empty means Google's (https://www.googleapis.com/oauth2/v3/certs).</summary>
    public string CertsUrl { get; set; } = string.Empty;
}
