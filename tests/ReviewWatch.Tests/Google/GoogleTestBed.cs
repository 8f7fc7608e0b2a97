using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewWatch.Alerts;
using ReviewWatch.Google;
using ReviewWatch.Google.Fake;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Google;

/// <summary>A handler (own table prefix and outbox) wired to its own fake Google, with one business and its Google locations.</summary>
public sealed class GoogleTestBed : IAsyncDisposable
{
    public const string Audience = "https://reviewwatch.test/api/google/notifications";

    private GoogleTestBed(FakeGoogleApi google, HandlerUnderTest handler, string businessId)
    {
        Google = google;
        Handler = handler;
        BusinessId = businessId;
    }

    public FakeGoogleApi Google { get; }
    public HandlerUnderTest Handler { get; }
    public string BusinessId { get; }
    public ReviewWatchStorage Storage => Handler.Storage;
    public GooglePoller Poller => Handler.Services.GetRequiredService<GooglePoller>();
    public GoogleReplyPublisher Publisher => Handler.Services.GetRequiredService<GoogleReplyPublisher>();

    public static async Task<GoogleTestBed> StartAsync(string azurite, Dictionary<string, string?>? extra = null)
    {
        var google = await FakeGoogleApi.StartAsync();
        var settings = google.Settings(Audience).ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value);
        settings["Google:RetryBaseDelay"] = "00:00:00.010";
        settings["Google:RequestsPerMinute"] = "60000";
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var handler = await HandlerUnderTest.StartAsync(azurite, settings);
        var businessId = "b" + Guid.NewGuid().ToString("N")[..10];
        await handler.Storage.EnsureCreatedAsync();
        await handler.Storage.Businesses.AddEntityAsync(new BusinessEntity
        {
            PartitionKey = BusinessEntity.Partition,
            RowKey = businessId,
            Name = "Leipomo Testi",
            OwnerName = "Omistaja",
            OwnerEmail = "owner@example.fi",
            ContactName = "Anna",
        });
        return new GoogleTestBed(google, handler, businessId);
    }

    /// <summary>Adds a Google location (accounts/1/locations/{googleId}) and returns it as stored.</summary>
    public async Task<LocationEntity> AddLocationAsync(string googleId)
    {
        var location = new LocationEntity
        {
            PartitionKey = BusinessId,
            RowKey = $"{BusinessId}-{googleId}",
            Name = "Testi " + googleId,
            Source = "google",
            SourceRef = $"accounts/1/locations/{googleId}",
        };
        await Storage.Locations.AddEntityAsync(location);
        return (await Storage.Locations.GetEntityAsync<LocationEntity>(BusinessId, location.RowKey)).Value;
    }

    public async Task<LocationEntity> ReloadAsync(LocationEntity location) =>
        (await Storage.Locations.GetEntityAsync<LocationEntity>(location.PartitionKey, location.RowKey)).Value;

    public async Task<List<ReviewEntity>> ReviewsAsync(LocationEntity location)
    {
        var list = new List<ReviewEntity>();
        await foreach (var r in Storage.Reviews.QueryAsync<ReviewEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {location.LocationId}")))
        {
            list.Add(r);
        }

        return list;
    }

    /// <summary>Runs the alerts a poll owes through the real dispatcher (opens the cases).</summary>
    public async Task<List<RecoveryCase>> DispatchAsync(IEnumerable<AlertMessage> alerts)
    {
        var dispatcher = Handler.Services.GetRequiredService<AlertDispatcher>();
        var cases = new List<RecoveryCase>();
        foreach (var alert in alerts)
        {
            cases.Add(await dispatcher.DispatchAsync(alert));
        }

        return cases;
    }

    public string[] OutboxFiles(string pattern) => Directory.Exists(Handler.Outbox) ? Directory.GetFiles(Handler.Outbox, pattern) : [];

    public async ValueTask DisposeAsync()
    {
        await Handler.DisposeAsync();
        await Google.DisposeAsync();
    }
}
