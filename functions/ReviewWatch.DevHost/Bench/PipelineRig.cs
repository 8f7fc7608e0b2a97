using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using ReviewWatch.DevHost.FunctionsHost;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Google.Fake;
using ReviewWatch.Messaging;
using ReviewWatch.Sentiment.Fake;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Bench;

/// <summary>What to run: how many handler instances, which analyzer, whether storage survives a restart.</summary>
public sealed record RigOptions(string AppRoot)
{
    public int Hosts { get; init; } = 1;

    /// <summary>Run the analyzer as <c>azure</c> against <see cref="FakeLanguageApi"/> (otherwise the built-in one).</summary>
    public bool AzureAnalyzer { get; init; }

    /// <summary>Azurite keeps its data in a folder on fixed ports, so it can be restarted with persistence.</summary>
    public bool Persistent { get; init; }

    /// <summary>NCRONTAB of the poll fan-out; null keeps timers off (the bench enqueues polls itself).</summary>
    public string? PollSchedule { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Error;
}

/// <summary>
/// The real pipeline on one machine for the benches and reliability tests: Azurite, the fake Google (and
/// optionally the fake Azure AI Language), and N dev hosts, each with its own handler process, sharing the storage
/// account and competing for its queues. Seeds a <see cref="Workload"/>, feeds it to the fake, and measures.
/// </summary>
public sealed class PipelineRig : IAsyncDisposable
{
    private readonly RigOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, DateTimeOffset> _arrivals = new(StringComparer.Ordinal);
    private readonly List<DevFunctionsHost> _hosts = [];
    private AzuriteServer _azurite;

    private PipelineRig(RigOptions options, ILoggerFactory loggers, AzuriteServer azurite, FakeGoogleApi google, FakeLanguageApi? language, WebhookSink webhook, string? persistFolder, Dictionary<string, string> settings, string outbox)
    {
        _options = options;
        _loggers = loggers;
        _azurite = azurite;
        Google = google;
        Language = language;
        Webhook = webhook;
        PersistFolder = persistFolder;
        Settings = settings;
        Outbox = outbox;
        Storage = ReviewWatchStorage.Create(azurite.ConnectionString, null, null);
    }

    public FakeGoogleApi Google { get; }
    public FakeLanguageApi? Language { get; }

    /// <summary>Every alert also goes to this webhook, which counts what was really sent (see <see cref="WebhookSink"/>).</summary>
    public WebhookSink Webhook { get; }

    /// <summary>When a handler was SIGKILLed or storage went away, for telling an alert re-sent after one from any other.</summary>
    public ConcurrentQueue<Disruption> Disruptions { get; } = new();
    public string? PersistFolder { get; }
    public Dictionary<string, string> Settings { get; }
    public string Outbox { get; }
    public ReviewWatchStorage Storage { get; private set; }
    public string ConnectionString => _azurite.ConnectionString;
    public IReadOnlyList<DevFunctionsHost> Hosts => _hosts;
    public AzuriteServer Azurite => _azurite;
    public IReadOnlyDictionary<string, DateTimeOffset> Arrivals => _arrivals;

