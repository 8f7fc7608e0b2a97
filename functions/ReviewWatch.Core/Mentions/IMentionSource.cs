namespace ReviewWatch.Mentions;

/// <summary>One post found by a source, before relevance, dedupe and scoring.</summary>
/// <param name="Url">The post as people open it (for dedupe it is canonicalised).</param>
public sealed record MentionItem(
    string Source,
    string ExternalId,
    string Url,
    string Author,
    string Title,
    string Text,
    DateTimeOffset PublishedAt);

/// <summary>
/// One thing a source watches for a business, polled with its own cursor: a feed, a search query, a hashtag on one
/// Mastodon instance. <see cref="Key"/> is safe in a table key; <see cref="Target"/> is what the source asks for.
/// </summary>
public sealed record MentionScope(string Key, string Target, string Instance = "");

/// <summary>
/// What one fetch found. <see cref="Cursor"/> is where the next poll starts; it is only trusted when
/// <see cref="Complete"/> (every page down to the old cursor was read), otherwise the old cursor stays and the
/// overlap is deduplicated. <see cref="NotBefore"/> is set when the API's rate limit is spent.
/// </summary>
public sealed record MentionFetchResult(IReadOnlyList<MentionItem> Items, string? Cursor, bool Complete = true, DateTimeOffset? NotBefore = null, int Pages = 1);

/// <summary>The seam every mention source sits behind (RSS/Atom, Reddit, Bluesky, Mastodon).</summary>
public interface IMentionSource
{
    /// <summary>rss, reddit, bluesky, mastodon: part of cursor keys, counters and mention rows.</summary>
    string Name { get; }

    /// <summary>What to poll for this business (empty when the source is off for it).</summary>
    IReadOnlyList<MentionScope> ScopesFor(MentionConfig config);

    /// <summary>Items newer than <paramref name="cursor"/> (all pages, newest first is fine). Throws <see cref="MentionSourceException"/> on failure.</summary>
    Task<MentionFetchResult> FetchAsync(MentionConfig config, MentionScope scope, string? cursor, CancellationToken cancellationToken = default);
}

/// <summary>A source failed. <see cref="RetryAt"/> is set when it was rate limited (429 or its remaining budget spent).</summary>
public sealed class MentionSourceException(string source, int status, string message, DateTimeOffset? retryAt = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string SourceName { get; } = source;
    public int Status { get; } = status;
    public DateTimeOffset? RetryAt { get; } = retryAt;
    public bool RateLimited => RetryAt is not null;
}
