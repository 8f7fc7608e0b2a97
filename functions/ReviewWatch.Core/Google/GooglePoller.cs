using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using ReviewWatch.Alerts;
using ReviewWatch.Reviews;
using ReviewWatch.Storage;

namespace ReviewWatch.Google;

/// <summary>
/// What one poll or reconciliation of a location did. <see cref="Error"/> is set when Google refused it;
/// <see cref="CoveredBy"/> when the poll was skipped because one that started after the request had already run.
/// </summary>
public sealed record GooglePollResult(IngestResult Ingest, int Pages, int Removed, string? Error, DateTimeOffset? CoveredBy = null)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Polls one Google location incrementally and reconciles it in full. A poll pages through reviews.list
/// (updateTime desc) until it reaches the stored watermark minus an overlap window, storing each page through the
/// <see cref="ReviewIngestor"/> (which skips reviews already stored with the same updateTime), and moves the
/// watermark only after every page down to the old one is stored. A refused location (401 after one refresh,
/// 403, 404) is marked on its <see cref="LocationEntity"/> and logged; it never throws, so other locations go on.
/// </summary>
public sealed class GooglePoller(
    GoogleBusinessClient client,
    GoogleStore store,
    ReviewIngestor ingestor,
    ReviewWatchStorage storage,
    IOptions<GoogleOptions> options,
    IOptions<AlertingOptions> alerting,
    TimeProvider time,
    ILogger<GooglePoller> logger)
{
    public const string Connected = "ok";
    public const string Reconnect = "reconnect";

    /// <summary>
    /// Polls the location, unless a poll that started after <paramref name="requestedAt"/> has finished already: it
    /// fetched everything this request could, so asking Google again would only spend quota. That is what keeps a
    /// backlog of scheduled and pushed requests for one location (after an outage, or when polls queue faster than
    /// they run) from growing: each redundant request costs one cursor read.
    /// </summary>
    public async Task<GooglePollResult> PollAsync(LocationEntity location, DateTimeOffset? requestedAt = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var startedAt = time.GetUtcNow();
            var cursor = await store.GetCursorAsync(location.LocationId, cancellationToken);
            if (requestedAt is not null && cursor?.LastPollStartedAt is DateTimeOffset covered && covered >= requestedAt)
            {
                return new GooglePollResult(Empty, 0, 0, null, covered);
            }

            var stop = cursor?.Watermark - options.Value.WatermarkOverlap;
            var newest = cursor?.Watermark ?? DateTimeOffset.MinValue;
            var total = Empty;
            var pages = 0;
            string? pageToken = null;
            // Pages (50 reviews at most) are stored once the next could not join them in one transaction (100), so a
            // transaction carries up to 100 reviews; the watermark moves only once all of them are stored, so holding
            // a page back risks nothing.
            var unstored = new List<GbpReview>();
            async Task StoreAsync()
            {
                // Reviews newer than the watermark are new unless a poll died before moving it (or they were edited):
                // inserted without reading first, and read only if the insert meets a stored row.
                total = Add(total, await ingestor.IngestAsync(location, unstored, cursor?.Watermark ?? DateTimeOffset.MinValue, cancellationToken));
                unstored.Clear();
            }

            do
            {
                var page = await client.ListReviewsAsync(location.SourceRef, pageToken, cancellationToken);
                pages++;
                var reviews = page.Reviews ?? [];
                unstored.AddRange(stop is null ? reviews : reviews.Where(r => r.LastChanged > stop));
                if (unstored.Count > ReviewIngestor.InsertBatchSize - GoogleBusinessClient.ReviewPageSize)
                {
                    await StoreAsync();
                }

                newest = reviews.Select(r => r.LastChanged).Append(newest).Max();
                if (stop is not null && reviews.Any(r => r.LastChanged <= stop))
                {
                    break; // everything older is stored already
                }

                pageToken = page.NextPageToken;
            }
            while (!string.IsNullOrEmpty(pageToken));

            if (unstored.Count > 0)
            {
                await StoreAsync();
            }

            // Every alert still owed at this location, not only those of the reviews listed this time (see
            // PendingAlertsAsync), when one may be: alerts were emitted since the last look (their messages can be lost
            // with the host that was to write them). The first poll of a location lists everything, so it needn't look.
            DateTimeOffset? scannedAt = null;
            if (cursor is { OwesPendingScan: true })
            {
                scannedAt = time.GetUtcNow();
                total = Add(total, new IngestResult(0, 0, 0, await ingestor.PendingAlertsAsync(location.LocationId, cancellationToken)));
            }

            if (newest > DateTimeOffset.MinValue)
            {
                var now = time.GetUtcNow();
                await store.AdvanceAsync(location.LocationId, newest, startedAt, now, reconciled: false, cursor, total.Alerts.Count > 0 ? now : null, scannedAt, cancellationToken);
            }

            await MarkConnectedAsync(location, cancellationToken);
            return new GooglePollResult(total, pages, 0, null);
        }
        catch (GoogleApiException ex) when (ex.NeedsReconnect || ex.Status is 403 or 404)
        {
            await MarkRefusedAsync(location, ex, cancellationToken);
            return new GooglePollResult(Empty, 0, 0, ex.Reason);
        }
    }

    /// <summary>
    /// Lists the location in full, stores anything new or changed, marks reviews Google no longer returns as removed
    /// (and tells the owner, once, when a 4–5★ review disappears) and brings back any that reappeared.
    /// </summary>
    public async Task<GooglePollResult> ReconcileAsync(LocationEntity location, CancellationToken cancellationToken = default)
    {
        try
        {
            var startedAt = time.GetUtcNow();
            var listed = new List<GbpReview>();
            var pages = 0;
            int? reportedTotal = null;
            string? pageToken = null;
            do
            {
                var page = await client.ListReviewsAsync(location.SourceRef, pageToken, cancellationToken);
                pages++;
                listed.AddRange(page.Reviews ?? []);
                reportedTotal ??= page.TotalReviewCount;
                pageToken = page.NextPageToken;
            }
            while (!string.IsNullOrEmpty(pageToken));

            var ingest = await ingestor.IngestAsync(location, listed, cancellationToken);
            var live = listed.Select(r => TableClientExtensions.SafeKey(r.Id)).ToHashSet(StringComparer.Ordinal);
            var now = time.GetUtcNow();
            var removed = 0;
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {location.LocationId}");
            var changes = new List<ReviewEntity>();
            var storedLive = 0;
            await foreach (var stored in storage.Reviews.QueryAsync<ReviewEntity>(filter, cancellationToken: cancellationToken))
            {
                storedLive += stored.RemovedAt is null ? 1 : 0;
                if (live.Contains(stored.RowKey) != (stored.RemovedAt is null))
                {
                    changes.Add(stored);
                }
            }

            // Sanity guard: a listing shorter than Google's own total, or one that would remove more than half of a
            // location's reviews at once, is far likelier a partial answer than a purge. Mark nothing; log it.
            var wouldRemove = changes.Count(c => c.RemovedAt is null);
            if (wouldRemove > 0 && ((reportedTotal is int total && listed.Count < total) || (wouldRemove > 5 && wouldRemove * 2 > storedLive)))
            {
                logger.LogWarning(
                    "Reconciliation of {LocationId} skipped removals: Google listed {Listed} (reports {Total}) and {WouldRemove} of {Stored} stored reviews would vanish at once",
                    location.LocationId, listed.Count, reportedTotal, wouldRemove, storedLive);
                changes.RemoveAll(c => c.RemovedAt is null);
            }

            foreach (var stored in changes)
            {
                var isLive = live.Contains(stored.RowKey);

                if (!isLive && stored.Rating >= 4)
                {
                    // Alert before marking: a crash in between re-writes the same file, never a second one.
                    await AlertRemovedAsync(location, stored, cancellationToken);
                }

                stored.RemovedAt = isLive ? null : now;
                try
                {
                    await storage.Reviews.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                    removed += isLive ? 0 : 1;
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    // Changed by a concurrent poll; the next reconciliation looks again.
                }
            }

            var newest = listed.Select(r => r.LastChanged).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            if (newest > DateTimeOffset.MinValue)
            {
                await store.AdvanceAsync(location.LocationId, newest, startedAt, now, reconciled: true, alertsEmittedAt: ingest.Alerts.Count > 0 ? time.GetUtcNow() : null, cancellationToken: cancellationToken);
            }

            await MarkConnectedAsync(location, cancellationToken);
            logger.LogInformation("Reconciled location {LocationId}: {Listed} listed, {Removed} newly removed", location.LocationId, listed.Count, removed);
            return new GooglePollResult(ingest, pages, removed, null);
        }
        catch (GoogleApiException ex) when (ex.NeedsReconnect || ex.Status is 403 or 404)
        {
            await MarkRefusedAsync(location, ex, cancellationToken);
            return new GooglePollResult(Empty, 0, 0, ex.Reason);
        }
    }

    private static IngestResult Empty => new(0, 0, 0, []);

    private static IngestResult Add(IngestResult a, IngestResult b) =>
        new(a.Added + b.Added, a.Updated + b.Updated, a.Unchanged + b.Unchanged, [.. a.Alerts, .. b.Alerts.Where(x => !a.Alerts.Any(y => y.Identity == x.Identity))]);

    private async Task MarkConnectedAsync(LocationEntity location, CancellationToken cancellationToken)
    {
        if (location.ConnectionStatus is "" or Connected && location.LastError.Length == 0)
        {
            return;
        }

        location.ConnectionStatus = Connected;
        location.LastError = string.Empty;
        await storage.Locations.UpdateEntityAsync(location, ETag.All, TableUpdateMode.Merge, cancellationToken);
        logger.LogInformation("Location {LocationId} is connected to Google again", location.LocationId);
    }

    private async Task MarkRefusedAsync(LocationEntity location, GoogleApiException ex, CancellationToken cancellationToken)
    {
        var status = ex.NeedsReconnect ? Reconnect : ex.Status == 403 ? "forbidden" : "not-found";
        logger.LogError("Google refused location {LocationId} ({SourceRef}): {Reason}; marked {ConnectionStatus}", location.LocationId, location.SourceRef, ex.Reason, status);
        var wasReconnect = location.ConnectionStatus == Reconnect;
        location.ConnectionStatus = status;
        location.LastError = ex.Reason;
        try
        {
            // With the ETag we read: of two polls failing at once, only the one that flips the state alerts.
            var response = await storage.Locations.UpdateEntityAsync(location, location.ETag, TableUpdateMode.Merge, cancellationToken);
            location.ETag = response.Headers.ETag ?? location.ETag;
        }
        catch (RequestFailedException conflict) when (conflict.Status == 412)
        {
            return;
        }

        if (status == Reconnect && !wasReconnect)
        {
            await AlertReconnectAsync(location, ex, cancellationToken);
        }
    }

    private async Task AlertReconnectAsync(LocationEntity location, GoogleApiException ex, CancellationToken cancellationToken)
    {
        var business = await storage.Businesses.GetOrDefaultAsync<BusinessEntity>(BusinessEntity.Partition, location.BusinessId, cancellationToken);
        var message = Email(business, $"reconnect-google.{location.BusinessId}@reviewwatch", "ReviewWatch: reconnect Google", $"""
            Google no longer accepts ReviewWatch's access to your Business Profile, so new reviews of {Name(location)} are not being read.

            Reason: {ex.Reason}

            Reconnect: run ./reviewwatch google connect (or ask whoever set ReviewWatch up to do it) and store the new refresh token.
            """);
        // Named by business: every location failing at once still makes one email.
        var path = await OutboxNotifier.WriteAsync(message, alerting.Value.OutboxPath, $"google-reconnect-{location.BusinessId}.eml", cancellationToken);
        logger.LogWarning("Owner of {BusinessId} alerted to reconnect Google: {Path}", location.BusinessId, path);
    }

    private async Task AlertRemovedAsync(LocationEntity location, ReviewEntity review, CancellationToken cancellationToken)
    {
        var business = await storage.Businesses.GetOrDefaultAsync<BusinessEntity>(BusinessEntity.Partition, location.BusinessId, cancellationToken);
        var who = string.IsNullOrEmpty(review.ReviewerName) ? "An anonymous reviewer" : review.ReviewerName;
        var message = Email(business, $"removed.{review.PartitionKey}.{review.RowKey}@reviewwatch", $"ReviewWatch: a {review.Rating}★ review of {Name(location)} was removed from Google", $"""
            A positive review is no longer shown on Google. Google removes reviews it judges against its policies, and reviewers can delete their own.

            {who}, {review.Rating}★, written {review.CreateTime:yyyy-MM-dd}:
            {review.Text}

            If you think it was removed by mistake, you can ask Google to look again from your Business Profile (Reviews → Manage reviews).
            """);
        var path = await OutboxNotifier.WriteAsync(message, alerting.Value.OutboxPath, $"google-removed-{review.PartitionKey}-{review.RowKey}.eml", cancellationToken);
        logger.LogInformation("Review {ReviewId} of {LocationId} ({Rating}★) removed from Google; owner told: {Path}", review.ReviewId, review.PartitionKey, review.Rating, path);
    }

    private MimeMessage Email(BusinessEntity? business, string messageId, string subject, string text)
    {
        var from = alerting.Value.FromAddress;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(new MailboxAddress(business?.OwnerName ?? string.Empty, string.IsNullOrWhiteSpace(business?.OwnerEmail) ? from : business.OwnerEmail));
        message.Subject = subject;
        message.MessageId = messageId; // stable: a replay is recognisably the same email
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    private static string Name(LocationEntity location) => string.IsNullOrEmpty(location.Name) ? location.LocationId : location.Name;
}
