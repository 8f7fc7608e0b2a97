using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Bench;

/// <summary>
/// What the pipeline left behind, checked against what the fake Google served: every review stored once, one case
/// per negative review and no other, exactly one alert per case (outbox file and Notifications row, sent), and
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
    int Poisoned,
    IReadOnlyList<string> Examples,
    IReadOnlyList<double> LatencySeconds,
    DateTimeOffset? LastActivity)
{
    public bool Holds => Served == Ingested && Cases == Negatives && MissingCases == 0 && UnexpectedCases == 0
        && CasesWithoutOneOutboxFile == 0 && OutboxFiles == Cases && CasesWithoutOneSentNotification == 0 && NotificationRows == Cases && Poisoned == 0;

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
        sb.AppendLine(Line("cases", Cases, "Notifications rows (sent)", NotificationRows, NotificationRows == Cases && CasesWithoutOneSentNotification == 0));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  cases without exactly one outbox file: {CasesWithoutOneOutboxFile}; without exactly one sent notification: {CasesWithoutOneSentNotification}"));
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

        var notifications = new List<NotificationEntity>();
        await foreach (var n in storage.Notifications.QueryAsync<NotificationEntity>(maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            notifications.Add(n);
            last = Max(last, n.SentAt);
        }

        var sentByCase = notifications.Where(n => n.Status == "sent").Select(n => NotificationEntity.CaseIdOf(n.RowKey)).OfType<string>()
            .GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var badRows = cases.Keys.Count(id => sentByCase.GetValueOrDefault(id) != 1);
        foreach (var n in notifications.Where(n => n.Status != "sent").Take(5))
        {
            examples.Add($"notification {n.PartitionKey}/{n.RowKey} is {n.Status} after {n.Attempts} attempts: {n.LastError}");
        }

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

        return new InvariantReport(served, ingested, expected.Count, cases.Count, missing, unexpected, badFiles, files.Length, badRows, notifications.Count, poisoned, examples, latencies, last);
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
