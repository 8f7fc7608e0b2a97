using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ReviewWatch.Mentions;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Mentions;

/// <summary>A handler (own tables and outbox) wired to its own fake social APIs and clock, with one business watching mentions.</summary>
public sealed class MentionTestBed : IAsyncDisposable
{
    private readonly string _folder;

    private MentionTestBed(FakeSocialApis apis, HandlerUnderTest handler, FakeTimeProvider time, CapturingLoggerProvider logs, string businessId, string folder)
    {
        Apis = apis;
        Handler = handler;
        Time = time;
        Logs = logs;
        BusinessId = businessId;
        _folder = folder;
    }

    public FakeSocialApis Apis { get; }
    public HandlerUnderTest Handler { get; }
    public FakeTimeProvider Time { get; }
    public CapturingLoggerProvider Logs { get; }
    public string BusinessId { get; }
    public ReviewWatchStorage Storage => Handler.Storage;
    public MentionPoller Poller => Handler.Services.GetRequiredService<MentionPoller>();

    public static async Task<MentionTestBed> StartAsync(string azurite)
    {
        var apis = await FakeSocialApis.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new CapturingLoggerProvider();
        var handler = await HandlerUnderTest.StartAsync(azurite, apis.Settings(), s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton<ILoggerProvider>(logs);
        });
        var businessId = "b" + Guid.NewGuid().ToString("N")[..10];
        await handler.Storage.EnsureCreatedAsync();
        await handler.Storage.Businesses.AddEntityAsync(new BusinessEntity
        {
            PartitionKey = BusinessEntity.Partition,
            RowKey = businessId,
            Name = "Leipomo Kanelitupa",
            OwnerName = "Aino",
            OwnerEmail = "owner@example.fi",
            ContactName = "Aino",
        });
        await handler.Storage.Users.AddEntityAsync(new UserEntity { PartitionKey = UserEntity.Partition, RowKey = HandlerUnderTest.Owner, DisplayName = "Aino", Roles = "owner,staff", Businesses = businessId });
        var folder = Path.Combine(Path.GetTempPath(), "rw-mentions-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return new MentionTestBed(apis, handler, time, logs, businessId, folder);
    }

    /// <summary>A config with defaults for the tests: "Kanelitupa", not ambiguous, every source off unless turned on.</summary>
    public MentionConfig Config(bool rss = false, bool reddit = false, bool bluesky = false, bool mastodon = false, params string[] feeds) => new()
    {
        SearchTerms = ["Kanelitupa"],
        Hashtags = ["kanelitupa"],
        Handles = ["kanelitupa.bsky.social"],
        Rss = new RssSettings { Enabled = rss, Feeds = feeds },
        Reddit = new SourceSwitch { Enabled = reddit },
        Bluesky = new SourceSwitch { Enabled = bluesky },
        Mastodon = new MastodonSettings { Enabled = mastodon, Instances = [Apis.BaseAddress.ToString()] },
    };

    public async Task ConfigureAsync(MentionConfig config)
    {
        var business = (await Storage.Businesses.GetEntityAsync<BusinessEntity>(BusinessEntity.Partition, BusinessId)).Value;
        business.MentionSettings = config.ToJson();
        await Storage.Businesses.UpdateEntityAsync(business, business.ETag, TableUpdateMode.Replace);
    }

    /// <summary>Writes an RSS 2.0 feed file with these items (raw XML) and returns its file:// URL.</summary>
    public string Feed(params string[] items)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N")[..8] + ".xml");
        File.WriteAllText(path, $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Alerts</title><link>https://example.org/</link><description>test</description>\n{string.Join('\n', items)}\n</channel></rss>");
        return new Uri(path).AbsoluteUri;
    }

    public static string Item(string title, string link, string description, string pubDate = "Mon, 16 Nov 2026 08:10:00 +0200") =>
        $"<item><title>{title}</title><link>{link}</link><guid>{link}</guid><pubDate>{pubDate}</pubDate><description>{description}</description></item>";

    public async Task<List<MentionEntity>> MentionsAsync(string? status = null)
    {
        var list = new List<MentionEntity>();
        await foreach (var m in Storage.Mentions.QueryAsync<MentionEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {BusinessId}")))
        {
            if (status is null || m.Status == status)
            {
                list.Add(m);
            }
        }

        return list;
    }

    public async Task<MentionCursorEntity?> CursorAsync(string source, string scope) =>
        await Storage.MentionCursors.GetOrDefaultAsync<MentionCursorEntity>(MentionCursorEntity.Partition, MentionCursorEntity.KeyFor(BusinessId, source, scope));

    public string[] OutboxFiles() => Directory.Exists(Handler.Outbox) ? Directory.GetFiles(Handler.Outbox, "*.eml") : [];

    public async ValueTask DisposeAsync()
    {
        await Handler.DisposeAsync();
        await Apis.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
