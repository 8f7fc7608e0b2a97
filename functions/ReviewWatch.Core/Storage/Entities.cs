using Azure;
using Azure.Data.Tables;

namespace ReviewWatch.Storage;

/// <summary>Common plumbing every table row carries.</summary>
public abstract class EntityBase : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}

/// <summary>Businesses: PartitionKey "b", RowKey businessId.</summary>
public sealed class BusinessEntity : EntityBase
{
    public const string Partition = "b";

    public string Name { get; set; } = string.Empty;
    /// <summary>The business's own language for the digest and UI (fi, en).</summary>
    public string Language { get; set; } = "fi";
    /// <summary>IANA time zone, e.g. Europe/Helsinki.</summary>
    public string TimeZone { get; set; } = "Europe/Helsinki";
    public string OwnerName { get; set; } = string.Empty;
    public string OwnerEmail { get; set; } = string.Empty;
    /// <summary>The named person a reply invites the customer to contact.</summary>
    public string ContactName { get; set; } = string.Empty;
    public string ContactEmail { get; set; } = string.Empty;
    public string ContactPhone { get; set; } = string.Empty;
    /// <summary>The make-good offered in drafted replies, per language.</summary>
    public string MakeGoodFi { get; set; } = string.Empty;
    public string MakeGoodEn { get; set; } = string.Empty;
    /// <summary>Reply templates per language; empty uses the built-in one. Placeholders: {name} {touchpoints} {makegood} {contact} {business}.</summary>
    public string ReplyTemplateFi { get; set; } = string.Empty;
    public string ReplyTemplateEn { get; set; } = string.Empty;
    /// <summary>Local time "HH:mm" when non-critical alerts start waiting (empty: no quiet hours).</summary>
    public string QuietHoursStart { get; set; } = string.Empty;
    /// <summary>Local time "HH:mm" when waiting alerts go out.</summary>
    public string QuietHoursEnd { get; set; } = string.Empty;
    /// <summary>JSON array of alert routes: [{"channel","target","minSeverity","locations":[…]}]; empty uses the app's defaults.</summary>
    public string AlertRoutes { get; set; } = string.Empty;
    /// <summary>JSON of the business's mention monitoring (<see cref="Mentions.MentionConfig"/>); empty: mentions off.</summary>
    public string MentionSettings { get; set; } = string.Empty;
}

/// <summary>ChannelHealth: PartitionKey businessId, RowKey route key. Shows staff a channel that keeps failing.</summary>
public sealed class ChannelHealthEntity : EntityBase
{
    public string Channel { get; set; } = string.Empty;
    public string Target { get; set; } = string.Empty;
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastFailureAt { get; set; }
    public int ConsecutiveFailures { get; set; }
    public string LastError { get; set; } = string.Empty;
}

/// <summary>Users: PartitionKey "u", RowKey the lower-cased sign-in name (email). Who may see which businesses.</summary>
public sealed class UserEntity : EntityBase
{
    public const string Partition = "u";

    public string DisplayName { get; set; } = string.Empty;
    /// <summary>Comma-separated: owner, staff.</summary>
    public string Roles { get; set; } = "staff";
    /// <summary>Comma-separated business ids, or "*" for all.</summary>
    public string Businesses { get; set; } = string.Empty;
}

/// <summary>Locations: PartitionKey businessId, RowKey locationId (unique across businesses).</summary>
public sealed class LocationEntity : EntityBase
{
    public string BusinessId => PartitionKey;
    public string LocationId => RowKey;
    public string Name { get; set; } = string.Empty;
    public string City { get; set; } = string.Empty;
    /// <summary>Where reviews come from: "file" (a GBP-shaped JSON file) or "google".</summary>
    public string Source { get; set; } = "file";
    /// <summary>File path for "file"; the Google resource name accounts/{a}/locations/{l} for "google".</summary>
    public string SourceRef { get; set; } = string.Empty;
    /// <summary>Google connection state: empty/"ok", "reconnect" (token refused: run google connect), "forbidden" (403), "not-found" (404).</summary>
    public string ConnectionStatus { get; set; } = string.Empty;
    /// <summary>The last error polling this location, as Google gave it; empty after a successful poll.</summary>
    public string LastError { get; set; } = string.Empty;
}

