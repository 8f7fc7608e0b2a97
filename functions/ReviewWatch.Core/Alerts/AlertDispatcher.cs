using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Reviews;
using ReviewWatch.Storage;

namespace ReviewWatch.Alerts;

/// <summary>
/// Turns an alert message into exactly one recovery case and exactly one notification per channel and
/// severity, however often the message is delivered and however many instances race for it.
/// </summary>
public sealed class AlertDispatcher(
    ReviewWatchStorage storage,
    IEnumerable<INotifier> notifiers,
    CaseService cases,
    IOptions<SlaOptions> sla,
    IOptions<AlertingOptions> alerting,
    TimeProvider time,
    ILogger<AlertDispatcher> logger)
{
    public async Task<RecoveryCase> DispatchAsync(AlertMessage message, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        if (message.ItemKind != "review")
        {
            throw new InvalidMessageException($"unknown item kind '{message.ItemKind}'");
        }

        var review = await storage.Reviews.GetOrDefaultAsync<ReviewEntity>(message.ItemPartition, message.ItemKey, cancellationToken)
            ?? throw new InvalidMessageException($"review {message.ItemPartition}/{message.ItemKey} does not exist");
        var business = await storage.Businesses.GetOrDefaultAsync<BusinessEntity>(BusinessEntity.Partition, review.BusinessId, cancellationToken)
            ?? throw new InvalidMessageException($"business {review.BusinessId} does not exist");
        var location = await storage.Locations.GetOrDefaultAsync<LocationEntity>(review.BusinessId, review.PartitionKey, cancellationToken);

        var recoveryCase = await EnsureCaseAsync(business, review, cancellationToken);
        var alert = new Alert(business, location, recoveryCase, alerting.Value.CaseLink(recoveryCase.CaseId), ReplyDrafter.ParseTouchpoints(review.Touchpoints));
        foreach (var notifier in notifiers)
        {
            await NotifyOnceAsync(notifier, alert, cancellationToken);
        }

        // Only now is the alert no longer owed; if we crash before this, a replay re-sends nothing (see above).
        if (review.AlertState != "dispatched" || review.CaseId != recoveryCase.CaseId)
        {
            review.AlertState = "dispatched";
            review.CaseId = recoveryCase.CaseId;
            await storage.Reviews.UpdateEntityAsync(review, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }

        return recoveryCase;
    }

    private async Task<RecoveryCase> EnsureCaseAsync(BusinessEntity business, ReviewEntity review, CancellationToken cancellationToken)
    {
        var caseId = RecoveryCase.IdFor("review", review.PartitionKey, review.RowKey);
        var now = time.GetUtcNow();
        var candidate = new RecoveryCase
        {
            PartitionKey = business.RowKey,
            RowKey = caseId,
            LocationId = review.PartitionKey,
            ItemKind = "review",
            ItemKey = review.RowKey,
            ItemText = review.Text,
            ReviewerName = review.ReviewerName,
            Rating = review.Rating,
            Language = review.Language,
            Touchpoints = review.Touchpoints,
            Severity = review.Severity,
            Status = CaseStatus.New,
            CreatedAt = now,
            ItemCreatedAt = review.CreateTime,
            DueAt = now + sla.Value.For(review.Severity),
            DraftReply = ReplyDrafter.Draft(business, review.ReviewerName, review.Language, review.Touchpoints),
        };

        if (await storage.Cases.TryAddAsync(candidate, cancellationToken))
        {
            await cases.AddEventAsync(caseId, "created", "system", $"severity {review.Severity}", now, "0000000000000000000-created", cancellationToken);
            logger.LogInformation("Opened case {CaseId} for review {ReviewKey} ({Severity})", caseId, review.RowKey, review.Severity);
            return candidate;
        }

        var existing = await storage.Cases.GetOrDefaultAsync<RecoveryCase>(business.RowKey, caseId, cancellationToken)
            ?? throw new InvalidOperationException($"case {caseId} vanished after a conflict");
        if (ReviewIngestor.SeverityRank(review.Severity) > ReviewIngestor.SeverityRank(existing.Severity) && CaseStatus.IsOpen(existing.Status))
        {
            // The item got worse (an edit): raise the case, tighten its due time.
            existing = await cases.ChangeAsync(existing, "system", "escalated", (c, at) =>
            {
                var from = c.Severity;
                c.Severity = review.Severity;
                c.DueAt = Min(c.DueAt, at + sla.Value.For(review.Severity));
                return $"severity {from} → {review.Severity}";
            }, cancellationToken);
        }

        return existing;
    }

    /// <summary>
    /// Claims the (case, channel, severity) notification row before sending, so only one instance sends.
    /// A claim held elsewhere is waited out inside this invocation (re-read every second) rather than failing it,
    /// because failing would spend the message's dequeue attempts and could poison a live alert; a claim older
    /// than the lease belongs to a sender that died, and is taken over.
    /// </summary>
    private async Task NotifyOnceAsync(INotifier notifier, Alert alert, CancellationToken cancellationToken)
    {
        var key = $"{notifier.Channel}-{alert.Case.Severity}";
        var claim = new NotificationEntity { PartitionKey = alert.Case.CaseId, RowKey = key, Status = "sending", ClaimedAt = time.GetUtcNow(), Attempts = 1 };
        while (!await storage.Notifications.TryAddAsync(claim, cancellationToken))
        {
            var existing = await storage.Notifications.GetOrDefaultAsync<NotificationEntity>(alert.Case.CaseId, key, cancellationToken);
            if (existing is null)
            {
                continue; // deleted between our insert and read: try the insert again
            }

            if (existing.Status == "sent")
            {
                return;
            }

            var now = time.GetUtcNow();
            if (existing.Status == "sending" && now - existing.ClaimedAt < alerting.Value.SendLease)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                continue;
            }

            // Failed earlier, or its sender died: take it over, unless someone else just did.
            existing.Status = "sending";
            existing.ClaimedAt = now;
            existing.Attempts++;
            try
            {
                var response = await storage.Notifications.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                existing.ETag = response.Headers.ETag ?? existing.ETag;
                claim = existing;
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                logger.LogInformation("Notification {CaseId}/{Key} was taken over by another instance", alert.Case.CaseId, key);
            }
        }

        try
        {
            claim.Target = await notifier.SendAsync(alert, cancellationToken);
            claim.Status = "sent";
            claim.SentAt = time.GetUtcNow();
            claim.LastError = string.Empty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            claim.Status = "failed";
            claim.LastError = ex.Message;
            await storage.Notifications.UpdateEntityAsync(claim, ETag.All, TableUpdateMode.Replace, cancellationToken);
            throw;
        }

        await storage.Notifications.UpdateEntityAsync(claim, ETag.All, TableUpdateMode.Replace, cancellationToken);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