    public static async Task<PipelineRig> StartAsync(RigOptions options, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "rw-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var persist = options.Persistent ? Path.Combine(scratch, "azurite") : null;
        var azurite = await AzuriteServer.StartAsync(persist, cancellationToken: cancellationToken);
        var google = await FakeGoogleApi.StartAsync();
        var language = options.AzureAnalyzer ? await FakeLanguageApi.StartAsync() : null;
        var webhook = await WebhookSink.StartAsync();
        var outbox = Path.Combine(scratch, "outbox");
        var settings = LocalSettings.Load(Path.Combine(RepositoryRoot.Find(), "local.settings.sample.json"));
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["Alerting__OutboxPath"] = outbox;
        settings["Alerting__Webhook__Url"] = webhook.Url;
        settings["Alerting__Webhook__Secret"] = webhook.Secret;
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        settings["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in google.Settings())
        {
            settings[k] = v;
        }

        // The fake has no quota; the real project's 300/min would make the bench measure our own pacing.
        settings["Google__RequestsPerMinute"] = "600000";
        settings["Google__RetryBaseDelay"] = "00:00:00.200";
        settings["POLL_SCHEDULE"] = options.PollSchedule ?? "0 0 0 1 1 *";
        settings["ESCALATE_SCHEDULE"] = "0 0 0 1 1 *";
        settings["DIGEST_SCHEDULE"] = "0 0 0 1 1 *";
        if (language is not null)
        {
            foreach (var (k, v) in language.Settings())
            {
                settings[k] = v;
            }
        }

        var rig = new PipelineRig(options, loggers, azurite, google, language, webhook, persist, settings, outbox);
        try
        {
            await rig.Storage.EnsureCreatedAsync(cancellationToken);
            for (var i = 0; i < options.Hosts; i++)
            {
                rig._hosts.Add(await DevFunctionsHost.StartAsync(
                    new DevHostOptions(options.AppRoot, settings) { HttpPort = 0, EnableTimers = options.PollSchedule is not null }, loggers, cancellationToken));
            }
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }

        return rig;
    }

    /// <summary>Businesses and locations into storage (as `google locations` would write them).</summary>
    public async Task SeedAsync(Workload workload, CancellationToken cancellationToken = default)
    {
        foreach (var businessId in workload.Businesses)
        {
            await Storage.Businesses.UpsertEntityAsync(new BusinessEntity
            {
                PartitionKey = BusinessEntity.Partition,
                RowKey = businessId,
                Name = "Bench " + businessId,
                OwnerName = "Owner",
                OwnerEmail = $"owner@{businessId}.example",
            }, cancellationToken: cancellationToken);
        }

        foreach (var l in workload.Locations)
        {
            await Storage.Locations.UpsertEntityAsync(new LocationEntity { PartitionKey = l.BusinessId, RowKey = l.LocationId, Name = l.LocationId, Source = "google", SourceRef = l.SourceRef }, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Puts one wave of reviews at the fake Google, noting when each arrived there.</summary>
    public void Publish(IEnumerable<BenchReview> reviews)
    {
        foreach (var r in reviews)
        {
            Google.PutReview(r.Location.SourceRef, r.Review);
            _arrivals[Recovery.RecoveryCase.IdFor("review", r.Location.LocationId, TableClientExtensions.SafeKey(r.Review.Id))] = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>One poll request per location, as the fan-out or a push would enqueue them.</summary>
    public async Task EnqueuePollsAsync(IEnumerable<BenchLocation> locations, string reason, CancellationToken cancellationToken = default)
    {
        await WithRetryAsync(() => Storage.PollQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken), cancellationToken);
        await Parallel.ForEachAsync(locations, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (l, ct) =>
            await WithRetryAsync(() => Storage.PollQueue.SendMessageAsync(MessageCodec.Write(new PollRequest(MessageCodec.CurrentVersion, l.BusinessId, l.LocationId, reason, DateTimeOffset.UtcNow)), ct), ct));
    }

    /// <summary>
    /// Waits until the queues are drained and every expected case exists, or the timeout passes. Returns whether
    /// it settled. Storage errors while Azurite restarts are waited out.
    /// </summary>
    /// <summary>
    /// Waits until the pipeline is done: the alert queue empty and every expected case open, and either the poll queue
    /// empty or — when a poll schedule keeps queueing requests, so that queue is never empty for long at a large size —
    /// all <paramref name="expectedItems"/> reviews stored (counted at most every 10 s: a full scan).
    /// </summary>
    public async Task<bool> WaitSettledAsync(int expectedCases, TimeSpan timeout, Action<string>? progress = null, int expectedItems = 0, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lastReport = DateTime.MinValue;
        var lastItemCount = DateTime.MinValue;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var polls = await QueueDepthAsync(ReviewWatchStorage.PollQueueName, cancellationToken);
                var alerts = await QueueDepthAsync(ReviewWatchStorage.AlertQueueName, cancellationToken);
                var cases = polls + alerts == 0 || DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(10) ? await CountAsync(Storage.Cases, cancellationToken) : -1;
                if (DateTime.UtcNow - lastReport > TimeSpan.FromSeconds(10))
                {
                    progress?.Invoke($"poll-requests {polls}, alerts {alerts}, cases {cases}/{expectedCases}");
                    lastReport = DateTime.UtcNow;
                }

                if (polls == 0 && alerts == 0 && cases >= expectedCases)
                {
                    return true;
                }

                if (expectedItems > 0 && alerts == 0 && cases >= expectedCases && DateTime.UtcNow - lastItemCount > TimeSpan.FromSeconds(10))
                {
                    lastItemCount = DateTime.UtcNow;
                    var stored = await CountAsync(Storage.Reviews, cancellationToken);
                    progress?.Invoke($"every case is open; reviews stored {stored}/{expectedItems} (scheduled polls keep coming: {polls} queued)");
                    if (stored >= expectedItems)
                    {
                        return true;
                    }
                }
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
            }

            await Task.Delay(polling(expectedCases), cancellationToken);
        }

        return false;

        static TimeSpan polling(int n) => TimeSpan.FromMilliseconds(n > 2000 ? 1000 : 250);
    }

    public async Task<int> QueueDepthAsync(string queue, CancellationToken cancellationToken = default)
    {
        var client = new QueueClient(ConnectionString, queue);
        if (!(await client.ExistsAsync(cancellationToken)).Value)
        {
            return 0;
        }

        return (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
    }

    public static async Task<int> CountAsync(TableClient table, CancellationToken cancellationToken = default)
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"], maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            n++;
        }

        return n;
    }

    /// <summary>Stops Azurite gracefully and starts it again on the same ports with the same folder.</summary>
    public async Task RestartAzuriteAsync(CancellationToken cancellationToken = default)
    {
        if (PersistFolder is null)
        {
            throw new InvalidOperationException("Azurite runs in memory; start the rig with Persistent = true to restart it.");
        }

        var ports = (_azurite.BlobPort, _azurite.QueuePort, _azurite.TablePort);
        var stopping = DateTimeOffset.UtcNow;
        await _azurite.StopGracefullyAsync(TimeSpan.FromSeconds(20));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _azurite = await AzuriteServer.StartAsync(PersistFolder, ports, cancellationToken);
                Disruptions.Enqueue(new Disruption(stopping, DateTimeOffset.UtcNow, "Azurite restarted"));
                return;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                await Task.Delay(1000, cancellationToken); // the old instance still holds a port
            }
        }
    }

