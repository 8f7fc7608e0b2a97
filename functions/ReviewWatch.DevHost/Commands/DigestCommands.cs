using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Digest;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Commands;

/// <summary>
/// <c>digest</c>: prints any week's digest of a business (text, json, html = the email, page = the staff page).
/// <c>bench-digest</c>: seeds 100 locations with a year of reviews into Azurite and times the digest build.
/// </summary>
public static class DigestCommands
{
    public static async Task<int> PreviewAsync(CommandLine cli)
    {
        var businessId = cli.Option("business");
        if (businessId is null)
        {
            Console.Error.WriteLine("digest needs --business B [--week 2026-W47] [--format text|json|html|page] [--storage CONNECTION]");
            return 2;
        }

        var format = cli.Option("format") ?? "text";
        if (format is not ("text" or "json" or "html" or "page"))
        {
            Console.Error.WriteLine($"--format must be text, json, html or page, got '{format}'");
            return 2;
        }

        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage"] = cli.Option("storage") ?? Environment.GetEnvironmentVariable("AzureWebJobsStorage") ?? "UseDevelopmentStorage=true" };
        using var loggers = LocalServices.CreateLoggerFactory(LogLevel.Warning);
        await using var services = LocalServices.Create(settings, loggers);
        var business = await services.GetRequiredService<BusinessDirectory>().GetBusinessAsync(businessId);
        if (business is null)
        {
            Console.Error.WriteLine($"No business '{businessId}'.");
            return 1;
        }

        IsoWeek week;
        if (cli.Option("week") is { } text)
        {
            if (!IsoWeek.TryParse(text, out week))
            {
                Console.Error.WriteLine($"--week must look like 2026-W47, got '{text}'");
                return 2;
            }
        }
        else
        {
            week = services.GetRequiredService<DigestService>().DueWeek(TimeProvider.System.GetUtcNow(), TimeZones.Find(business.TimeZone));
        }

        var report = await services.GetRequiredService<DigestBuilder>().BuildAsync(business, week);
        Console.Out.Write(format switch
        {
            "json" => DigestJsonContext.Serialize(report) + "\n",
            "html" => DigestEmail.Html(report) + "\n",
            "page" => DigestPageHtml.Render(report) + "\n",
            _ => DigestEmail.Text(report),
        });
        return 0;
    }

