using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ReviewWatch.DevHost.Bench;

/// <summary>The figures of one <c>bench load</c> run.</summary>
public sealed record LoadResult(
    int Reviews,
    int Locations,
    int Hosts,
    TimeSpan Elapsed,
    double ItemsPerSecond,
    double RawBatchItemsPerSecond,
    double RawAllItemsPerSecond,
    IReadOnlyList<(string Table, int Entities)> Stored,
    MemoryPeaks Memory,
    InvariantReport Invariants)
{
    /// <summary>Pipeline throughput over the raw batch-write rate of the same review entities: the issue's target ratio.</summary>
    public double Ratio => ItemsPerSecond / RawBatchItemsPerSecond;

    /// <summary>Pipeline throughput over the raw batch-write rate of every entity the pipeline stored (reviews, cases, notifications, …).</summary>
    public double RatioAll => ItemsPerSecond / RawAllItemsPerSecond;

    public string Describe()
    {
        var l = Invariants.LatencySeconds;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"bench load: {Reviews} reviews, {Locations} locations, {Hosts} handler instance(s), {Environment.ProcessorCount} cores"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  pipeline throughput      {ItemsPerSecond,10:0.0} items/s  ({Reviews} items in {Elapsed.TotalSeconds:0.0} s, fake Google → poll → score → store → alert → case)"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  raw batch writes         {RawBatchItemsPerSecond,10:0.0} items/s  (the same {Reviews} Reviews entities, table transactions of ≤100 per partition, 8 in flight)"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  pipeline / storage limit {Ratio,10:0.00}×     (target ≥ 0.80×: {(Ratio >= 0.8 ? "met" : "NOT met")})"));
        var stored = string.Join(" + ", Stored.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Entities} {s.Table}")));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  raw, every stored entity {RawAllItemsPerSecond,10:0.0} items/s  ({stored} = {Stored.Sum(s => s.Entities)} entities written the same way)"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  pipeline / that limit    {RatioAll,10:0.00}×"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  arrival at fake Google → case ({l.Count} negative items): p50 {InvariantReport.Percentile(l, 50):0.00} s, p95 {InvariantReport.Percentile(l, 95):0.00} s, p99 {InvariantReport.Percentile(l, 99):0.00} s"));
        sb.AppendLine("  peak memory: " + Memory);
        sb.AppendLine("  CPU time during the run: " + Memory.Cpu);
        sb.Append(Invariants.Describe());
        return sb.ToString();
    }
}

/// <summary>The figures of one <c>bench chaos</c> run.</summary>
public sealed record ChaosResult(int Seed, int Reviews, int Locations, int Hosts, double FaultRate, ChaosLog Chaos, int GoogleCalls, int LanguageCalls, int LanguageFaults, bool Settled, TimeSpan Elapsed, InvariantReport Invariants)
{
    public bool Passed => Settled && Invariants.Holds && Chaos.Kills == Chaos.Restarts;

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"bench chaos (--seed {Seed}): {Reviews} reviews, {Locations} locations, {Hosts} handler instances, {FaultRate:P0} API faults, {Elapsed.TotalSeconds:0} s"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  handler SIGKILLs {Chaos.Kills} (restarted {Chaos.Restarts}); Azurite restarted with persistence: {(Chaos.AzuriteRestarted ? $"yes, down {Chaos.AzuriteDowntime.TotalSeconds:0.0} s" : "no")}"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  fake Google API calls {GoogleCalls}; fake Language calls {LanguageCalls} ({LanguageFaults} faulted)"));
        sb.AppendLine(Settled ? "  settled: alert queue drained, every expected case open, every review stored" : "  NOT settled before the deadline");
        sb.Append(Invariants.Describe());
        sb.AppendLine(Passed ? "PASS" : "FAIL");
        return sb.ToString();
    }
}