    /// <summary>
    /// Peak resident memory of the handlers, Azurite and this process, sampled until cancelled, and the CPU time each
    /// used meanwhile (on two cores, where the time goes decides what to make cheaper).
    /// </summary>
    public async Task<MemoryPeaks> SampleMemoryAsync(CancellationToken stop)
    {
        long handlers = 0, azurite = 0, self = 0;
        // Per process: its part (as seen when first sampled), its CPU time then, and its CPU time at the last sample.
        var cpu = new Dictionary<int, (string Part, TimeSpan First, TimeSpan Last)>();
        long Sample(int? pid, string part)
        {
            if (pid is null)
            {
                return 0;
            }

            try
            {
                using var p = Process.GetProcessById(pid.Value);
                var used = p.TotalProcessorTime;
                cpu[pid.Value] = (part, cpu.TryGetValue(pid.Value, out var seen) ? seen.First : used, used);
                return p.WorkingSet64;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return 0; // exited between samples
            }
        }

        while (true)
        {
            handlers = Math.Max(handlers, _hosts.Sum(host => Sample(host.Handler.ProcessId, "handler")));
            azurite = Math.Max(azurite, _azurite.ProcessIds().Sum(pid => Sample(pid, "azurite")));
            self = Math.Max(self, Sample(Environment.ProcessId, "bench"));
            if (stop.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        double Used(string part) => cpu.Values.Where(c => c.Part == part).Sum(c => (c.Last - c.First).TotalSeconds);
        return new MemoryPeaks(handlers, azurite, self)
        {
            HandlerCpuSeconds = Used("handler"),
            AzuriteCpuSeconds = Used("azurite"),
            BenchCpuSeconds = Used("bench"),
        };
    }

    private static async Task WithRetryAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action();
                return;
            }
            catch (Exception ex) when (attempt < 30 && ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _azurite.DisposeAsync();
        await Google.DisposeAsync();
        await Webhook.DisposeAsync();
        if (Language is not null)
        {
            await Language.DisposeAsync();
        }

        try
        {
            Directory.Delete(Path.GetDirectoryName(Outbox)!, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Peak resident set sizes in bytes, and the CPU seconds each part used while sampled.</summary>
public sealed record MemoryPeaks(long Handlers, long Azurite, long Bench)
{
    public double HandlerCpuSeconds { get; init; }

    public double AzuriteCpuSeconds { get; init; }

    public double BenchCpuSeconds { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"handler(s) {Handlers / 1048576.0:0} MiB, Azurite {Azurite / 1048576.0:0} MiB, bench + dev host(s) {Bench / 1048576.0:0} MiB");

    public string Cpu => string.Create(CultureInfo.InvariantCulture,
        $"handler(s) {HandlerCpuSeconds:0.0} s, Azurite {AzuriteCpuSeconds:0.0} s, bench + dev host(s) + fake Google {BenchCpuSeconds:0.0} s");
}
