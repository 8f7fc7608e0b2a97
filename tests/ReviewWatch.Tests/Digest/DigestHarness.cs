using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ReviewWatch.Digest;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Tests.Digest;

/// <summary>
/// The core services on a fake clock against Azurite, with their own table prefix and outbox. A second
/// instance (<see cref="AnotherInstance"/>) shares storage and outbox, as a second Functions instance would.
/// </summary>
public sealed class DigestHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _connection;

    private DigestHarness(string connection, string prefix, string outbox, FakeTimeProvider time)
    {
        _connection = connection;
        Prefix = prefix;
        Outbox = outbox;
        Time = time;
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connection,
            ["Storage:TablePrefix"] = prefix,
            ["Alerting:OutboxPath"] = outbox,
            ["Alerting:PublicBaseUrl"] = "http://localhost:7071",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddReviewWatchCore(configuration);
        services.AddSingleton<TimeProvider>(time);
        _services = services.BuildServiceProvider();
    }

    public string Prefix { get; }

    public string Outbox { get; }

    public FakeTimeProvider Time { get; }

    public ReviewWatchStorage Storage => _services.GetRequiredService<ReviewWatchStorage>();

    public DigestService Service => _services.GetRequiredService<DigestService>();

    public DigestBuilder Builder => _services.GetRequiredService<DigestBuilder>();

    public static async Task<DigestHarness> StartAsync(string connection, DateTimeOffset now)
    {
        var harness = new DigestHarness(
            connection,
            "d" + Guid.NewGuid().ToString("N")[..10],
            Path.Combine(Path.GetTempPath(), "rw-digest-outbox-" + Guid.NewGuid().ToString("N")[..8]),
            new FakeTimeProvider(now));
        await harness.Storage.EnsureCreatedAsync();
        return harness;
    }

    public DigestHarness AnotherInstance() => new(_connection, Prefix, Outbox, Time);

    public string[] OutboxFiles() => Directory.Exists(Outbox) ? Directory.GetFiles(Outbox, "*.eml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray() : [];

    public async Task<List<TableEntity>> DigestRowsAsync(string businessId)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Storage.Digests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {businessId}")))
        {
            rows.Add(row);
        }

        return rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).ToList();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

/// <summary>Test data with defaults: say only what the test is about.</summary>
public sealed class DigestData(ReviewWatchStorage storage)
{
    public async Task<BusinessEntity> BusinessAsync(string id, string language = "en", string timeZone = "Europe/Helsinki", params (string Id, string Name)[] locations)
    {
        var business = new BusinessEntity { PartitionKey = BusinessEntity.Partition, RowKey = id, Name = $"{id} Oy", Language = language, TimeZone = timeZone, OwnerName = "Owner", OwnerEmail = "owner@example.com" };
        await storage.Businesses.UpsertEntityAsync(business, TableUpdateMode.Replace);
        foreach (var (locationId, name) in locations)
        {
            await storage.Locations.UpsertEntityAsync(new LocationEntity { PartitionKey = id, RowKey = locationId, Name = name }, TableUpdateMode.Replace);
        }

        return business;
    }

    public async Task<ReviewEntity> ReviewAsync(
        string business, string location, string key, int rating, DateTimeOffset created, string text = "", string sentiment = "neutral",
        double score = 0, string touchpoints = "[]", DateTimeOffset? firstSeen = null, DateTimeOffset? replied = null, DateTimeOffset? removed = null)
    {
        var review = new ReviewEntity
        {
            PartitionKey = location, RowKey = key, BusinessId = business, ReviewId = key, Rating = rating, Text = text,
            CreateTime = created, UpdateTime = created, FirstSeenAt = firstSeen ?? created, ReplyTime = replied,
            Sentiment = sentiment, SentimentScore = score, Touchpoints = touchpoints, RemovedAt = removed, Source = "google",
        };
        await storage.Reviews.UpsertEntityAsync(review, TableUpdateMode.Replace);
        return review;
    }

    public async Task<RecoveryCase> CaseAsync(
        string business, string location, string itemKey, DateTimeOffset itemCreated, DateTimeOffset created, DateTimeOffset due,
        DateTimeOffset? replied = null, DateTimeOffset? closed = null, string outcome = "")
    {
        var c = new RecoveryCase
        {
            PartitionKey = business, RowKey = RecoveryCase.IdFor("review", location, itemKey), LocationId = location, ItemKey = itemKey,
            Status = closed is null ? (replied is null ? CaseStatus.New : CaseStatus.Replied) : CaseStatus.Resolved,
            CreatedAt = created, ItemCreatedAt = itemCreated, DueAt = due, RepliedAt = replied, ClosedAt = closed, Outcome = outcome,
        };
        await storage.Cases.UpsertEntityAsync(c, TableUpdateMode.Replace);
        return c;
    }

    public Task EventAsync(string caseId, string type, string details, DateTimeOffset at) =>
        storage.CaseEvents.UpsertEntityAsync(new CaseEventEntity { PartitionKey = caseId, RowKey = at.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + type, Type = type, At = at, Details = details, Actor = "system" });

    public static string Tp(params (string Name, string Label)[] touchpoints) =>
        System.Text.Json.JsonSerializer.Serialize(touchpoints.Select(t => new Dictionary<string, string> { ["name"] = t.Name, ["label"] = t.Label }));
}
