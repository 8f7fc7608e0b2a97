using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using ReviewWatch.DevHost.FunctionsHost;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Tests.Infrastructure;

/// <summary>
/// The built function app run by the dev host, as ./reviewwatch run does: the real handler executable in its
/// own process, queue triggers polling Azurite, HTTP on a free port. Several may share one storage account.
/// </summary>
public sealed class DevHostUnderTest : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private DevHostUnderTest(DevFunctionsHost host, ILoggerFactory loggers, CapturingLoggerProvider logs, Dictionary<string, string> settings)
    {
        Host = host;
        _loggers = loggers;
        Logs = logs;
        Settings = settings;
        Client = new HttpClient { BaseAddress = host.HttpBaseAddress };
    }

    public DevFunctionsHost Host { get; }
    public CapturingLoggerProvider Logs { get; }
    public Dictionary<string, string> Settings { get; }
    public HttpClient Client { get; }

    public static Dictionary<string, string> DefaultSettings(string connectionString, string outbox)
    {
        var settings = LocalSettings.Load(Path.Combine(TestPaths.RepositoryRoot, "local.settings.sample.json"));
        settings["AzureWebJobsStorage"] = connectionString;
        settings["Alerting__OutboxPath"] = outbox;
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        return settings;
    }

    /// <param name="appRoot">The function app to run; the built app by default (see <see cref="AppRootWithHostJson"/>).</param>
    public static async Task<DevHostUnderTest> StartAsync(Dictionary<string, string> settings, bool timers = false, string? appRoot = null)
    {
        // Mint the owner's token before the handler starts, so both share the one Data Protection key in storage.
        string token;
        await using (var services = LocalServices.Create(settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance))
        {
            token = ReviewWatch.Security.DevTokens.Create(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(services), HandlerUnderTest.Owner);
        }

        var logs = new CapturingLoggerProvider();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var host = await DevFunctionsHost.StartAsync(new DevHostOptions(appRoot ?? TestPaths.FunctionAppRoot, settings) { HttpPort = 0, EnableTimers = timers }, loggers);
        var result = new DevHostUnderTest(host, loggers, logs, settings);
        result.Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return result;
    }

    /// <summary>
    /// A scratch app root that runs the built handler with a changed host.json: the built app's function folders and
    /// host.json, edited by <paramref name="edit"/>, with the executable and working directory pointing at the build.
    /// </summary>
    public static string AppRootWithHostJson(Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var built = TestPaths.FunctionAppRoot;
        var root = Path.Combine(Path.GetTempPath(), "rw-approot-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        foreach (var dir in Directory.GetDirectories(built).Where(d => File.Exists(Path.Combine(d, "function.json"))))
        {
            var target = Directory.CreateDirectory(Path.Combine(root, Path.GetFileName(dir))).FullName;
            File.Copy(Path.Combine(dir, "function.json"), Path.Combine(target, "function.json"));
        }

        var host = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(built, "host.json")))!;
        var description = host["customHandler"]!["description"]!;
        description["defaultExecutablePath"] = Path.Combine(built, description["defaultExecutablePath"]!.GetValue<string>());
        description["workingDirectory"] = built;
        edit(host);
        File.WriteAllText(Path.Combine(root, "host.json"), host.ToJsonString());
        return root;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        _loggers.Dispose();
    }
}

/// <summary>Reads what the pipeline left in storage.</summary>
public sealed class StorageProbe(string connectionString)
{
    private readonly TableServiceClient _tables = new(connectionString);
    private readonly QueueServiceClient _queues = new(connectionString);

    public async Task<List<RecoveryCase>> CasesAsync() => await AllAsync<RecoveryCase>("Cases");

    public async Task<List<NotificationEntity>> NotificationsAsync() => await AllAsync<NotificationEntity>("Notifications");

    public async Task<int> QueueLengthAsync(string queue)
    {
        var client = _queues.GetQueueClient(queue);
        if (!(await client.ExistsAsync()).Value)
        {
            return 0;
        }

        var peeked = await client.PeekMessagesAsync(32);
        return peeked.Value.Length;
    }

    public async Task<string[]> PeekRawAsync(string queue)
    {
        var client = _queues.GetQueueClient(queue);
        if (!(await client.ExistsAsync()).Value)
        {
            return [];
        }

        return (await client.PeekMessagesAsync(32)).Value.Select(m => m.MessageText).ToArray();
    }

    private async Task<List<T>> AllAsync<T>(string table)
        where T : class, ITableEntity, new()
    {
        var client = _tables.GetTableClient(table);
        var list = new List<T>();
        try
        {
            await foreach (var e in client.QueryAsync<T>())
            {
                list.Add(e);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return list;
    }
}

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or the timeout passes (no fixed sleeps).</summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"Timed out after {timeout.TotalSeconds:0}s: {describe()}");
    }
}
