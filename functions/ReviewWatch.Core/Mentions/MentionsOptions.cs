namespace ReviewWatch.Mentions;

/// <summary>
/// App-wide mention settings (section "Mentions"); what to watch is per business (<see cref="MentionConfig"/>):
/// <code>
/// Mentions__Reddit__BaseUrl=https://oauth.reddit.com
/// Mentions__Reddit__TokenUrl=https://www.reddit.com/api/v1/access_token
/// Mentions__Reddit__ClientId, Mentions__Reddit__ClientSecret, Mentions__Reddit__UserAgent
/// Mentions__Bluesky__BaseUrl=https://public.api.bsky.app
/// Mentions__MaxPages=5, Mentions__RetryBaseDelay=00:00:01, Mentions__DefaultBackoff=00:01:00
/// </code>
/// </summary>
public sealed class MentionsOptions
{
    public const string Section = "Mentions";

    public RedditOptions Reddit { get; set; } = new();
    public BlueskyOptions Bluesky { get; set; } = new();

    /// <summary>The most pages one poll reads per source and scope (the first poll of a new business reads this far back).</summary>
    public int MaxPages { get; set; } = 5;

    /// <summary>First retry delay for 5xx and network errors; later retries back off exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a source that answered 429 without saying when to come back is left alone.</summary>
    public TimeSpan DefaultBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Texts shorter than this (normalised) are not deduplicated by content: "Kanelitupa!" twice is two people.</summary>
    public int MinContentHashLength { get; set; } = 24;
}

public sealed class RedditOptions
{
    public string BaseUrl { get; set; } = "https://oauth.reddit.com";
    public string TokenUrl { get; set; } = "https://www.reddit.com/api/v1/access_token";
    public string ClientId { get; set; } = string.Empty;
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>Reddit throttles generic user agents; theirs asks for platform:app:version (by /u/name).</summary>
    public string UserAgent { get; set; } = "server:reviewwatch:1.0 (mentions monitor)";

    public bool IsConfigured => Google.GoogleOptions.IsSet(ClientId) && Google.GoogleOptions.IsSet(ClientSecret);
}

public sealed class BlueskyOptions
{
    public string BaseUrl { get; set; } = "https://public.api.bsky.app";
}