/// <summary>The load and chaos runs, shared by the CLI (full size) and the reliability tests (CI size).</summary>
public static class BenchRuns
{
    public static async Task<LoadResult> LoadAsync(string appRoot, int reviews, int locations, int hosts, TimeSpan timeout, Action<string>? log, CancellationToken cancellationToken = default)
    {
        using var loggers = Local.LocalServices.CreateLoggerFactory(LogLevel.Error);
        var workload = new Workload(reviews, locations);
        await using var rig = await PipelineRig.StartAsync(new RigOptions(appRoot) { Hosts = hosts }, loggers, cancellationToken);
        await rig.SeedAsync(workload, cancellationToken);
        rig.Publish(workload.Reviews);
        log?.Invoke($"bench load: {reviews} reviews at the fake Google; polling {workload.Locations.Count} locations…");

        using var sampling = new CancellationTokenSource();
        var memory = rig.SampleMemoryAsync(sampling.Token);
        var started = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        await rig.EnqueuePollsAsync(workload.Locations, "bench", cancellationToken);
        var settled = await rig.WaitSettledAsync(workload.Negatives, timeout, log, cancellationToken: cancellationToken);
        var observed = watch.Elapsed;
        await sampling.CancelAsync();
        var peaks = await memory;

        var invariants = await InvariantReport.CheckAsync(rig, workload, cancellationToken);
        // The end is the last thing the pipeline stored (a review first seen, a case opened, an alert sent).
        var elapsed = settled && invariants.LastActivity is DateTimeOffset last && last > started ? last - started : observed;

        log?.Invoke("bench load: measuring raw batch writes of the same entities…");
        var google = new Google.GoogleStore(new Azure.Data.Tables.TableServiceClient(rig.ConnectionString), string.Empty);
        var written = new List<(string Table, List<Azure.Data.Tables.ITableEntity> Rows)>();
        foreach (var table in new[] { rig.Storage.Reviews, rig.Storage.Cases, rig.Storage.Notifications, rig.Storage.CaseEvents, rig.Storage.ChannelHealth, google.Cursors })
        {
            written.Add((table.Name, await RawBatchWrite.ReadAsync(table, cancellationToken)));
        }

        // The review rows alone (the issue's figure), then every row the pipeline stored, each table to its own.
        var rawReviews = reviews / (await RawBatchWrite.TimeAsync(rig.ConnectionString, [written[0].Rows], cancellationToken)).TotalSeconds;
        var rawAll = reviews / (await RawBatchWrite.TimeAsync(rig.ConnectionString, [.. written.Select(w => w.Rows)], cancellationToken)).TotalSeconds;
        var stored = written.Where(w => w.Rows.Count > 0).Select(w => (w.Table, w.Rows.Count)).ToList();
        return new LoadResult(reviews, workload.Locations.Count, hosts, elapsed, reviews / elapsed.TotalSeconds, rawReviews, rawAll, stored, peaks, invariants);
    }

#pragma warning disable CA5394 // Fault injection, not security.
    public static async Task<ChaosResult> ChaosAsync(
        string appRoot, int reviews, int locations, int hosts, int kills, double faultRate, bool restartAzurite, int waves, TimeSpan timeout, int seed, Action<string>? log, CancellationToken cancellationToken = default)
    {
        // The dev hosts' own errors (a listener or timer in trouble) are worth seeing; the handlers' are expected noise.
        // REVIEWWATCH_BENCH_HANDLER_LOGS=1 shows everything the handlers and the hosts' triggers log (to find a cause).
        var verbose = Environment.GetEnvironmentVariable("REVIEWWATCH_BENCH_HANDLER_LOGS") == "1";
        var triggers = verbose ? LogLevel.Information : LogLevel.Critical;
        using var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Error)
            .AddFilter("ReviewWatch.DevHost.Handler", verbose ? LogLevel.Information : LogLevel.None)
            .AddFilter("Microsoft", LogLevel.None)
            .AddFilter("Function.ScheduleReviewPolls", triggers)
            .AddFilter("Function.PollLocation", triggers)
            .AddFilter("Function.DispatchAlert", triggers));
        var workload = new Workload(reviews, locations, waves, seed: seed);
        var options = new RigOptions(appRoot) { Hosts = hosts, AzureAnalyzer = true, Persistent = restartAzurite, PollSchedule = "*/15 * * * * *" };
        await using var rig = await PipelineRig.StartAsync(options, loggers, cancellationToken);
        await rig.SeedAsync(workload, cancellationToken);

        var random = new Random(seed);
        var gate = new Lock();
        double Roll()
        {
            lock (gate)
            {
                return random.NextDouble();
            }
        }

        // A third each: 429, 500/503, timeout (held, then the connection dropped).
        rig.Google.Fault = _ => Roll() is var x && x < faultRate ? (x < faultRate / 3 ? 429 : x < faultRate * 2 / 3 ? 500 : 0) : null;
        rig.Language!.Fault = _ => Roll() is var x && x < faultRate
            ? (x < faultRate / 3 ? Sentiment.Fake.LanguageFault.TooManyRequests : x < faultRate / 2 ? Sentiment.Fake.LanguageFault.ServerError : x < faultRate * 2 / 3 ? Sentiment.Fake.LanguageFault.Unavailable : Sentiment.Fake.LanguageFault.Timeout)
            : Sentiment.Fake.LanguageFault.None;

        var watch = Stopwatch.StartNew();
        // Waves of new reviews, each announced by a poll per location, while the monkey works.
        var window = TimeSpan.FromSeconds(Math.Max(20, waves * 3));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var monkey = ChaosMonkey.RunAsync(rig, kills, window, restartAzurite, seed, log, stop.Token);
        foreach (var wave in workload.Reviews.GroupBy(r => r.Wave).OrderBy(g => g.Key))
        {
            rig.Publish(wave);
            await rig.EnqueuePollsAsync(wave.Select(r => r.Location).Distinct(), "bench", cancellationToken);
            log?.Invoke($"chaos: wave {wave.Key + 1}/{workload.Waves} published ({wave.Count()} reviews)");
            await Task.Delay(window / workload.Waves, cancellationToken);
        }

        var chaos = await monkey;
        log?.Invoke("chaos: done injecting; waiting for the pipeline to settle (faults stay on)…");
        var settled = await rig.WaitSettledAsync(workload.Negatives, timeout, log, workload.Reviews.Count, cancellationToken);
        // Timer re-polls keep running: give a late duplicate the chance to show before counting.
        rig.Google.Fault = null;
        rig.Language.Fault = null;
        if (settled)
        {
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            settled = await rig.WaitSettledAsync(workload.Negatives, TimeSpan.FromSeconds(60), null, workload.Reviews.Count, cancellationToken);
        }

        var invariants = await InvariantReport.CheckAsync(rig, workload, cancellationToken);
        return new ChaosResult(seed, reviews, workload.Locations.Count, hosts, faultRate, chaos, rig.Google.ApiCalls, rig.Language.Calls, rig.Language.Faults, settled, watch.Elapsed, invariants);
    }
#pragma warning restore CA5394
}