/// <summary>Reviews: PartitionKey locationId, RowKey the (sanitised) Google reviewId.</summary>
public sealed class ReviewEntity : EntityBase
{
    public string BusinessId { get; set; } = string.Empty;
    public string ReviewName { get; set; } = string.Empty;
    public string ReviewId { get; set; } = string.Empty;
    public string ReviewerName { get; set; } = string.Empty;
    public bool ReviewerAnonymous { get; set; }
    /// <summary>1–5; 0 when Google gave no rating.</summary>
    public int Rating { get; set; }
    /// <summary>The text the reviewer wrote (the original, when Google wrapped it in a translation).</summary>
    public string Text { get; set; } = string.Empty;
    /// <summary>Google's machine translation, when the comment carried one.</summary>
    public string TranslatedText { get; set; } = string.Empty;
    public DateTimeOffset CreateTime { get; set; }
    public DateTimeOffset UpdateTime { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public string ReplyText { get; set; } = string.Empty;
    public DateTimeOffset? ReplyTime { get; set; }
    public string Language { get; set; } = "und";
    public string Sentiment { get; set; } = "neutral";
    public double SentimentScore { get; set; }
    /// <summary>JSON array of {name,label}.</summary>
    public string Touchpoints { get; set; } = "[]";
    public bool Flagged { get; set; }
    public string Severity { get; set; } = "none";
    /// <summary>none | pending (alert owed) | dispatched (case exists and the owner was told).</summary>
    public string AlertState { get; set; } = "none";
    public string CaseId { get; set; } = string.Empty;
    public string ContentHash { get; set; } = string.Empty;
    /// <summary>When the source stopped returning the review (Google removed it); null while it is live.</summary>
    public DateTimeOffset? RemovedAt { get; set; }
    /// <summary>Where the review came from: "google" or "file".</summary>
    public string Source { get; set; } = "google";
    /// <summary>The reply text we last posted to Google (ReplyText/ReplyTime hold Google's echo).</summary>
    public string PostedReplyText { get; set; } = string.Empty;
    public DateTimeOffset? PostedReplyAt { get; set; }
}

/// <summary>CaseEvents: PartitionKey caseId, RowKey sortable time + id. The audit trail.</summary>
public sealed class CaseEventEntity : EntityBase
{
    public string Type { get; set; } = string.Empty;
    public string Actor { get; set; } = string.Empty;
    public DateTimeOffset At { get; set; }
    public string Details { get; set; } = string.Empty;
}

/// <summary>
/// Notifications: PartitionKey businessId, RowKey "{caseId}.{channel}-{severity}" (see <see cref="RowKeyFor"/>). One
/// row = one alert, sent once. Partitioned by business so that the alerts of one packed queue message (one business)
/// can be claimed in one batch transaction, and keyed so that every row key is distinct: Azurite finds a row through
/// its row-key index and then scans the matches for the partition, so a row key shared by every case (the old
/// "outbox-high" under a case partition) made each claim scan all notifications. Digest rows use the partition
/// <c>digest.{business}.{week}</c> and the route key as row key (see RoutedDigestSender).
/// </summary>
public sealed class NotificationEntity : EntityBase
{
    /// <summary>The row key of a case's notification with the given idempotency key (see Alert.NotificationKey).</summary>
    public static string RowKeyFor(string caseId, string notificationKey) => $"{caseId}.{notificationKey}";

    /// <summary>The case a case notification's row key belongs to; null for rows that are not a case's (digests).</summary>
    public static string? CaseIdOf(string rowKey) =>
        rowKey.StartsWith("c-", StringComparison.Ordinal) && rowKey.IndexOf('.', StringComparison.Ordinal) is > 0 and var dot ? rowKey[..dot] : null;

    /// <summary>sending | sent | failed.</summary>
    public string Status { get; set; } = "sending";
    public DateTimeOffset ClaimedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string LastError { get; set; } = string.Empty;
    public string Target { get; set; } = string.Empty;
}

/// <summary>Digests: PartitionKey businessId, RowKey ISO week (2026-W47).</summary>
public sealed class DigestEntity : EntityBase
{
    public string Json { get; set; } = string.Empty;
    public string Html { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>
/// Mentions: PartitionKey businessId, RowKey hash of the canonical URL. One row per post seen on social media or a
/// feed, whether kept (scored, maybe alerted), dropped by the relevance filter, or a duplicate of another mention's text.
/// </summary>
public sealed class MentionEntity : EntityBase
{
    public string BusinessId => PartitionKey;
    /// <summary>rss, reddit, bluesky or mastodon.</summary>
    public string Source { get; set; } = string.Empty;
    public string Scope { get; set; } = string.Empty;
    /// <summary>The platform's own id (Reddit fullname, Bluesky at:// URI, Mastodon status id, feed item id).</summary>
    public string ExternalId { get; set; } = string.Empty;
    /// <summary>The post as people open it.</summary>
    public string Url { get; set; } = string.Empty;
    public string CanonicalUrl { get; set; } = string.Empty;
    public string Author { get; set; } = string.Empty;
    public string Title { get; set; } = string.Empty;
    public string Text { get; set; } = string.Empty;
    public DateTimeOffset PublishedAt { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    /// <summary>kept | dropped (relevance filter, see DropReason) | duplicate (same text as DuplicateOf).</summary>
    public string Status { get; set; } = "kept";
    public string DropReason { get; set; } = string.Empty;
    public string DuplicateOf { get; set; } = string.Empty;
    public string ContentHash { get; set; } = string.Empty;
    public string Language { get; set; } = "und";
    public string Sentiment { get; set; } = "neutral";
    public double SentimentScore { get; set; }
    /// <summary>JSON array of {name,label}.</summary>
    public string Touchpoints { get; set; } = "[]";
    public bool Flagged { get; set; }
    public string Severity { get; set; } = "none";
    /// <summary>none | pending (alert owed) | deferred (quiet hours) | dispatched.</summary>
    public string AlertState { get; set; } = "none";
    public string CaseId { get; set; } = string.Empty;
}
