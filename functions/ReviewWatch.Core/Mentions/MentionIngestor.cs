using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Messaging;
using ReviewWatch.Sentiment;
using ReviewWatch.Storage;

namespace ReviewWatch.Mentions;

/// <summary>What one ingest pass did. <see cref="Alerts"/> are the alert messages still owed (to be enqueued).</summary>
public sealed record MentionIngestResult(int Added, int Duplicates, int Dropped, int Unchanged, IReadOnlyList<AlertMessage> Alerts);

/// <summary>MentionHashes: PartitionKey businessId, RowKey content hash. The mention that first carried a text.</summary>
public sealed class MentionHashEntity : EntityBase
{
    public string MentionKey { get; set; } = string.Empty;
}

/// <summary>MentionCounters: PartitionKey businessId, RowKey {source}-{reason}. Items dropped by the relevance filter.</summary>
public sealed class MentionCounterEntity : EntityBase
{
    public string Source { get; set; } = string.Empty;
    public string Reason { get; set; } = string.Empty;
    public long Count { get; set; }
    public DateTimeOffset LastAt { get; set; }
}

/// <summary>
/// Stores mentions like reviews are stored: idempotently, keyed by the canonical URL, so a post seen again (by a
/// later poll or another source) is not written twice; the same text under another URL is recorded as a duplicate of
/// the first (content hash index). Items the relevance filter drops are stored as dropped and counted once per
/// business, source and reason. Kept items are scored from their text alone and flagged as rating-less reviews
/// are; a flagged mention owes an alert (<c>AlertState = pending</c>) until the dispatcher has opened its case.
/// </summary>
public sealed class MentionIngestor(
    ReviewWatchStorage storage,
    ISentimentAnalyzer analyzer,
    IOptions<FlaggingOptions> flagging,
    IOptions<MentionsOptions> options,
    TimeProvider time,
    ILogger<MentionIngestor> logger)
{
    public const string ItemKind = "mention";

    public async Task<MentionIngestResult> IngestAsync(string businessId, MentionConfig config, string scope, IReadOnlyList<MentionItem> items, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var alerts = new List<AlertMessage>();
        var toScore = new List<(MentionItem Item, string Canonical, string Key, string Hash)>();
        int duplicates = 0, dropped = 0, unchanged = 0;
        var now = time.GetUtcNow();

        var byKey = items.Select(i => (Item: i, Canonical: MentionText.CanonicalUrl(i.Url)))
            .GroupBy(x => MentionText.KeyFor(x.Canonical))
            .Select(g => (g.First().Item, g.First().Canonical, Key: g.Key));
        foreach (var (item, canonical, key) in byKey)
        {
            var existing = await storage.Mentions.GetOrDefaultAsync<MentionEntity>(businessId, key, cancellationToken);
            if (existing is not null)
            {
                unchanged++;
                if (existing.AlertState == "pending")
                {
                    alerts.Add(AlertFor(existing));
                }

                continue;
            }

            var row = NewRow(businessId, key, canonical, scope, item, now);
            if (MentionRelevance.DropReason(config, item) is { } reason)
            {
                row.Status = "dropped";
                row.DropReason = reason;
                if (await storage.Mentions.TryAddAsync(row, cancellationToken))
                {
                    dropped++;
                    await CountDropAsync(businessId, item.Source, reason, now, cancellationToken);
                    logger.LogInformation("Dropped {Source} mention {Url} for {BusinessId}: {Reason}", item.Source, item.Url, businessId, reason);
                }
                else
                {
                    unchanged++;
                }

                continue;
            }

            var normalised = MentionText.Normalise($"{item.Title} {item.Text}");
            var hash = normalised.Length >= options.Value.MinContentHashLength ? MentionText.ContentHash(normalised) : string.Empty;
            row.ContentHash = hash;
            if (hash.Length > 0 && await FirstWithTextAsync(businessId, hash, key, cancellationToken) is { } original)
            {
                // Same words under another address (a repost, a cross-post): remember it so later polls skip it fast.
                row.Status = "duplicate";
                row.DuplicateOf = original;
                if (await storage.Mentions.TryAddAsync(row, cancellationToken))
                {
                    duplicates++;
                    logger.LogInformation("{Source} mention {Url} for {BusinessId} repeats mention {Original}", item.Source, item.Url, businessId, original);
                }
                else
                {
                    unchanged++;
                }

                continue;
            }

            toScore.Add((item, canonical, key, hash));
        }

        if (toScore.Count == 0)
        {
            return new MentionIngestResult(0, duplicates, dropped, unchanged, alerts);
        }

        var scores = await analyzer.AnalyzeAsync(toScore.Select(x => new SentimentInput(x.Key, Join(x.Item.Title, x.Item.Text))).ToList(), cancellationToken);
        var added = 0;
        for (var i = 0; i < toScore.Count; i++)
        {
            var (item, canonical, key, hash) = toScore[i];
            var decision = Flagger.Decide(null, scores[i], flagging.Value);
            var row = NewRow(businessId, key, canonical, scope, item, now);
            row.ContentHash = hash;
            row.Language = scores[i].Language;
            row.Sentiment = decision.Label.ToString().ToLowerInvariant();
            row.SentimentScore = decision.Score;
            row.Touchpoints = JsonSerializer.Serialize(scores[i].Touchpoints.Select(t => new { name = t.Name, label = t.Label.ToString().ToLowerInvariant() }));
            row.Flagged = decision.Flag;
            row.Severity = decision.Flag ? decision.Severity.ToString().ToLowerInvariant() : "none";
            row.AlertState = decision.Flag ? "pending" : "none";
            if (!await storage.Mentions.TryAddAsync(row, cancellationToken))
            {
                // Another instance stored it first: theirs stands; re-read to learn whether an alert is owed.
                var theirs = await storage.Mentions.GetOrDefaultAsync<MentionEntity>(businessId, key, cancellationToken);
                unchanged++;
                if (theirs?.AlertState == "pending")
                {
                    alerts.Add(AlertFor(theirs));
                }

                continue;
            }

            added++;
            if (row.AlertState == "pending")
            {
                alerts.Add(AlertFor(row));
            }
        }

        logger.LogInformation(
            "Mentions for {BusinessId} ({Scope}): {Added} new, {Duplicates} duplicates, {Dropped} dropped, {Unchanged} seen before, {Alerts} alerts owed",
            businessId, scope, added, duplicates, dropped, unchanged, alerts.Count);
        return new MentionIngestResult(added, duplicates, dropped, unchanged, alerts);
    }

    public static AlertMessage AlertFor(MentionEntity mention) =>
        new(MessageCodec.CurrentVersion, mention.BusinessId, ItemKind, mention.PartitionKey, mention.RowKey, mention.Severity);

    /// <summary>The counters of dropped items for a business: (source, reason) → count.</summary>
    public async Task<IReadOnlyDictionary<(string Source, string Reason), long>> DropCountsAsync(string businessId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var counts = new Dictionary<(string, string), long>();
        await foreach (var c in storage.MentionCounters.QueryAsync<MentionCounterEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {businessId}"), cancellationToken: cancellationToken))
        {
            counts[(c.Source, c.Reason)] = c.Count;
        }

        return counts;
    }

    /// <summary>The key of the mention that already carries this text, or null when this one is first (and is now indexed).</summary>
    private async Task<string?> FirstWithTextAsync(string businessId, string hash, string key, CancellationToken cancellationToken)
    {
        if (await storage.MentionHashes.TryAddAsync(new MentionHashEntity { PartitionKey = businessId, RowKey = hash, MentionKey = key }, cancellationToken))
        {
            return null;
        }

        var first = await storage.MentionHashes.GetOrDefaultAsync<MentionHashEntity>(businessId, hash, cancellationToken);
        // Ours already (a crash between indexing and storing the mention): carry on storing it.
        return first is null || first.MentionKey == key ? null : first.MentionKey;
    }

    private async Task CountDropAsync(string businessId, string source, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rowKey = $"{source}-{reason}";
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var counter = await storage.MentionCounters.GetOrDefaultAsync<MentionCounterEntity>(businessId, rowKey, cancellationToken);
            if (counter is null)
            {
                if (await storage.MentionCounters.TryAddAsync(new MentionCounterEntity { PartitionKey = businessId, RowKey = rowKey, Source = source, Reason = reason, Count = 1, LastAt = now }, cancellationToken))
                {
                    return;
                }

                continue;
            }

            counter.Count++;
            counter.LastAt = now;
            try
            {
                await storage.MentionCounters.UpdateEntityAsync(counter, counter.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Another poll counted meanwhile: re-read and add ours.
            }
        }

        logger.LogWarning("Could not count a dropped {Source} mention for {BusinessId} ({Reason}) after 10 attempts", source, businessId, reason);
    }

    private static MentionEntity NewRow(string businessId, string key, string canonical, string scope, MentionItem item, DateTimeOffset now) => new()
    {
        PartitionKey = businessId,
        RowKey = key,
        Source = item.Source,
        Scope = scope,
        ExternalId = item.ExternalId,
        Url = item.Url,
        CanonicalUrl = canonical,
        Author = item.Author,
        Title = Cap(item.Title, 1000),
        Text = Cap(item.Text, 8000),
        PublishedAt = item.PublishedAt == DateTimeOffset.MinValue ? now : item.PublishedAt,
        FirstSeenAt = now,
    };

    private static string Join(string title, string text) =>
        title.Length == 0 ? text : text.Length == 0 || text.StartsWith(title, StringComparison.Ordinal) ? (text.Length == 0 ? title : text) : $"{title}. {text}";

    // Table properties hold at most 64 KiB; a mention needs far less to be judged and read.
    private static string Cap(string s, int max) => s.Length > max ? s[..max] : s;
}