    public static async Task<int> BenchAsync(CommandLine cli)
    {
        var locations = cli.IntOption("locations", 100);
        var total = cli.IntOption("reviews", 200_000);
        AzuriteServer? azurite = null;
        var connection = cli.Option("storage");
        if (connection is null)
        {
            Console.Error.WriteLine("bench-digest: starting Azurite (in memory)…");
            azurite = await AzuriteServer.StartAsync();
            connection = azurite.ConnectionString;
        }

        try
        {
            var settings = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = connection,
                ["Storage__TablePrefix"] = "bench",
                ["Alerting__OutboxPath"] = Path.Combine(Path.GetTempPath(), "rw-bench-outbox"),
            };
            using var loggers = LocalServices.CreateLoggerFactory(LogLevel.Warning);
            await using var services = LocalServices.Create(settings, loggers);
            var storage = services.GetRequiredService<ReviewWatchStorage>();
            await storage.EnsureCreatedAsync();
            var now = TimeProvider.System.GetUtcNow();

            var seeding = Stopwatch.StartNew();
            var (business, written, cases) = await SeedAsync(storage, locations, total, now);
            seeding.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {locations} locations, {written} reviews, {cases} cases in {seeding.Elapsed.TotalSeconds:F1} s"));

            var builder = services.GetRequiredService<DigestBuilder>();
            var week = services.GetRequiredService<DigestService>().DueWeek(now, TimeZones.Find(business.TimeZone));
            for (var run = 1; run <= 3; run++)
            {
                GC.Collect();
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                var report = await builder.BuildAsync(business, week);
                var built = clock.Elapsed;
                var html = DigestEmail.Html(report);
                var page = DigestPageHtml.Render(report);
                var json = DigestJsonContext.Serialize(report);
                var rendered = clock.Elapsed - built;
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                using var process = Process.GetCurrentProcess();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: week {week}, {report.Totals.Items.Reviews} reviews in the week, trend {report.Totals.Trend.Sum(t => t.Reviews)} reviews; build {built.TotalMilliseconds:F0} ms, render {rendered.TotalMilliseconds:F0} ms (email {html.Length / 1024} KiB, page {page.Length / 1024} KiB, json {json.Length / 1024} KiB); allocated {allocated / 1048576.0:F1} MiB; peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MiB"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            return 0;
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    private static readonly string[] Positive =
    [
        "Ihana kahvila, ystävällinen henkilökunta ja hyvä kahvi.", "Great coffee and friendly staff, will come back.",
        "Parhaat korvapuustit, nopea palvelu.", "Lovely pastries, fair price.",
    ];

    private static readonly string[] Negative =
    [
        "Jono oli pitkä ja kahvi kylmää.", "Rude staff and a long wait for cold coffee.",
        "Liian kallis eikä siisti.", "The tables were dirty and the bill was wrong.",
    ];

    /// <summary>A deterministic year of reviews, written with batch transactions of at most 100 rows per partition.</summary>
    private static async Task<(BusinessEntity, int, int)> SeedAsync(ReviewWatchStorage storage, int locationCount, int total, DateTimeOffset now)
    {
        var business = new BusinessEntity { PartitionKey = BusinessEntity.Partition, RowKey = "bench", Name = "Bench Oy", Language = "fi", TimeZone = "Europe/Helsinki", OwnerName = "Bench" };
        await storage.Businesses.UpsertEntityAsync(business, TableUpdateMode.Replace);
        var perLocation = total / locationCount;
        var start = now.AddDays(-365);
        var written = 0;
        var caseCount = 0;
        await Parallel.ForEachAsync(Enumerable.Range(1, locationCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, ct) =>
        {
            var locationId = string.Create(CultureInfo.InvariantCulture, $"bench-l{n:000}");
            await storage.Locations.UpsertEntityAsync(new LocationEntity { PartitionKey = business.RowKey, RowKey = locationId, Name = $"Toimipiste {n:000}", City = "Helsinki" }, TableUpdateMode.Replace, ct);
            var random = new Random(n);
            var batch = new List<TableTransactionAction>(100);
            var cases = new List<TableTransactionAction>();
            for (var i = 0; i < perLocation; i++)
            {
                var created = start.AddSeconds(random.NextDouble() * 365 * 86400);
                var rating = random.Next(100) switch { < 45 => 5, < 70 => 4, < 80 => 3, < 90 => 2, _ => 1 };
                var positive = rating >= 4;
                var text = random.Next(5) == 0 ? string.Empty : (positive ? Positive : Negative)[random.Next(4)];
                var label = positive ? "positive" : rating == 3 ? "mixed" : "negative";
                var tp = positive ? "staff" : new[] { "wait_time", "product_quality", "price", "cleanliness" }[random.Next(4)];
                var firstSeen = created.AddMinutes(5 + random.Next(30));
                var replied = random.Next(10) < 7 ? firstSeen.AddHours(random.NextDouble() * 48) : (DateTimeOffset?)null;
                var review = new ReviewEntity
                {
                    PartitionKey = locationId,
                    RowKey = string.Create(CultureInfo.InvariantCulture, $"r{i:00000}"),
                    BusinessId = business.RowKey,
                    ReviewId = string.Create(CultureInfo.InvariantCulture, $"r{i:00000}"),
                    Rating = rating,
                    Text = text,
                    CreateTime = created,
                    UpdateTime = created,
                    FirstSeenAt = firstSeen,
                    ReplyTime = replied is { } r && r < now ? r : null,
                    Sentiment = label,
                    SentimentScore = positive ? 0.6 : -0.5,
                    Touchpoints = JsonSerializer.Serialize(new[] { new Dictionary<string, string> { ["name"] = tp, ["label"] = label } }),
                    RemovedAt = random.Next(200) == 0 ? created.AddDays(3) : null,
                    Source = "google",
                };
                batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, review));
                if (rating <= 2)
                {
                    var closed = firstSeen.AddDays(2);
                    var recovery = new RecoveryCase
                    {
                        PartitionKey = business.RowKey,
                        RowKey = RecoveryCase.IdFor("review", locationId, review.RowKey),
                        LocationId = locationId,
                        ItemKey = review.RowKey,
                        Rating = rating,
                        Severity = "high",
                        Status = closed < now ? CaseStatus.Resolved : CaseStatus.New,
                        CreatedAt = firstSeen,
                        ItemCreatedAt = created,
                        DueAt = firstSeen.AddHours(4),
                        RepliedAt = review.ReplyTime,
                        ClosedAt = closed < now ? closed : null,
                        Outcome = closed < now ? MakeGood.All[random.Next(MakeGood.All.Length)] : string.Empty,
                    };
                    cases.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, recovery));
                }

                if (batch.Count == 100)
                {
                    await storage.Reviews.SubmitTransactionAsync(batch, ct);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await storage.Reviews.SubmitTransactionAsync(batch, ct);
            }

            // Cases share one partition (the business), so their batches go one after another per location.
            foreach (var chunk in cases.Chunk(100))
            {
                await storage.Cases.SubmitTransactionAsync(chunk, ct);
            }

            Interlocked.Add(ref written, perLocation);
            Interlocked.Add(ref caseCount, cases.Count);
        });
        return (business, written, caseCount);
    }
}
