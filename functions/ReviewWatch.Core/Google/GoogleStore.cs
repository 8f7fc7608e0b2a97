using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using ReviewWatch.Storage;

namespace ReviewWatch.Google;

/// <summary>Cursors: PartitionKey "google-reviews", RowKey locationId. The newest review updateTime fully stored.</summary>
public sealed class ReviewCursorEntity : EntityBase
{
    public const string Partition = "google-reviews";

    public DateTimeOffset Watermark { get; set; }
    public DateTimeOffset? LastPolledAt { get; set; }
    public DateTimeOffset? LastReconciledAt { get; set; }

    /// <summary>When the last poll that stored everything it listed began asking Google: it saw every review up to then.</summary>
    public DateTimeOffset? LastPollStartedAt { get; set; }

    /// <summary>When the scheduler last queued a poll request for the location (see <see cref="PollScheduler"/>).</summary>
    public DateTimeOffset? LastPollRequestedAt { get; set; }

    /// <summary>When the last poll or reconciliation that emitted alerts had stored what they are about (never moves back).</summary>
    public DateTimeOffset? AlertsEmittedAt { get; set; }

    /// <summary>When the last scan for alerts still owed (ReviewIngestor.PendingAlertsAsync) began (never moves back).</summary>
    public DateTimeOffset? PendingScannedAt { get; set; }

    /// <summary>
    /// Whether a poll must look for alerts still owed at the location: only if alerts were emitted since the last look
    /// began (their output messages may have been lost with the host), or it never looked. A scan reads the whole
    /// partition, so a poll that follows a quiet one (no alerts) skips it.
    /// </summary>
    public bool OwesPendingScan => PendingScannedAt is not DateTimeOffset scanned || AlertsEmittedAt >= scanned;
}

/// <summary>PushMessages: PartitionKey "google", RowKey the Pub/Sub messageId. Present = already handled.</summary>
public sealed class PushMessageEntity : EntityBase
{
    public const string Partition = "google";

    public string ReviewName { get; set; } = string.Empty;
    public string LocationId { get; set; } = string.Empty;
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>
/// The Google client's own tables (watermarks and push dedupe), in the same storage account and with the same
/// table prefix as <see cref="ReviewWatchStorage"/>.
/// </summary>
public sealed class GoogleStore
{
    private readonly object _gate = new();
    private Task? _creation;

    public GoogleStore(TableServiceClient tables, string tablePrefix)
    {
        Cursors = tables.GetTableClient(tablePrefix + "Cursors");
        PushMessages = tables.GetTableClient(tablePrefix + "PushMessages");
    }

    public TableClient Cursors { get; }
    public TableClient PushMessages { get; }

    public static GoogleStore Create(string? connectionString, string? accountName, string tablePrefix) =>
        !string.IsNullOrWhiteSpace(connectionString)
            ? new GoogleStore(new TableServiceClient(connectionString), tablePrefix)
            : new GoogleStore(new TableServiceClient(new Uri($"https://{accountName}.table.core.windows.net"), new DefaultAzureCredential()), tablePrefix);

    /// <summary>Creates the tables once per process; a failed attempt is retried on the next call.</summary>
    public Task EnsureCreatedAsync()
    {
        lock (_gate)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                _creation = CreateAsync();
            }

            return _creation;
        }
    }

    private async Task CreateAsync()
    {
        await Cursors.CreateIfNotExistsAsync();
        await PushMessages.CreateIfNotExistsAsync();
    }

    public async Task<ReviewCursorEntity?> GetCursorAsync(string locationId, CancellationToken cancellationToken = default)
    {
        await EnsureCreatedAsync();
        return await Cursors.GetOrDefaultAsync<ReviewCursorEntity>(ReviewCursorEntity.Partition, locationId, cancellationToken);
    }

    /// <summary>Every location's cursor, by location id (one partition query).</summary>
    public async Task<Dictionary<string, ReviewCursorEntity>> ListCursorsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureCreatedAsync();
        var cursors = new Dictionary<string, ReviewCursorEntity>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ReviewCursorEntity.Partition}");
        await foreach (var cursor in Cursors.QueryAsync<ReviewCursorEntity>(filter, cancellationToken: cancellationToken))
        {
            cursors[cursor.RowKey] = cursor;
        }

        return cursors;
    }

    /// <summary>
    /// Records that polls of these locations (which have cursors) were requested at <paramref name="at"/>: only that
    /// property, merged, in batch transactions of 100 (one partition). Returns false if a transaction failed (a cursor
    /// removed meanwhile); the marks only save work, so nothing else depends on them.
    /// </summary>
    public async Task<bool> MarkPollRequestedAsync(IEnumerable<string> locationIds, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var ok = true;
        foreach (var chunk in locationIds.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var marks = chunk.Select(id => new TableTransactionAction(
                TableTransactionActionType.UpdateMerge,
                new TableEntity(ReviewCursorEntity.Partition, id) { [nameof(ReviewCursorEntity.LastPollRequestedAt)] = at },
                ETag.All));
            try
            {
                await Cursors.SubmitTransactionAsync(marks, cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>
    /// Moves the watermark forward (never back), with the ETag so two polls of one location cannot regress it, and
    /// records when the finished poll started (<paramref name="startedAt"/>; also never back). <paramref name="read"/>
    /// is the cursor as the poll read it, if it did: its ETag saves a second read when nobody moved it meanwhile.
    /// <paramref name="alertsEmittedAt"/> and <paramref name="pendingScannedAt"/>, when given, move the cursor's
    /// (see <see cref="ReviewCursorEntity.OwesPendingScan"/>), never back.
    /// </summary>
    public async Task AdvanceAsync(
        string locationId,
        DateTimeOffset watermark,
        DateTimeOffset startedAt,
        DateTimeOffset now,
        bool reconciled,
        ReviewCursorEntity? read = null,
        DateTimeOffset? alertsEmittedAt = null,
        DateTimeOffset? pendingScannedAt = null,
        CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var cursor = attempt == 0 && read is not null ? read : await GetCursorAsync(locationId, cancellationToken);
            if (cursor is null)
            {
                var fresh = new ReviewCursorEntity
                {
                    PartitionKey = ReviewCursorEntity.Partition,
                    RowKey = locationId,
                    Watermark = watermark,
                    LastPolledAt = now,
                    LastReconciledAt = reconciled ? now : null,
                    LastPollStartedAt = startedAt,
                    AlertsEmittedAt = alertsEmittedAt,
                    // A location's first poll lists every review, so it has seen every alert owed there.
                    PendingScannedAt = pendingScannedAt ?? (reconciled ? null : startedAt),
                };
                if (await Cursors.TryAddAsync(fresh, cancellationToken))
                {
                    return;
                }

                continue;
            }

            if (cursor.Watermark > watermark)
            {
                watermark = cursor.Watermark;
            }

            cursor.Watermark = watermark;
            cursor.LastPolledAt = now;
            cursor.LastReconciledAt = reconciled ? now : cursor.LastReconciledAt;
            cursor.LastPollStartedAt = cursor.LastPollStartedAt > startedAt ? cursor.LastPollStartedAt : startedAt;
            cursor.AlertsEmittedAt = Later(cursor.AlertsEmittedAt, alertsEmittedAt);
            cursor.PendingScannedAt = Later(cursor.PendingScannedAt, pendingScannedAt);
            try
            {
                await Cursors.UpdateEntityAsync(cursor, cursor.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Another poll moved it meanwhile: re-read and keep the larger.
            }
        }
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
