using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Google;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Sentiment;
using ReviewWatch.Storage;
using ReviewWatch.Telemetry;

namespace ReviewWatch.Reviews;

/// <summary>What one ingest pass did. <see cref="Alerts"/> are the alert messages still owed (to be enqueued).</summary>
public sealed record IngestResult(int Added, int Updated, int Unchanged, IReadOnlyList<AlertMessage> Alerts);

/// <summary>
/// Stores reviews, scores them and decides which need an alert. Idempotent: a review already stored with the
/// same updateTime is not written again, and an alert is re-emitted only while the review's alert is still
/// pending (its case not yet dispatched), so a crash between storing and enqueuing loses nothing.
/// An edit (newer updateTime) is re-scored and, when the review has a case, recorded on it: <c>edited</c> while the
/// case is open, <c>rating-changed</c> ("from X to Y") once the business has replied, and an optional
/// auto-resolve when the edit made the review positive.
/// </summary>
public sealed class ReviewIngestor(
    ReviewWatchStorage storage,
    ISentimentAnalyzer analyzer,
    IOptions<FlaggingOptions> flagging,
    CaseService cases,
    IOptions<GoogleOptions> google,
    TimeProvider time,
    ILogger<ReviewIngestor> logger)
{
    /// <summary>
    /// Stores and scores <paramref name="reviews"/>. With <paramref name="newAfter"/> (the poller's watermark), reviews
    /// updated after it are taken to be new and inserted in batch transactions without reading first; a transaction
    /// that meets a stored row (an edit, a poll that died before moving the watermark, a concurrent poll) writes
    /// nothing, and its reviews are then read and decided one by one like the rest. Without it, every review is read.
    /// </summary>
    public async Task<IngestResult> IngestAsync(LocationEntity location, IReadOnlyList<GbpReview> reviews, DateTimeOffset? newAfter, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var alerts = new List<AlertMessage>();
        var toScore = new List<(GbpReview Review, ReviewEntity? Existing)>();
        int unchanged = 0, added = 0, updated = 0;

        // Google may list the same review twice across pages while it changes; keep the newest of each id.
        var reviewList = reviews
            .GroupBy(r => r.Id)
            .Select(g => g.OrderByDescending(r => r.LastChanged).First())
            .ToList();

        var scores = new Dictionary<string, SentimentResult>(StringComparer.Ordinal);
        if (newAfter is DateTimeOffset after && reviewList.Where(r => r.LastChanged > after).ToList() is { Count: > 0 } likelyNew)
        {
            await ScoreAsync(likelyNew, scores, cancellationToken);
            // A transaction that was not written (one of its reviews exists) leaves its reviews to be read and decided
            // below, with the scores kept.
            var (stored, _) = await storage.Reviews.TryAddBatchesAsync(likelyNew.Select(r => ToEntity(location, r, scores[r.Id], null)), cancellationToken);
            foreach (var entity in stored)
            {
                added++;
                Flagged(location, entity, null);
                if (entity.AlertState == "pending")
                {
                    alerts.Add(AlertFor(entity));
                }
            }

            var storedIds = stored.Select(e => e.ReviewId).ToHashSet(StringComparer.Ordinal);
            reviewList.RemoveAll(r => storedIds.Contains(r.Id));
        }

        var existingRows = reviewList.Count == 0
            ? []
            : await storage.Reviews.GetManyAsync<ReviewEntity>(location.LocationId, reviewList.Select(r => TableClientExtensions.SafeKey(r.Id)), cancellationToken);
        foreach (var review in reviewList)
        {
            var existing = existingRows.GetValueOrDefault(TableClientExtensions.SafeKey(review.Id));
            if (existing is not null && existing.UpdateTime >= review.LastChanged)
            {
                unchanged++;
                if (existing.AlertState == "pending")
                {
                    alerts.Add(AlertFor(existing));
                }

                continue;
            }

            toScore.Add((review, existing));
        }

        if (toScore.Count == 0)
        {
            return Done(location, added, updated, unchanged, alerts);
        }

        await ScoreAsync(toScore.Select(x => x.Review).ToList(), scores, cancellationToken);
        var entities = toScore.Select(x => ToEntity(location, x.Review, scores[x.Review.Id], x.Existing)).ToList();

        // New reviews go in as batch transactions (one partition, all or nothing): one round trip per chunk instead of
        // one per review. A chunk that meets a row another instance stored meanwhile falls back to one-by-one below.
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        var newEntities = entities.Where((e, i) => toScore[i].Existing is null).ToList();
        if (newEntities.Count > 1)
        {
            inserted.UnionWith((await storage.Reviews.TryAddBatchesAsync(newEntities, cancellationToken)).Added.Select(e => e.RowKey));
        }

        for (var i = 0; i < toScore.Count; i++)
        {
            var (review, existing) = toScore[i];
            var entity = entities[i];
            if (existing is null && inserted.Contains(entity.RowKey))
            {
                added++;
            }
            else if (existing is null)
            {
                if (!await storage.Reviews.TryAddAsync(entity, cancellationToken))
                {
                    // Another instance stored it first: theirs stands; re-read to learn whether an alert is owed.
                    var theirs = await storage.Reviews.GetOrDefaultAsync<ReviewEntity>(entity.PartitionKey, entity.RowKey, cancellationToken);
                    unchanged++;
                    if (theirs?.AlertState == "pending")
                    {
                        alerts.Add(AlertFor(theirs));
                    }

                    continue;
                }

                added++;
            }
            else
            {
                // Case events first, keyed by the edit's updateTime: a crash before the row update replays them harmlessly.
                await RecordEditAsync(existing, entity, cancellationToken);
                try
                {
                    await storage.Reviews.UpdateEntityAsync(entity, existing.ETag, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    // A concurrent poll updated it; the next poll sees the settled row.
                    unchanged++;
                    continue;
                }

                updated++;
            }

            Flagged(location, entity, existing);
            if (entity.AlertState == "pending")
            {
                alerts.Add(AlertFor(entity));
            }
        }

        return Done(location, added, updated, unchanged, alerts);
    }

    /// <summary>Stores and scores <paramref name="reviews"/>, reading each first (see the overload with a watermark).</summary>
    public Task<IngestResult> IngestAsync(LocationEntity location, IReadOnlyList<GbpReview> reviews, CancellationToken cancellationToken = default) =>
        IngestAsync(location, reviews, null, cancellationToken);

    /// <summary>Scores the reviews not scored yet (one analyzer call for all of them), keyed by review id.</summary>
    private async Task ScoreAsync(IReadOnlyList<GbpReview> reviews, Dictionary<string, SentimentResult> scores, CancellationToken cancellationToken)
    {
        var missing = reviews.Where(r => !scores.ContainsKey(r.Id)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var results = await analyzer.AnalyzeAsync([.. missing.Select(r => new SentimentInput(r.Id, ReviewText.Split(r.Comment).Original))], cancellationToken);
        for (var i = 0; i < missing.Count; i++)
        {
            scores[missing[i].Id] = results[i];
        }
    }

    private static void Flagged(LocationEntity location, ReviewEntity entity, ReviewEntity? existing)
    {
        if (entity.Flagged && (existing is null || !existing.Flagged || existing.Severity != entity.Severity))
        {
            ReviewWatchTelemetry.ItemFlagged("review", entity.Severity, location.LocationId);
        }
    }

    private IngestResult Done(LocationEntity location, int added, int updated, int unchanged, List<AlertMessage> alerts)
    {
        ReviewWatchTelemetry.ItemsIngested(added + updated, "review", location.LocationId);
        logger.LogInformation(
            "Ingested location {LocationId}: {Added} new, {Updated} updated, {Unchanged} unchanged, {Alerts} alerts owed",
            location.LocationId, added, updated, unchanged, alerts.Count);
        return new IngestResult(added, updated, unchanged, alerts);
    }

    /// <summary>
    /// The alerts still owed for a location's reviews, whatever their age. A poll re-lists only reviews newer than its
    /// watermark (minus the overlap), so a review stored as pending by an invocation whose outputs were then lost (the
    /// host died before writing them, or a reconciliation moved the watermark past it) is found here, not by the listing.
    /// </summary>
    public async Task<IReadOnlyList<AlertMessage>> PendingAlertsAsync(string locationId, CancellationToken cancellationToken = default)
    {
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {locationId} and AlertState eq {"pending"}");
        var alerts = new List<AlertMessage>();
        await foreach (var review in storage.Reviews.QueryAsync<ReviewEntity>(filter, cancellationToken: cancellationToken))
        {
            alerts.Add(AlertFor(review));
        }

        return alerts;
    }

    /// <summary>
    /// Reviews per insert transaction (<see cref="TableClientExtensions.TryAddBatchesAsync"/>): the service's limit of
    /// 100 actions. A transaction is also limited to 4 MiB, which 100 reviews stay under unless nearly all are
    /// maximum-length texts in a non-Latin script; such a transaction is refused as a whole and its reviews go the
    /// one-by-one way.
    /// </summary>
    public const int InsertBatchSize = TableClientExtensions.MaxTransactionActions;

    private async Task RecordEditAsync(ReviewEntity before, ReviewEntity after, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(before.CaseId) || before.ContentHash == after.ContentHash)
        {
            return; // no case to tell, or only the reply/metadata changed
        }

        var recoveryCase = await storage.Cases.GetOrDefaultAsync<RecoveryCase>(before.BusinessId, before.CaseId, cancellationToken);
        if (recoveryCase is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var key = after.UpdateTime.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        if (CaseStatus.IsOpen(recoveryCase.Status))
        {
            await cases.AddEventAsync(recoveryCase.CaseId, "edited", "google", $"review edited: {before.Rating}★ → {after.Rating}★, now {after.Sentiment}", now, $"{key}-edited", cancellationToken);
        }

        var replied = recoveryCase.RepliedAt is not null || !string.IsNullOrEmpty(before.ReplyText) || !string.IsNullOrEmpty(before.PostedReplyText);
        if (replied && before.Rating != after.Rating)
        {
            // A recovery outcome: the digest counts "ratings later raised" from these events.
            await cases.AddEventAsync(recoveryCase.CaseId, "rating-changed", "google", $"from {before.Rating} to {after.Rating}", now, $"{key}-rating-changed", cancellationToken);
            logger.LogInformation("Review {ReviewId} rating changed from {From} to {To} after our reply (case {CaseId})", after.ReviewId, before.Rating, after.Rating, recoveryCase.CaseId);
        }

        if (google.Value.AutoResolveOnPositiveEdit && CaseStatus.IsOpen(recoveryCase.Status) && !after.Flagged && after.Rating >= 4)
        {
            try
            {
                await cases.ChangeAsync(recoveryCase, "system", "resolved", (c, at) =>
                {
                    if (c.Status == CaseStatus.New)
                    {
                        c.Claim("system", at);
                    }

                    c.Resolve("system", "none", $"The reviewer edited the review to {after.Rating}★; resolved automatically.", at);
                    return $"auto-resolved: review edited to {after.Rating}★";
                }, cancellationToken);
            }
            catch (CaseConflictException ex)
            {
                // Staff changed the case meanwhile; their action stands.
                logger.LogInformation("Case {CaseId} not auto-resolved: {Reason}", recoveryCase.CaseId, ex.Message);
            }
        }
    }

    private ReviewEntity ToEntity(LocationEntity location, GbpReview review, SentimentResult score, ReviewEntity? existing)
    {
        var (original, translation) = ReviewText.Split(review.Comment);
        var decision = Flagger.Decide(review.Rating, score, flagging.Value);
        var now = time.GetUtcNow();
        var severity = decision.Severity.ToString().ToLowerInvariant();

        // An alert is owed when the item is flagged and no case has been dispatched for it at this severity or above.
        var alertState = existing?.AlertState ?? "none";
        if (decision.Flag && (alertState != "dispatched" || SeverityRank(severity) > SeverityRank(existing!.Severity)))
        {
            alertState = "pending";
        }

        return new ReviewEntity
        {
            PartitionKey = location.LocationId,
            RowKey = TableClientExtensions.SafeKey(review.Id),
            ETag = existing?.ETag ?? default,
            BusinessId = location.BusinessId,
            ReviewName = review.Name,
            ReviewId = review.Id,
            ReviewerName = review.Reviewer?.IsAnonymous == true ? string.Empty : review.Reviewer?.DisplayName ?? string.Empty,
            ReviewerAnonymous = review.Reviewer?.IsAnonymous ?? true,
            Rating = review.Rating ?? 0,
            Text = original,
            TranslatedText = translation,
            CreateTime = review.CreateTime ?? review.UpdateTime ?? now,
            UpdateTime = review.UpdateTime ?? review.CreateTime ?? now,
            FirstSeenAt = existing?.FirstSeenAt ?? now,
            ReplyText = review.ReviewReply?.Comment ?? string.Empty,
            ReplyTime = review.ReviewReply?.UpdateTime,
            Language = score.Language,
            Sentiment = decision.Label.ToString().ToLowerInvariant(),
            SentimentScore = decision.Score,
            Touchpoints = JsonSerializer.Serialize(score.Touchpoints.Select(t => new { name = t.Name, label = t.Label.ToString().ToLowerInvariant() })),
            Flagged = decision.Flag,
            Severity = decision.Flag ? severity : existing?.Severity ?? "none",
            AlertState = alertState,
            CaseId = existing?.CaseId ?? string.Empty,
            ContentHash = Hash($"{review.Rating}|{review.Comment}"),
            Source = location.Source,
            PostedReplyText = existing?.PostedReplyText ?? string.Empty,
            PostedReplyAt = existing?.PostedReplyAt,
            RemovedAt = null, // listed again, so it is live
        };
    }

    /// <summary>The alert owed for a review, carrying what its case is opened from (see <see cref="AlertMessage.Item"/>).</summary>
    public static AlertMessage AlertFor(ReviewEntity review) =>
        new(MessageCodec.CurrentVersion, review.BusinessId, "review", review.PartitionKey, review.RowKey, review.Severity,
            new AlertSnapshot(review.Text, review.ReviewerName, review.Rating, review.Language, review.Touchpoints, review.CreateTime));

    public static int SeverityRank(string severity) => severity switch
    {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    };

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
