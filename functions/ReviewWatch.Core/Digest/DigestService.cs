using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Storage;

namespace ReviewWatch.Digest;

/// <summary>What one scheduler run did.</summary>
public sealed record DigestRunResult(int Sent, int Late, int Failed);

/// <summary>
/// The weekly digest's schedule and once-only delivery. The timer wakes this hourly; each business is due from
/// <see cref="DigestOptions.SendDay"/> <see cref="DigestOptions.SendTime"/> in its own time zone. Per business and
/// week a Digests row is claimed (insert-if-absent), the digest sent, the row marked sent; a claim older than
/// <see cref="DigestOptions.ClaimLease"/> belongs to a dead sender and is taken over with an ETag update.
/// </summary>
public sealed class DigestService(
    ReviewWatchStorage storage,
    BusinessDirectory directory,
    DigestBuilder builder,
    IEnumerable<IDigestSender> senders,
    IOptions<DigestOptions> options,
    TimeProvider time,
    ILogger<DigestService> logger)
{
    /// <summary>Sends every digest that is due and not yet sent, for every business.</summary>
    public async Task<DigestRunResult> RunDueAsync(CancellationToken cancellationToken = default)
    {
        int sent = 0, late = 0, failed = 0;
        foreach (var business in await directory.ListBusinessesAsync(cancellationToken))
        {
            try
            {
                var zone = TimeZones.Find(business.TimeZone);
                var known = await DigestStore.ListAsync(storage.Digests, business.RowKey, cancellationToken);
                foreach (var week in WeeksToSend(DueWeek(time.GetUtcNow(), zone), known))
                {
                    var isLate = IsLate(week, zone);
                    if (await SendOnceAsync(business, week, isLate, cancellationToken))
                    {
                        sent++;
                        late += isLate ? 1 : 0;
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One business's failure must not hold back the others; the next hourly run retries it.
                failed++;
                logger.LogError(ex, "Digest of {BusinessId} failed; the next run retries it", business.RowKey);
            }
        }

        return new DigestRunResult(sent, late, failed);
    }

    /// <summary>The latest week whose digest is due at <paramref name="now"/> (last week once its send time passed).</summary>
    public IsoWeek DueWeek(DateTimeOffset now, TimeZoneInfo zone)
    {
        var lastCompleted = IsoWeek.LastCompleted(now, zone);
        return now >= ScheduledAt(lastCompleted, zone) ? lastCompleted : lastCompleted.AddWeeks(-1);
    }

    /// <summary>When a week's digest is scheduled: the configured day and local time of the following week.</summary>
    public DateTimeOffset ScheduledAt(IsoWeek week, TimeZoneInfo zone)
    {
        var offset = ((int)options.Value.SendDay + 6) % 7; // Monday = 0 … Sunday = 6
        return IsoWeek.AtLocal(week.Monday.AddDays(7 + offset), TimeOnly.FromTimeSpan(options.Value.SendTime), zone);
    }

    public bool IsLate(IsoWeek week, TimeZoneInfo zone) => time.GetUtcNow() - ScheduledAt(week, zone) > options.Value.LateAfter;

    /// <summary>
    /// A business with no digest yet gets the due week only. Otherwise every week after the last one stored, up to
    /// the due week, but at most the last <see cref="DigestOptions.MaxCatchUpWeeks"/>; plus any week in that window
    /// whose send never finished.
    /// </summary>
    public IReadOnlyList<IsoWeek> WeeksToSend(IsoWeek due, IReadOnlyDictionary<IsoWeek, (string Status, DateTimeOffset ClaimedAt)> known)
    {
        var earliest = due.AddWeeks(-(Math.Max(1, options.Value.MaxCatchUpWeeks) - 1));
        var stored = known.Keys.Where(w => w <= due).ToList();
        if (stored.Count == 0)
        {
            return [due];
        }

        var latest = stored.Max();
        var weeks = new SortedSet<IsoWeek>();
        for (var w = latest.AddWeeks(1) > earliest ? latest.AddWeeks(1) : earliest; w <= due; w = w.AddWeeks(1))
        {
            weeks.Add(w);
        }

        foreach (var (w, state) in known)
        {
            if (w >= earliest && w <= due && state.Status != DigestStatus.Sent)
            {
                weeks.Add(w);
            }
        }

        return weeks.ToList();
    }

    /// <summary>Builds, claims, sends and marks one business's week. False when it was sent (or is being sent) elsewhere.</summary>
    public async Task<bool> SendOnceAsync(BusinessEntity business, IsoWeek week, bool late, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var key = week.ToString();
        var row = await storage.Digests.GetOrDefaultAsync<TableEntity>(business.RowKey, key, cancellationToken);
        if (row is null)
        {
            var report = await builder.BuildAsync(business, week, late, cancellationToken);
            row = DigestStore.NewClaim(business.RowKey, key, time.GetUtcNow(), late, DigestJsonContext.Serialize(report), DigestEmail.Html(report), DigestEmail.Text(report));
            if (!await storage.Digests.TryAddAsync(row, cancellationToken))
            {
                logger.LogInformation("Digest {Week} of {BusinessId} was claimed by another instance", key, business.RowKey);
                return false;
            }
        }
        else if (!await TryTakeOverAsync(row, cancellationToken))
        {
            return false;
        }

        // Send exactly what was claimed, so a takeover resends the same digest.
        var stored = DigestJsonContext.Deserialize(DigestStore.Get(row, "Json"));
        var message = new DigestMessage(business, stored, DigestEmail.Subject(stored), DigestStore.Get(row, "Html"), DigestStore.Get(row, "Text"), DigestEmail.Summary(stored), stored.Link);
        var targets = new List<string>();
        try
        {
            foreach (var sender in senders)
            {
                targets.Add($"{sender.Channel}:{await sender.SendAsync(message, cancellationToken)}");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await DigestStore.MarkAsync(storage.Digests, row, DigestStatus.Failed, time.GetUtcNow(), string.Join(';', targets), ex.Message, cancellationToken);
            throw;
        }

        await DigestStore.MarkAsync(storage.Digests, row, DigestStatus.Sent, time.GetUtcNow(), string.Join(';', targets), string.Empty, cancellationToken);
        logger.LogInformation("Sent the {Week} digest of {BusinessId} (late: {Late})", key, business.RowKey, stored.Late);
        return true;
    }

    /// <summary>Takes over a failed claim, or one whose sender died (older than the lease); never a live one or a sent one.</summary>
    private async Task<bool> TryTakeOverAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var status = DigestStore.Status(row);
        var now = time.GetUtcNow();
        if (status == DigestStatus.Sent || (status == DigestStatus.Sending && now - DigestStore.ClaimedAt(row) < options.Value.ClaimLease))
        {
            return false;
        }

        var update = new TableEntity(row.PartitionKey, row.RowKey)
        {
            ["Status"] = DigestStatus.Sending,
            ["ClaimedAt"] = now,
            ["Attempts"] = (row.GetInt32("Attempts") ?? 1) + 1,
        };
        try
        {
            await storage.Digests.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            logger.LogInformation("Digest {Week} of {BusinessId} was taken over by another instance", row.RowKey, row.PartitionKey);
            return false;
        }

        logger.LogWarning("Took over the {Week} digest of {BusinessId} (was {Status} since {ClaimedAt})", row.RowKey, row.PartitionKey, status, DigestStore.ClaimedAt(row));
        return true;
    }
}
