using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Mentions;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Reviews;
using ReviewWatch.Storage;
using ReviewWatch.Telemetry;

namespace ReviewWatch.Alerts;

/// <summary>
/// Turns an alert message into exactly one recovery case and exactly one notification per channel and
/// severity, however often the message is delivered and however many instances race for it.
/// </summary>
public sealed class AlertDispatcher(
    ReviewWatchStorage storage,
    IEnumerable<INotifier> notifiers,
    AlertRouter router,
    CaseService cases,
    IOptions<SlaOptions> sla,
    IOptions<AlertingOptions> alerting,
    TimeProvider time,
    ILogger<AlertDispatcher> logger)
{
    /// <summary>How many items of one message are dispatched at once.</summary>
    private const int ItemParallelism = 8;

    /// <summary>How long a route's recorded health may go unrefreshed while it keeps succeeding (see <see cref="RecordHealthAsync"/>).</summary>
    private static readonly TimeSpan HealthyRefresh = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _healthyRecordedAt = new(StringComparer.Ordinal);

    /// <summary>
    /// How many times an alert whose channel keeps failing is handed on to a new message (<see cref="RetryLaterAsync"/>)
    /// before it is left to the poison queue: with waits of 1, 2, 4, … minutes, at most an hour, about a day in all
    /// (see <see cref="RetryDelay"/>).
    /// </summary>
    public const int MaxRetries = 30;

    public async Task<RecoveryCase> DispatchAsync(AlertMessage message, CancellationToken cancellationToken = default) =>
        (await DispatchAllAsync([message], cancellationToken))[0];

    public Task<IReadOnlyList<RecoveryCase>> DispatchAllAsync(IReadOnlyList<AlertMessage> messages, CancellationToken cancellationToken = default) =>
        DispatchAllAsync(messages, lastAttempt: false, cancellationToken);

    /// <summary>
    /// How long an alert handed on for the <paramref name="retry"/>-th time waits: <paramref name="first"/> (a minute by
    /// default), then twice as long each time, at most an hour.
    /// </summary>
    public static TimeSpan RetryDelay(int retry, TimeSpan first) =>
        TimeSpan.FromTicks((long)Math.Min(TimeSpan.FromHours(1).Ticks, first.Ticks * Math.Pow(2, Math.Max(0, retry - 1))));

    /// <summary>
    /// Dispatches every item of one queue message (see <see cref="AlertBatch"/>), a few at a time, reading the
    /// business and each location once. Every item is tried even if another fails. If any failed, the message fails
    /// after the others are done, so it is retried, and on the retry the items already done cost a few reads and send
    /// nothing; if every failure is an item that can never be dispatched, the failure names them as permanent.
    /// Items whose alert another instance is sending are handed on to a new message (<see cref="ContinueLaterAsync"/>).
    /// On the <paramref name="lastAttempt"/> the host allows the message, items that failed for a reason that may pass
    /// (a channel down, not an invalid item) are handed on to a new message that waits longer (<see cref="RetryLaterAsync"/>),
    /// so a channel outage longer than the host's few quick retries delays an alert instead of poisoning a valid message;
    /// the cases returned are then those that exist.
    /// </summary>
    public async Task<IReadOnlyList<RecoveryCase>> DispatchAllAsync(IReadOnlyList<AlertMessage> messages, bool lastAttempt, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        if (messages.Count == 1)
        {
            RecoveryCase single;
            DateTimeOffset? heldUntil;
            try
            {
                (single, heldUntil) = await DispatchAsync(messages[0], new Lookups(storage), cancellationToken);
            }
            catch (Exception ex) when (lastAttempt && TransientFailure.Is(ex, cancellationToken) && messages[0].Retry < MaxRetries)
            {
                await RetryLaterAsync([(messages[0], ex)], cancellationToken);
                return [];
            }

            if (heldUntil is { } until)
            {
                await ContinueLaterAsync([messages[0]], until, cancellationToken);
            }

            return [single];
        }

        var lookups = new Lookups(storage) { DeferMarks = true, SentMarks = new GroupCommit(storage.Notifications, logger, cancellationToken) };
        await lookups.PrefetchItemsAsync(messages, cancellationToken);
        await InsertNewCasesAsync(messages, lookups, cancellationToken);
        await ClaimNewNotificationsAsync(lookups, cancellationToken);
        var cases = new RecoveryCase?[messages.Count];
        var held = new ConcurrentQueue<(AlertMessage Message, DateTimeOffset Until)>();
        var failures = new ConcurrentQueue<(AlertMessage Message, Exception Error)>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, messages.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ItemParallelism, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try
                {
                    (cases[i], var heldUntil) = await DispatchAsync(messages[i], lookups, ct);
                    if (heldUntil is { } until)
                    {
                        held.Enqueue((messages[i], until));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    failures.Enqueue((messages[i], ex));
                }
            });

        // The items' alert states, written together (only those whose dispatch finished; a failed one stays owed).
        await lookups.WriteMarksAsync(logger, cancellationToken);

        if (lastAttempt && failures.Where(f => TransientFailure.Is(f.Error, cancellationToken) && f.Message.Retry < MaxRetries).ToList() is { Count: > 0 } passing)
        {
            await RetryLaterAsync(passing, cancellationToken);
            failures = new ConcurrentQueue<(AlertMessage Message, Exception Error)>(failures.Except(passing));
        }

        if (!failures.IsEmpty)
        {
            var reasons = string.Join("; ", failures.Take(5).Select(f => $"{f.Message.ItemKind} {f.Message.ItemPartition}/{f.Message.ItemKey}: {f.Error.Message}"));
            var summary = $"{failures.Count} of {messages.Count} alerts failed (the others were dispatched): {reasons}";
            if (failures.All(f => f.Error is InvalidMessageException))
            {
                throw new InvalidMessageException(summary);
            }

            throw new AggregateException(summary, failures.Select(f => f.Error)); // the held items go again with the retry
        }

        if (!held.IsEmpty)
        {
            await ContinueLaterAsync([.. held.Select(h => h.Message)], held.Max(h => h.Until), cancellationToken);
        }

        return [.. cases.Where(c => c is not null).Select(c => c!)];
    }

    /// <summary>
    /// Hands alerts that failed through every attempt of their message on to a new one, hidden for
    /// <see cref="RetryDelay"/>, with their retry count one higher; the message in hand then completes instead of going to
    /// the poison queue. The items stay owed (not marked dispatched), channels that did send are not sent again, and
    /// the failing channel shows on the queue page meanwhile. After <see cref="MaxRetries"/> the message is left to
    /// fail and go to the poison queue, with the reason logged.
    /// </summary>
    private async Task RetryLaterAsync(IReadOnlyList<(AlertMessage Message, Exception Error)> failed, CancellationToken cancellationToken)
    {
        var retry = failed.Max(f => f.Message.Retry) + 1;
        var delay = RetryDelay(retry, alerting.Value.FirstRetryDelay);
        await SendLaterAsync(failed.Select(f => f.Message with { Retry = retry }), delay, cancellationToken);

        logger.LogWarning(
            "{Count} alert(s) still failing after every attempt of their message (retry {Retry} of {Max}; first: {Error}); handed on to a new message visible in {Delay}",
            failed.Count, retry, MaxRetries, failed[0].Error.Message, delay);
    }

    /// <summary>
    /// Hands alerts whose claim another instance holds on to a new queue message that becomes visible when the claims
    /// expire, and lets this one complete. Waiting them out here instead (up to the send lease, 30 s) kept the
    /// invocation running for that long, and every instance death meanwhile spent one of the message's five dequeue
    /// attempts: under frequent kills such a message was poisoned (bench chaos, docs/reliability.md). The new message
    /// starts with a fresh dequeue count; when it runs, the alert is found sent, or its claim is taken over and it is
    /// sent once. If this instance dies before the message completes, the retry hands the alerts on again, harmlessly.
    /// </summary>
    private async Task ContinueLaterAsync(IReadOnlyList<AlertMessage> held, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // A second past the expiry, so the claim can be taken over when the message is seen (clamped to [1 s, lease]).
        var delay = until - time.GetUtcNow() + TimeSpan.FromSeconds(1);
        delay = delay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay > alerting.Value.SendLease ? alerting.Value.SendLease : delay;
        await SendLaterAsync(held, delay, cancellationToken);

        // A warning: it usually means an instance died while sending (or two raced for the same item).
        logger.LogWarning(
            "{Count} alert(s) are being sent by another instance (claims expire by {Until:O}); handed on to a new message visible in {Delay:0.0} s",
            held.Count, until, delay.TotalSeconds);
    }

    /// <summary>Queues alerts again, packed as a poll packs them, each message hidden for <paramref name="delay"/>.</summary>
    private async Task SendLaterAsync(IEnumerable<AlertMessage> alerts, TimeSpan delay, CancellationToken cancellationToken)
    {
        foreach (var text in MessageCodec.WriteAlerts(alerts))
        {
            await storage.AlertQueue.SendMessageAsync(text, visibilityTimeout: delay, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Dispatches one item: its case, then its alert on every route. Returns the case, and when another instance holds
    /// the claim of one of its alerts, when that claim expires (the item is then left owed, not marked dispatched).
    /// </summary>
    private async Task<(RecoveryCase Case, DateTimeOffset? HeldUntil)> DispatchAsync(AlertMessage message, Lookups lookups, CancellationToken cancellationToken)
    {
        var item = message.ItemKind switch
        {
            "review" => await ReviewItemAsync(message, lookups, cancellationToken),
            MentionIngestor.ItemKind => await MentionItemAsync(message, lookups, cancellationToken),
            _ => throw new InvalidMessageException($"unknown item kind '{message.ItemKind}'"),
        };
        var business = await lookups.BusinessAsync(item.BusinessId, cancellationToken)
            ?? throw new InvalidMessageException($"business {item.BusinessId} does not exist");
        // Mentions belong to the business, not to one of its locations.
        var location = item.Kind == "review" ? await lookups.LocationAsync(item.BusinessId, item.LocationId, cancellationToken) : null;

        var recoveryCase = await EnsureCaseAsync(business, item, lookups, cancellationToken);

        // Quiet hours: the case is open now, the owner hears when they end (critical items always go at once).
        var now = time.GetUtcNow();
        if (recoveryCase.Severity != "critical" && QuietHours.EndOf(business, now) is DateTimeOffset quietEnd)
        {
            await storage.AlertQueue.SendMessageAsync(MessageCodec.Write(message), visibilityTimeout: quietEnd - now, cancellationToken: cancellationToken);
            await item.MarkAsync("deferred", recoveryCase.CaseId, cancellationToken);
            logger.LogInformation("Case {CaseId}: quiet hours at {BusinessId} until {QuietEnd}; the alert waits", recoveryCase.CaseId, business.RowKey, quietEnd);
            return (recoveryCase, null);
        }

        var alert = new Alert(business, location, recoveryCase, alerting.Value.CaseLink(recoveryCase.CaseId), ReplyDrafter.ParseTouchpoints(item.Touchpoints));
        try
        {
            await NotifyAllAsync(alert, item.LocationId, lookups, cancellationToken);
        }
        catch (ClaimHeldElsewhereException ex)
        {
            return (recoveryCase, ex.ExpiresAt);
        }

        // Only now is the alert no longer owed; if we crash before this, a replay re-sends nothing (see above).
        if (item.AlertState != "dispatched" || item.CaseId != recoveryCase.CaseId)
        {
            await item.MarkAsync("dispatched", recoveryCase.CaseId, cancellationToken);
        }

        return (recoveryCase, null);
    }

    /// <summary>What a case is opened from, whatever the kind of item; <see cref="MarkAsync"/> records the item's alert state.</summary>
    private sealed record AlertItem(
        string Kind,
        string BusinessId,
        string LocationId,
        string Partition,
        string Key,
        string Text,
        string Url,
        string AuthorName,
        int Rating,
        string Language,
        string Touchpoints,
        string Severity,
        DateTimeOffset CreatedAt,
        string AlertState,
        string CaseId,
        Func<string, string, CancellationToken, Task> MarkAsync);

    /// <summary>
    /// Opens the cases of a packed message's new items (those still <c>pending</c>) with one batch transaction per
    /// business instead of an insert each. If any of them exists already the transaction writes nothing, and each
    /// item then inserts its own case, as a single alert does.
    /// </summary>
    private async Task InsertNewCasesAsync(IReadOnlyList<AlertMessage> messages, Lookups lookups, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = new List<RecoveryCase>();
        foreach (var message in messages)
        {
            var item = message.ItemKind switch
            {
                "review" when message.Item is { } snapshot => ReviewItem(message, snapshot, lookups),
                "review" when lookups.Prefetched<ReviewEntity>(message) is { } review => ReviewItem(review, lookups),
                MentionIngestor.ItemKind when lookups.Prefetched<MentionEntity>(message) is { } mention => MentionItem(mention, lookups),
                _ => null,
            };
            if (item is { AlertState: "pending" } && await lookups.BusinessAsync(item.BusinessId, cancellationToken) is { } business)
            {
                candidates.Add(NewCase(business, item, now));
            }
        }

        var (opened, notOpened) = await storage.Cases.TryAddBatchesAsync(candidates, cancellationToken);
        foreach (var recoveryCase in opened)
        {
            lookups.InsertedCases[recoveryCase.RowKey] = recoveryCase;
        }

        if (notOpened > 0)
        {
            logger.LogInformation("{Count} cases of one alert message were not all new; each item opens its own", notOpened);
        }
    }

    private async Task<AlertItem> ReviewItemAsync(AlertMessage message, Lookups lookups, CancellationToken cancellationToken)
    {
        if (message.Item is { } snapshot)
        {
            return ReviewItem(message, snapshot, lookups);
        }

        var review = lookups.Prefetched<ReviewEntity>(message)
            ?? await storage.Reviews.GetOrDefaultAsync<ReviewEntity>(message.ItemPartition, message.ItemKey, cancellationToken)
            ?? throw new InvalidMessageException($"review {message.ItemPartition}/{message.ItemKey} does not exist");
        return ReviewItem(review, lookups);
    }

    private AlertItem ReviewItem(ReviewEntity review, Lookups lookups) =>
        new(
            "review", review.BusinessId, review.PartitionKey, review.PartitionKey, review.RowKey, review.Text, string.Empty, review.ReviewerName, review.Rating,
            review.Language, review.Touchpoints, review.Severity, review.CreateTime, review.AlertState, review.CaseId,
            (state, caseId, ct) => lookups.MarkAsync(storage.Reviews, review.PartitionKey, review.RowKey, state, caseId, ct));

    /// <summary>
    /// A review as the poll that flagged it stored it (the message's snapshot), taken to be still pending: if its case
    /// exists already, the case and its notification rows say so, and nothing is opened or sent twice.
    /// </summary>
    private AlertItem ReviewItem(AlertMessage message, AlertSnapshot snapshot, Lookups lookups) =>
        new(
            "review", message.BusinessId, message.ItemPartition, message.ItemPartition, message.ItemKey, snapshot.Text, string.Empty, snapshot.Author, snapshot.Rating,
            snapshot.Language, snapshot.Touchpoints, message.Severity, snapshot.CreatedAt, "pending", string.Empty,
            (state, caseId, ct) => lookups.MarkAsync(storage.Reviews, message.ItemPartition, message.ItemKey, state, caseId, ct));

    private async Task<AlertItem> MentionItemAsync(AlertMessage message, Lookups lookups, CancellationToken cancellationToken)
    {
        var mention = lookups.Prefetched<MentionEntity>(message)
            ?? await storage.Mentions.GetOrDefaultAsync<MentionEntity>(message.ItemPartition, message.ItemKey, cancellationToken)
            ?? throw new InvalidMessageException($"mention {message.ItemPartition}/{message.ItemKey} does not exist");
        return MentionItem(mention, lookups);
    }

    private AlertItem MentionItem(MentionEntity mention, Lookups lookups)
    {
        var text = mention.Title.Length == 0 || mention.Text.StartsWith(mention.Title, StringComparison.Ordinal) ? mention.Text : $"{mention.Title}\n{mention.Text}".Trim();
        return new AlertItem(
            MentionIngestor.ItemKind, mention.BusinessId, MentionLocationId, mention.PartitionKey, mention.RowKey, text, mention.Url, mention.Author, 0,
            mention.Language, mention.Touchpoints, mention.Severity, mention.PublishedAt, mention.AlertState, mention.CaseId,
            (state, caseId, ct) => lookups.MarkAsync(storage.Mentions, mention.PartitionKey, mention.RowKey, state, caseId, ct));
    }

    /// <summary>The LocationId of a mention's case: mentions are about the business, so no location of it matches.</summary>
    public const string MentionLocationId = "mentions";

    /// <summary>
    /// Sends the alert on every route that wants it. Each route is tried even if another fails; a failure is
    /// recorded in ChannelHealth (shown in the UI) and rethrown at the end, so the message is retried, and on the
    /// retry the routes that succeeded are skipped by their notification rows. A route whose claim another instance
    /// holds is no failure: after the others, <see cref="ClaimHeldElsewhereException"/> says when to try it again.
    /// </summary>
    public Task NotifyAllAsync(Alert alert, string locationId, CancellationToken cancellationToken) =>
        NotifyAllAsync(alert, locationId, null, cancellationToken);

    private async Task NotifyAllAsync(Alert alert, string locationId, Lookups? lookups, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        ClaimHeldElsewhereException? held = null;
        foreach (var route in router.RoutesFor(alert.Business, locationId, alert.Case.Severity))
        {
            var notifier = notifiers.FirstOrDefault(n => n.Channel == route.Channel);
            if (notifier is null)
            {
                logger.LogWarning("Business {BusinessId} routes alerts to unknown channel {Channel}", alert.Business.RowKey, route.Channel);
                continue;
            }

            try
            {
                if (await NotifyOnceAsync(notifier, route, alert, lookups, cancellationToken))
                {
                    await RecordHealthAsync(alert.Business.RowKey, route, null, cancellationToken);
                    if (alert.Kind == AlertKind.NewItem)
                    {
                        ReviewWatchTelemetry.AlertSent(time.GetUtcNow() - alert.Case.ItemCreatedAt, route.Channel, alert.Case.Severity);
                    }
                }
            }
            catch (ClaimHeldElsewhereException ex)
            {
                held = held is null || ex.ExpiresAt > held.ExpiresAt ? ex : held;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Alert for case {CaseId} on {Channel} failed: {Error}", alert.Case.CaseId, route.Channel, ex.Message);
                await RecordHealthAsync(alert.Business.RowKey, route, ex.Message, cancellationToken);
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw new ChannelsFailedException($"{failures.Count} alert channel(s) failed for case {alert.Case.CaseId}; the others were sent once and are not repeated", failures);
        }

        if (held is not null)
        {
            throw held;
        }
    }

    /// <summary>
    /// Records a route's health for the UI. A failure is always written; a success is written when the route was not
    /// known healthy, then at most once a minute while it stays healthy, because a busy dispatcher would otherwise
    /// spend two of its storage calls per alert rewriting the same "healthy" row. With several instances, a recovered
    /// route may therefore show its last failure for up to a minute.
    /// </summary>
    private async Task RecordHealthAsync(string businessId, AlertRoute route, string? error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var healthKey = businessId + "\n" + route.Key;
        if (error is null)
        {
            // Claim the write before making it, so a burst of concurrent successes writes once, not once each.
            while (true)
            {
                if (_healthyRecordedAt.TryGetValue(healthKey, out var recordedAt))
                {
                    if (now - recordedAt < HealthyRefresh && now >= recordedAt)
                    {
                        return;
                    }

                    if (_healthyRecordedAt.TryUpdate(healthKey, now, recordedAt))
                    {
                        break;
                    }
                }
                else if (_healthyRecordedAt.TryAdd(healthKey, now))
                {
                    break;
                }
            }
        }
        else
        {
            _healthyRecordedAt.TryRemove(healthKey, out _);
        }

        var health = await storage.ChannelHealth.GetOrDefaultAsync<ChannelHealthEntity>(businessId, route.Key, cancellationToken)
            ?? new ChannelHealthEntity { PartitionKey = businessId, RowKey = route.Key };
        health.Channel = route.Channel;
        health.Target = Redact(route.Target);
        if (error is null)
        {
            health.LastSuccessAt = now;
            health.ConsecutiveFailures = 0;
        }
        else
        {
            health.LastFailureAt = now;
            health.ConsecutiveFailures++;
            health.LastError = error.Length > 500 ? error[..500] : error;
        }

        try
        {
            await storage.ChannelHealth.UpsertEntityAsync(health, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            _healthyRecordedAt.TryRemove(healthKey, out _);
            logger.LogWarning("Could not record the health of {Channel}: {Error}", route.Channel, ex.Message);
        }
    }

    /// <summary>Shows where a channel points without its secret (webhook URLs carry one).</summary>
    private static string Redact(string target) =>
        Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("http", StringComparison.Ordinal) ? $"{uri.Scheme}://{uri.Host}/…" : target;

    private RecoveryCase NewCase(BusinessEntity business, AlertItem item, DateTimeOffset now) =>
        new()
        {
            PartitionKey = business.RowKey,
            RowKey = RecoveryCase.IdFor(item.Kind, item.Partition, item.Key),
            LocationId = item.LocationId,
            ItemKind = item.Kind,
            ItemKey = item.Key,
            ItemText = item.Text,
            ItemUrl = item.Url,
            ReviewerName = item.AuthorName,
            Rating = item.Rating,
            Language = item.Language,
            Touchpoints = item.Touchpoints,
            Severity = item.Severity,
            OpenedSeverity = item.Severity,
            Status = CaseStatus.New,
            CreatedAt = now,
            ItemCreatedAt = item.CreatedAt,
            DueAt = now + sla.Value.For(item.Severity),
            DraftReply = ReplyDrafter.Draft(business, item.AuthorName, item.Language, item.Touchpoints),
        };

    private async Task<RecoveryCase> EnsureCaseAsync(BusinessEntity business, AlertItem item, Lookups lookups, CancellationToken cancellationToken)
    {
        var caseId = RecoveryCase.IdFor(item.Kind, item.Partition, item.Key);
        if (lookups.InsertedCases.TryGetValue(caseId, out var inserted))
        {
            logger.LogInformation("Opened case {CaseId} for {ItemKind} {ItemKey} ({Severity})", caseId, item.Kind, item.Key, item.Severity);
            return inserted;
        }

        var candidate = NewCase(business, item, time.GetUtcNow());
        if (await storage.Cases.TryAddAsync(candidate, cancellationToken))
        {
            logger.LogInformation("Opened case {CaseId} for {ItemKind} {ItemKey} ({Severity})", caseId, item.Kind, item.Key, item.Severity);
            return candidate;
        }

        var existing = await storage.Cases.GetOrDefaultAsync<RecoveryCase>(business.RowKey, caseId, cancellationToken)
            ?? throw new InvalidOperationException($"case {caseId} vanished after a conflict");
        if (ReviewIngestor.SeverityRank(item.Severity) > ReviewIngestor.SeverityRank(existing.Severity) && CaseStatus.IsOpen(existing.Status))
        {
            // The item got worse (an edit): raise the case, tighten its due time.
            existing = await cases.ChangeAsync(existing, "system", "escalated", (c, at) =>
            {
                var from = c.Severity;
                c.Severity = item.Severity;
                c.DueAt = Min(c.DueAt, at + sla.Value.For(item.Severity));
                return $"severity {from} → {item.Severity}";
            }, cancellationToken);
        }

        return existing;
    }

    /// <summary>A new claim of the alert's notification row on <paramref name="route"/>.</summary>
    private static NotificationEntity NewClaim(Alert alert, AlertRoute route, DateTimeOffset now) =>
        new()
        {
            PartitionKey = alert.Business.RowKey,
            RowKey = NotificationEntity.RowKeyFor(alert.Case.CaseId, alert.NotificationKey(route)),
            Status = "sending",
            ClaimedAt = now,
            Attempts = 1,
        };

    /// <summary>
    /// Claims the notifications of the cases this message has just opened with one batch transaction per business
    /// instead of an insert each. A case opened now has no notification row yet, so the transaction fails only when
    /// another instance claimed one first (or a row outlived a deleted case); those alerts are then claimed one by
    /// one as usual (<see cref="NotifyOnceAsync"/>). Alerts held back by quiet hours are not claimed.
    /// </summary>
    private async Task ClaimNewNotificationsAsync(Lookups lookups, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claims = new List<NotificationEntity>();
        foreach (var recoveryCase in lookups.InsertedCases.Values)
        {
            if (await lookups.BusinessAsync(recoveryCase.PartitionKey, cancellationToken) is not { } business
                || (recoveryCase.Severity != "critical" && QuietHours.EndOf(business, now) is not null))
            {
                continue;
            }

            var alert = new Alert(business, null, recoveryCase, string.Empty, []);
            claims.AddRange(router.RoutesFor(business, recoveryCase.LocationId, recoveryCase.Severity)
                .Where(route => notifiers.Any(n => n.Channel == route.Channel))
                .Select(route => NewClaim(alert, route, now)));
        }

        var (held, notHeld) = await storage.Notifications.TryAddBatchesAsync(claims, cancellationToken);
        foreach (var claim in held)
        {
            lookups.Claimed[claim.RowKey] = claim;
        }

        if (notHeld > 0)
        {
            logger.LogInformation("{Count} notifications of one alert message were not all new; each is claimed on its own", notHeld);
        }
    }

    /// <summary>
    /// Whether a claim made in batch (<see cref="ClaimNewNotificationsAsync"/>) still covers a send starting now. A
    /// send may start only while its claim is younger than the lease minus the channel timeout, so that it ends
    /// before another instance may take the claim over, as a claim made just before its send does; an older claim is
    /// renewed with the ETag it was written with, and one taken over meanwhile is left to the usual path.
    /// </summary>
    private async Task<bool> RenewIfOldAsync(NotificationEntity claim, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - claim.ClaimedAt <= alerting.Value.SendLease - alerting.Value.ChannelTimeout)
        {
            return true;
        }

        claim.ClaimedAt = now;
        try
        {
            var response = await storage.Notifications.UpdateEntityAsync(claim, claim.ETag, TableUpdateMode.Replace, cancellationToken);
            claim.ETag = response.Headers.ETag ?? claim.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>
    /// Claims the (case, channel, severity) notification row before sending, so only one instance sends.
    /// A claim held elsewhere throws <see cref="ClaimHeldElsewhereException"/>, which neither waits here nor fails
    /// the message (see <see cref="ContinueLaterAsync"/>); a claim older than the lease belongs to a sender that died,
    /// and is taken over. The row is marked sent as soon as the send returns (through the message's group commit
    /// when there is one: see <see cref="GroupCommit"/>).
    /// </summary>
    private async Task<bool> NotifyOnceAsync(INotifier notifier, AlertRoute route, Alert alert, Lookups? lookups, CancellationToken cancellationToken)
    {
        var claim = NewClaim(alert, route, time.GetUtcNow());
        if (lookups is not null && lookups.Claimed.TryRemove(claim.RowKey, out var held) && await RenewIfOldAsync(held, cancellationToken))
        {
            claim = held;
        }
        else if (await ClaimAsync(claim, cancellationToken) is { } taken)
        {
            claim = taken;
        }
        else
        {
            return false; // sent already
        }

        try
        {
            claim.Target = await notifier.SendAsync(alert, route.Target, cancellationToken);
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

        await (lookups?.SentMarks is { } marks
            ? marks.ReplaceAsync(claim)
            : storage.Notifications.UpdateEntityAsync(claim, ETag.All, TableUpdateMode.Replace, cancellationToken));
        return true;
    }

    /// <summary>
    /// Inserts <paramref name="claim"/>, or takes over the existing row when it failed or its sender died; returns
    /// the claim held, or null when the notification was sent already; throws <see cref="ClaimHeldElsewhereException"/>
    /// while another instance's claim is younger than the lease.
    /// </summary>
    private async Task<NotificationEntity?> ClaimAsync(NotificationEntity claim, CancellationToken cancellationToken)
    {
        while (!await storage.Notifications.TryAddAsync(claim, cancellationToken))
        {
            var existing = await storage.Notifications.GetOrDefaultAsync<NotificationEntity>(claim.PartitionKey, claim.RowKey, cancellationToken);
            if (existing is null)
            {
                continue; // deleted between our insert and read: try the insert again
            }

            if (existing.Status == "sent")
            {
                return null;
            }

            var now = time.GetUtcNow();
            if (existing.Status == "sending" && now - existing.ClaimedAt < alerting.Value.SendLease)
            {
                throw new ClaimHeldElsewhereException(claim.RowKey, existing.ClaimedAt + alerting.Value.SendLease);
            }

            // Failed earlier, or its sender died: take it over, unless someone else just did.
            existing.Status = "sending";
            existing.ClaimedAt = now;
            existing.Attempts++;
            try
            {
                var response = await storage.Notifications.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                existing.ETag = response.Headers.ETag ?? existing.ETag;
                return existing;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                logger.LogInformation("Notification {Key} was taken over by another instance", claim.RowKey);
            }
        }

        return claim;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>
    /// The reads and item-state writes of one queue message: the business and each location read once, the items read
    /// with a few partition queries, and (when <see cref="DeferMarks"/>) the items' alert states written together in
    /// a batch transaction per partition instead of one request each.
    /// </summary>
    private sealed class Lookups(ReviewWatchStorage storage)
    {
        private readonly Dictionary<(string Kind, string Partition, string Key), ITableEntity> _items = [];
        private readonly ConcurrentQueue<(TableClient Table, TableEntity Mark)> _marks = new();

        /// <summary>Cases opened by <see cref="InsertNewCasesAsync"/>, by case id.</summary>
        public ConcurrentDictionary<string, RecoveryCase> InsertedCases { get; } = new(StringComparer.Ordinal);

        /// <summary>Collect item-state writes for <see cref="WriteMarksAsync"/> instead of writing each at once.</summary>
        public bool DeferMarks { get; init; }

        /// <summary>Notifications claimed by <see cref="ClaimNewNotificationsAsync"/>, by row key; each is taken once.</summary>
        public ConcurrentDictionary<string, NotificationEntity> Claimed { get; } = new(StringComparer.Ordinal);

        /// <summary>Where the message's notifications are marked sent, when they are written together.</summary>
        public GroupCommit? SentMarks { get; init; }

        public async Task PrefetchItemsAsync(IReadOnlyList<AlertMessage> messages, CancellationToken cancellationToken)
        {
            var reads = messages
                .Where(m => m.Item is null)
                .GroupBy(m => (m.ItemKind, m.ItemPartition))
                .Select(async g =>
                {
                    IEnumerable<ITableEntity> rows = g.Key.ItemKind switch
                    {
                        "review" => (await storage.Reviews.GetManyAsync<ReviewEntity>(g.Key.ItemPartition, g.Select(m => m.ItemKey), cancellationToken)).Values,
                        MentionIngestor.ItemKind => (await storage.Mentions.GetManyAsync<MentionEntity>(g.Key.ItemPartition, g.Select(m => m.ItemKey), cancellationToken)).Values,
                        _ => [],
                    };
                    return (g.Key.ItemKind, Rows: rows);
                });
            foreach (var (kind, rows) in await Task.WhenAll(reads))
            {
                foreach (var row in rows)
                {
                    _items[(kind, row.PartitionKey, row.RowKey)] = row;
                }
            }
        }

        public T? Prefetched<T>(AlertMessage message)
            where T : class, ITableEntity =>
            _items.GetValueOrDefault((message.ItemKind, message.ItemPartition, message.ItemKey)) as T;

        /// <summary>Records an item's alert state and case: only those two properties, so a concurrent re-score is not overwritten.</summary>
        public async Task MarkAsync(TableClient table, string partition, string key, string state, string caseId, CancellationToken cancellationToken)
        {
            var mark = new TableEntity(partition, key) { ["AlertState"] = state, ["CaseId"] = caseId };
            if (DeferMarks)
            {
                _marks.Enqueue((table, mark));
                return;
            }

            await table.UpdateEntityAsync(mark, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }

        public async Task WriteMarksAsync(ILogger logger, CancellationToken cancellationToken)
        {
            var groups = _marks.GroupBy(m => (m.Table, m.Mark.PartitionKey)).SelectMany(g => g.Chunk(100).Select(chunk => (g.Key.Table, Chunk: chunk)));
            await Task.WhenAll(groups.Select(async group =>
            {
                try
                {
                    await group.Table.SubmitTransactionAsync(group.Chunk.Select(m => new TableTransactionAction(TableTransactionActionType.UpdateMerge, m.Mark, ETag.All)), cancellationToken);
                }
                catch (TableTransactionFailedException ex)
                {
                    // One row gone (a test cleanup, an admin) fails the whole transaction: write the rest one by one.
                    logger.LogWarning("Writing {Count} alert states in one transaction failed ({Error}); writing them one by one", group.Chunk.Length, ex.Message);
                    foreach (var (table, mark) in group.Chunk)
                    {
                        try
                        {
                            await table.UpdateEntityAsync(mark, ETag.All, TableUpdateMode.Merge, cancellationToken);
                        }
                        catch (RequestFailedException rowEx) when (rowEx.Status == 404)
                        {
                            logger.LogWarning("Item {Partition}/{Key} vanished before its alert state was recorded", mark.PartitionKey, mark.RowKey);
                        }
                    }
                }
            }));
        }

        private readonly ConcurrentDictionary<string, Lazy<Task<BusinessEntity?>>> _businesses = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<(string, string), Lazy<Task<LocationEntity?>>> _locations = new();

        public Task<BusinessEntity?> BusinessAsync(string businessId, CancellationToken cancellationToken) =>
            _businesses.GetOrAdd(businessId, id => new(() => storage.Businesses.GetOrDefaultAsync<BusinessEntity>(BusinessEntity.Partition, id, cancellationToken))).Value;

        public Task<LocationEntity?> LocationAsync(string businessId, string locationId, CancellationToken cancellationToken) =>
            _locations.GetOrAdd((businessId, locationId), key => new(() => storage.Locations.GetOrDefaultAsync<LocationEntity>(key.Item1, key.Item2, cancellationToken))).Value;
    }
}
