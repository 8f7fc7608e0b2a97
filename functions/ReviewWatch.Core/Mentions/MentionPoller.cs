using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReviewWatch.Businesses;
using ReviewWatch.Messaging;
using ReviewWatch.Storage;

namespace ReviewWatch.Mentions;

/// <summary>MentionCursors: PartitionKey "mentions", RowKey {businessId}-{source}-{scope}. Where the next poll starts.</summary>
public sealed class MentionCursorEntity : EntityBase
{
    public const string Partition = "mentions";

    /// <summary>The source's own position (newest created time or status id stored), advanced only after the items are stored.</summary>
    public string Cursor { get; set; } = string.Empty;

    /// <summary>The source's rate limit is spent until then: the scope is skipped.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset? LastPolledAt { get; set; }
    public string LastError { get; set; } = string.Empty;
    public DateTimeOffset? LastErrorAt { get; set; }

    public static string KeyFor(string businessId, string source, string scope) => TableClientExtensions.SafeKey($"{businessId}-{source}-{scope}");
}

/// <summary>What one PollMentions run did.</summary>
public sealed record MentionPollResult(int Businesses, int Scopes, int Added, int Duplicates, int Dropped, int Skipped, int Failed, IReadOnlyList<AlertMessage> Alerts);

/// <summary>
/// Polls every business's mention sources. Each source and scope has its own cursor, moved only after its items
/// are stored. Sources are isolated: one that fails is logged (with source and business) and the others go on; one
/// that is rate limited (429, or its remaining budget spent) gets a NotBefore from the API's headers and is skipped
/// until then.
/// </summary>
public sealed class MentionPoller(
    BusinessDirectory directory,
    ReviewWatchStorage storage,
    IEnumerable<IMentionSource> sources,
    MentionIngestor ingestor,
    TimeProvider time,
    ILogger<MentionPoller> logger)
{
    public async Task<MentionPollResult> PollAllAsync(CancellationToken cancellationToken = default)
    {
        int businesses = 0, scopes = 0, added = 0, duplicates = 0, dropped = 0, skipped = 0, failed = 0;
        var alerts = new List<AlertMessage>();
        foreach (var business in await directory.ListBusinessesAsync(cancellationToken))
        {
            MentionConfig? config;
            try
            {
                config = MentionConfig.Parse(business.MentionSettings);
            }
            catch (System.Text.Json.JsonException ex)
            {
                logger.LogError("Business {BusinessId} has unreadable mention settings: {Error}", business.RowKey, ex.Message);
                failed++;
                continue;
            }

            if (config is null || !config.Enabled)
            {
                continue;
            }

            businesses++;
            foreach (var source in sources.Where(s => config.IsOn(s.Name)))
            {
                foreach (var scope in source.ScopesFor(config))
                {
                    scopes++;
                    try
                    {
                        var outcome = await PollScopeAsync(business.RowKey, config, source, scope, cancellationToken);
                        if (outcome is null)
                        {
                            skipped++;
                            continue;
                        }

                        added += outcome.Added;
                        duplicates += outcome.Duplicates;
                        dropped += outcome.Dropped;
                        alerts.AddRange(outcome.Alerts);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        // One source's failure never stops the others; the next run tries it again.
                        failed++;
                        logger.LogError(ex, "Polling {Source} ({Scope}) for {BusinessId} failed: {Error}", source.Name, scope.Key, business.RowKey, ex.Message);
                        await RecordErrorAsync(business.RowKey, source.Name, scope.Key, ex.Message, cancellationToken);
                    }
                }
            }
        }

        return new MentionPollResult(businesses, scopes, added, duplicates, dropped, skipped, failed, alerts);
    }

    /// <summary>Polls one scope; null when it was skipped because its source is rate limited.</summary>
    private async Task<MentionIngestResult?> PollScopeAsync(string businessId, MentionConfig config, IMentionSource source, MentionScope scope, CancellationToken cancellationToken)
    {
        var key = MentionCursorEntity.KeyFor(businessId, source.Name, scope.Key);
        var cursor = await storage.MentionCursors.GetOrDefaultAsync<MentionCursorEntity>(MentionCursorEntity.Partition, key, cancellationToken)
            ?? new MentionCursorEntity { PartitionKey = MentionCursorEntity.Partition, RowKey = key };
        var now = time.GetUtcNow();
        if (cursor.NotBefore is { } notBefore && notBefore > now)
        {
            logger.LogInformation("Skipping {Source} ({Scope}) for {BusinessId}: rate limited until {NotBefore:O}", source.Name, scope.Key, businessId, notBefore);
            return null;
        }

        MentionFetchResult fetch;
        try
        {
            fetch = await source.FetchAsync(config, scope, cursor.Cursor.Length == 0 ? null : cursor.Cursor, cancellationToken);
        }
        catch (MentionSourceException ex) when (ex.RateLimited)
        {
            cursor.NotBefore = ex.RetryAt;
            cursor.LastError = ex.Message;
            cursor.LastErrorAt = now;
            await storage.MentionCursors.UpsertEntityAsync(cursor, TableUpdateMode.Replace, cancellationToken);
            logger.LogWarning("{Source} ({Scope}) for {BusinessId} is rate limited until {NotBefore:O}; the other sources go on", source.Name, scope.Key, businessId, ex.RetryAt);
            return null;
        }

        var result = await ingestor.IngestAsync(businessId, config, $"{source.Name}/{scope.Key}", fetch.Items, cancellationToken);

        // Only now, with the items stored, may the cursor move; a partial read keeps the old one (the overlap dedupes).
        if (fetch.Complete && !string.IsNullOrEmpty(fetch.Cursor))
        {
            cursor.Cursor = fetch.Cursor;
        }

        cursor.NotBefore = fetch.NotBefore;
        cursor.LastPolledAt = now;
        cursor.LastError = string.Empty;
        await storage.MentionCursors.UpsertEntityAsync(cursor, TableUpdateMode.Replace, cancellationToken);
        if (fetch.NotBefore is { } until)
        {
            logger.LogWarning("{Source} ({Scope}) for {BusinessId}: rate-limit budget spent after {Pages} pages; next poll after {NotBefore:O}", source.Name, scope.Key, businessId, fetch.Pages, until);
        }

        if (result.Dropped > 0)
        {
            logger.LogInformation("{Source} ({Scope}) for {BusinessId}: {Dropped} items dropped by the relevance filter (counted in MentionCounters)", source.Name, scope.Key, businessId, result.Dropped);
        }

        return result;
    }

    private async Task RecordErrorAsync(string businessId, string source, string scope, string error, CancellationToken cancellationToken)
    {
        try
        {
            var key = MentionCursorEntity.KeyFor(businessId, source, scope);
            var cursor = await storage.MentionCursors.GetOrDefaultAsync<MentionCursorEntity>(MentionCursorEntity.Partition, key, cancellationToken)
                ?? new MentionCursorEntity { PartitionKey = MentionCursorEntity.Partition, RowKey = key };
            cursor.LastError = error.Length > 500 ? error[..500] : error;
            cursor.LastErrorAt = time.GetUtcNow();
            await storage.MentionCursors.UpsertEntityAsync(cursor, TableUpdateMode.Replace, cancellationToken);
        }
        catch (Azure.RequestFailedException ex)
        {
            logger.LogWarning("Could not record the {Source} error for {BusinessId}: {Error}", source, businessId, ex.Message);
        }
    }
}
