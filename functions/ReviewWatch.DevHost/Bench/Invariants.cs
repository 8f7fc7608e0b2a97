using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Bench;

/// <summary>
/// What the pipeline left behind, checked against what the fake Google served: every review stored once, one case
/// per negative review and no other, exactly one alert per case (one outbox file, one sent Notifications row per
/// channel, and one delivery at the webhook receiver: the only place where an alert sent twice would show), and
/// nothing in the poison queues.
/// </summary>
public sealed record InvariantReport(
    int Served,
    int Ingested,
    int Negatives,
    int Cases,
    int MissingCases,
    int UnexpectedCases,
    int CasesWithoutOneOutboxFile,
    int OutboxFiles,
    int CasesWithoutOneSentNotification,
    int NotificationRows,
    int Channels,
    int WebhookDeliveries,
    int CasesWithoutDelivery,
    IReadOnlyList<Redelivery> Redeliveries,
    IReadOnlyList<string> RejectedDeliveries,
    int Poisoned,
    IReadOnlyList<string> Examples,
    IReadOnlyList<double> LatencySeconds,
    DateTimeOffset? LastActivity)
{
    public bool Holds => Served == Ingested && Cases == Negatives && MissingCases == 0 && UnexpectedCases == 0
        && CasesWithoutOneOutboxFile == 0 && OutboxFiles == Cases && CasesWithoutOneSentNotification == 0 && NotificationRows == Cases * Channels
        && DeliveriesHold && Poisoned == 0;

    /// <summary>Every case's alert reached the webhook, only explained repeats on top, and no post was refused.</summary>
    private bool DeliveriesHold => CasesWithoutDelivery == 0 && WebhookDeliveries == Cases + Resent && Redeliveries.All(r => r.Explained) && RejectedDeliveries.Count == 0;

    private int Resent => Redeliveries.Sum(r => r.Extra);

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Line("items served by the fake Google", Served, "items ingested (Reviews rows)", Ingested, Served == Ingested));
        sb.AppendLine(Line("negative items", Negatives, "cases", Cases, Cases == Negatives && MissingCases == 0 && UnexpectedCases == 0));
        if (MissingCases + UnexpectedCases > 0)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  missing cases {MissingCases}, unexpected cases {UnexpectedCases}"));
        }

        sb.AppendLine(Line("cases", Cases, "outbox alert files", OutboxFiles, OutboxFiles == Cases && CasesWithoutOneOutboxFile == 0));
        sb.AppendLine(Line($"cases × {Channels} channels", Cases * Channels, "Notifications rows (sent)", NotificationRows, NotificationRows == Cases * Channels && CasesWithoutOneSentNotification == 0));
        sb.AppendLine(Line("cases", Cases, "alerts received by the webhook", WebhookDeliveries, DeliveriesHold)
            + (Resent > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({Resent} sent again: the sender died or lost storage before recording the send; same delivery id, so a receiver drops it)") : string.Empty));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  cases without exactly one outbox file: {CasesWithoutOneOutboxFile}; without exactly one sent notification per channel: {CasesWithoutOneSentNotification}; never received by the webhook: {CasesWithoutDelivery}; received more than once: {Redeliveries.Count} ({Redeliveries.Count(r => !r.Explained)} unexplained); rejected posts: {RejectedDeliveries.Count}"));
        foreach (var r in Redeliveries.OrderBy(r => r.Explained).Take(10).Select(r => r.Text).Concat(RejectedDeliveries.Take(5)))
        {
            sb.AppendLine("  " + r);
        }

        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{(Poisoned == 0 ? "ok  " : "FAIL")} messages in poison queues: {Poisoned}"));
        foreach (var e in Examples.Take(10))
        {
            sb.AppendLine("  e.g. " + e);
        }

        return sb.ToString();
    }

    private static string Line(string a, int x, string b, int y, bool ok) =>
        string.Create(CultureInfo.InvariantCulture, $"{(ok ? "ok  " : "FAIL")} {a}: {x} vs {b}: {y}");

    public static async Task<InvariantReport> CheckAsync(PipelineRig rig, Workload workload, CancellationToken cancellationToken = default)
    {
        var examples = new List<string>();
        var storage = rig.Storage;
        var served = workload.Reviews.Count;

        var stored = new Dictionary<string, ReviewEntity>(StringComparer.Ordinal);
        DateTimeOffset? last = null;
        await foreach (var r in storage.Reviews.QueryAsync<ReviewEntity>(maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            stored[r.PartitionKey + "/" + r.RowKey] = r;
            last = Max(last, r.FirstSeenAt);
        }

        var ingested = 0;
        foreach (var r in workload.Reviews)
        {
            if (stored.ContainsKey(r.Location.LocationId + "/" + TableClientExtensions.SafeKey(r.Review.Id)))
            {
                ingested++;
            }
            else if (examples.Count < 5)
            {
                examples.Add($"review {r.Location.LocationId}/{r.Review.Id} was served but never stored");
            }
        }

        var expected = workload.Reviews.Where(r => r.Negative)
            .Select(r => RecoveryCase.IdFor("review", r.Location.LocationId, TableClientExtensions.SafeKey(r.Review.Id)))
            .ToHashSet(StringComparer.Ordinal);
        var cases = new Dictionary<string, RecoveryCase>(StringComparer.Ordinal);
        await foreach (var c in storage.Cases.QueryAsync<RecoveryCase>(maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            cases[c.CaseId] = c;
        }

        var missing = expected.Count(id => !cases.ContainsKey(id));
        var unexpected = cases.Keys.Count(id => !expected.Contains(id));
        foreach (var id in expected.Where(id => !cases.ContainsKey(id)).Take(5))
        {
            examples.Add($"negative review with case id {id} has no case");
        }

        foreach (var id in cases.Keys.Where(id => !expected.Contains(id)).Take(5))
        {
            examples.Add($"case {id} ({cases[id].ItemKey}, {cases[id].Rating}★) was opened for a review that is not negative");
        }

        // Outbox: {caseId}-{severity}.eml per alert.
        var files = Directory.Exists(rig.Outbox) ? Directory.GetFiles(rig.Outbox, "c-*.eml") : [];
        var filesByCase = files.Select(Path.GetFileNameWithoutExtension)
            .GroupBy(name => name![..name!.LastIndexOf('-')], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var badFiles = cases.Keys.Count(id => filesByCase.GetValueOrDefault(id) != 1);
        foreach (var id in cases.Keys.Where(id => filesByCase.GetValueOrDefault(id) != 1).Take(5))
        {
            examples.Add($"case {id} has {filesByCase.GetValueOrDefault(id)} outbox files");
        }

        // The alerts' rows (a digest a fuzzed timer sent has a row too, under its week).
        var notifications = new List<(NotificationEntity Row, string CaseId)>();
        await foreach (var n in storage.Notifications.QueryAsync<NotificationEntity>(maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (NotificationEntity.CaseIdOf(n.RowKey) is not string caseId)
            {
                continue;
            }

            notifications.Add((n, caseId));
            last = Max(last, n.SentAt);
        }

        // Every alert goes to the outbox and to the rig's webhook: one sent row for each.
        const int channels = 2;
        var sentByCase = notifications.Where(n => n.Row.Status == "sent").Select(n => n.CaseId)
            .GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var badRows = cases.Keys.Count(id => sentByCase.GetValueOrDefault(id) != channels);
        foreach (var (n, _) in notifications.Where(n => n.Row.Status != "sent").Take(5))
        {
            examples.Add($"notification {n.PartitionKey}/{n.RowKey} is {n.Status} after {n.Attempts} attempts: {n.LastError}");
        }

        // What the receiving end got: each case's alert once, or it was lost (none) or sent again (more).
        var deliveries = rig.Webhook.Deliveries;
        var deliveredCases = deliveries.Select(d => d.CaseId).ToHashSet(StringComparer.Ordinal);
        var undelivered = cases.Keys.Count(id => !deliveredCases.Contains(id));
        foreach (var id in cases.Keys.Where(id => !deliveredCases.Contains(id)).Take(5))
        {
            examples.Add($"case {id} was never received by the webhook");
        }

        var disruptions = rig.Disruptions.ToList();
        var redeliveries = deliveries.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => DescribeRedelivery(g.Key, [.. g.Select(d => d.ReceivedAt).Order()], disruptions) with { Extra = g.Count() - 1 })
            .ToList();

        var poisoned = 0;
        foreach (var queue in new[] { ReviewWatchStorage.PollQueueName + "-poison", ReviewWatchStorage.AlertQueueName + "-poison" })
        {
            var depth = await rig.QueueDepthAsync(queue, cancellationToken);
            poisoned += depth;
            if (depth > 0)
            {
                var peeked = await new Azure.Storage.Queues.QueueClient(rig.ConnectionString, queue).PeekMessagesAsync(3, cancellationToken);
                examples.AddRange(peeked.Value.Select(m => $"{queue}: {Decode(m.MessageText)}"));
            }
        }

        var latencies = cases.Values
            .Where(c => rig.Arrivals.ContainsKey(c.CaseId))
            .Select(c => (c.CreatedAt - rig.Arrivals[c.CaseId]).TotalSeconds)
            .OrderBy(s => s)
            .ToList();
        last = cases.Values.Select(c => (DateTimeOffset?)c.CreatedAt).Aggregate(last, Max);

        return new InvariantReport(served, ingested, expected.Count, cases.Count, missing, unexpected, badFiles, files.Length, badRows, notifications.Count, channels,
            deliveries.Count, undelivered, redeliveries, rig.Webhook.Rejected, poisoned, examples, latencies, last);
    }

    /// <summary>
    /// How long after a send its record can still be in flight: a sender killed (or cut off from storage) that soon
    /// after the receiver took an alert may not have stored that it was sent, so the alert is sent again later, with
    /// the same delivery id. Generous for two cores shared by three handlers and Azurite.
    /// </summary>
    public static readonly TimeSpan RecordWindow = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An alert received more than once: explained when a handler was killed, or storage was away, within
    /// <see cref="RecordWindow"/> after its first arrival (the send was not yet recorded); any other is a defect.
    /// </summary>
    public static Redelivery DescribeRedelivery(string id, IReadOnlyList<DateTimeOffset> times, IReadOnlyList<Disruption> disruptions)
    {
        var first = times[0];
        var causes = disruptions
            .Where(d => d.To >= first && d.From <= first + RecordWindow)
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.What} {(d.From - first).TotalSeconds:+0.00;-0.00} s from the first"))
            .ToList();

        var text = string.Create(CultureInfo.InvariantCulture,
            $"alert {id} received {times.Count}× ({string.Join(", ", times.Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))}): {(causes.Count == 0 ? "UNEXPLAINED, no kill or storage outage within " + RecordWindow.TotalSeconds + " s after the first" : string.Join("; ", causes.Take(2)))}");
        return new Redelivery(text, causes.Count > 0);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string Decode(string text)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return text;
        }
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}

/// <summary>A time the pipeline was disrupted: a handler SIGKILLed (a moment) or storage away (from its stop until it was back).</summary>
public sealed record Disruption(DateTimeOffset From, DateTimeOffset To, string What);

/// <summary>An alert the webhook received more than once: what happened, and whether a disruption explains it.</summary>
public sealed record Redelivery(string Text, bool Explained, int Extra = 1);

/// <summary>The storage limit the pipeline is compared with: the same entities written with batch transactions.</summary>
public static class RawBatchWrite
{
    /// <summary>
    /// Writes every table's <paramref name="entities"/> to a fresh table of its own, ≤100 per partition per
    /// transaction, 8 transactions in flight across all of them; returns how long that took.
    /// </summary>
    public static async Task<TimeSpan> TimeAsync(string connectionString, IReadOnlyList<IReadOnlyList<ITableEntity>> entities, CancellationToken cancellationToken = default)
    {
        var tables = new List<TableClient>();
        var batches = new List<(TableClient Table, ITableEntity[] Batch)>();
        foreach (var rows in entities.Where(rows => rows.Count > 0))
        {
            var table = new TableClient(connectionString, "BenchRaw" + Guid.NewGuid().ToString("N")[..8]);
            await table.CreateIfNotExistsAsync(cancellationToken);
            tables.Add(table);
            batches.AddRange(rows.GroupBy(e => e.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)).Select(b => (table, b)));
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            foreach (var e in item.Batch)
            {
                e.ETag = default;
            }

            await item.Table.SubmitTransactionAsync(item.Batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct);
        });
        var elapsed = watch.Elapsed;
        foreach (var table in tables)
        {
            await table.DeleteAsync(cancellationToken);
        }

        return elapsed;
    }

    public static async Task<List<ITableEntity>> ReadAsync(TableClient table, CancellationToken cancellationToken = default)
    {
        var list = new List<ITableEntity>();
        await foreach (var e in table.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            list.Add(e);
        }

        return list;
    }
}
