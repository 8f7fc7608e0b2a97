using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReviewWatch.Businesses;
using ReviewWatch.Functions;
using ReviewWatch.Storage;

namespace ReviewWatch.Tests.Infrastructure;

/// <summary>
/// The custom handler started in-process on a free port against Azurite, with its own table prefix and
/// outbox folder, so each test owns its data. Requests go over real HTTP, as the Functions host sends them.
/// </summary>
public sealed class HandlerUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HandlerUnderTest(WebApplication app, string outbox, HttpClient client)
    {
        _app = app;
        Outbox = outbox;
        Client = client;
    }

    /// <summary>The sample business's owner (samples/kanelitupa/business.json); the default client signs in as them.</summary>
    public const string Owner = "aino@kanelitupa.example";

    public HttpClient Client { get; }

    /// <summary>A dev sign-in token for <paramref name="userId"/>, as ./reviewwatch run prints one.</summary>
    public string TokenFor(string userId) => ReviewWatch.Security.DevTokens.Create(Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), userId);

    public string Outbox { get; }

    public IServiceProvider Services => _app.Services;

    public ReviewWatchStorage Storage => Services.GetRequiredService<ReviewWatchStorage>();

    public static async Task<HandlerUnderTest> StartAsync(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var outbox = Path.Combine(Path.GetTempPath(), "rw-outbox-" + Guid.NewGuid().ToString("N")[..8]);
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Storage:TablePrefix"] = "t" + Guid.NewGuid().ToString("N")[..10],
            ["Alerting:OutboxPath"] = outbox,
            ["Alerting:PublicBaseUrl"] = "http://localhost:7071",
            ["Auth:DevSignIn"] = "true",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        var app = HandlerApp.Build(["--environment", "Development"], b =>
        {
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration.AddInMemoryCollection(values);
            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var handler = new HandlerUnderTest(app, outbox, client);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", handler.TokenFor(Owner));
        return handler;
    }

    /// <summary>Seeds the sample business (two locations, 40 reviews in GBP files).</summary>
    public Task SeedSampleAsync() => Services.GetRequiredService<BusinessDirectory>().SeedAsync(TestPaths.SampleBusinessFile);

    /// <summary>Seeds a business from the text of a business.json, written to a scratch folder (seeding reads a file).</summary>
    public async Task SeedBusinessAsync(string businessJson)
    {
        var folder = Path.Combine(Path.GetTempPath(), "rw-seed-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "business.json");
        await File.WriteAllTextAsync(file, businessJson);
        await Services.GetRequiredService<BusinessDirectory>().SeedAsync(file);
    }

    /// <summary>A second business, Parturi Sakset (English), whose only member is Bea, staff: someone the sample's cases are not for.</summary>
    public Task SeedOtherBusinessAsync() => SeedBusinessAsync("""
        {"business":{"id":"parturi","name":"Parturi Sakset","language":"en"},
         "locations":[{"id":"parturi-1","name":"Parturi Sakset","source":"file","sourceRef":"none.json"}],
         "users":[{"id":"bea@parturi.example","name":"Bea","role":"staff"}]}
        """);

    /// <summary>POSTs an invocation payload to /{FunctionName} the way the host does (chunked JSON).</summary>
    public async Task<(int Status, JsonObject Body)> InvokeAsync(string functionName, string payloadJson)
    {
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(payloadJson)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + functionName) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text) as JsonObject ?? []);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Builds invocation payloads from the captures in shared/reference/host-payloads.</summary>
public static class HostPayloads
{
    /// <summary>A captured queue payload with its message replaced by <paramref name="messageText"/>, encoded as the host does.</summary>
    public static string Queue(string messageText, int dequeueCount = 1, string capture = "queue-trigger-base64.json")
    {
        var payload = JsonNode.Parse(TestPaths.HostPayload(capture))!.AsObject();
        payload["Data"]!["msg"] = JsonSerializer.Serialize(messageText); // the host JSON-encodes the text into a string
        payload["Metadata"]!["DequeueCount"] = dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        payload["Metadata"]!.AsObject().Remove("v");
        payload["Metadata"]!.AsObject().Remove("locationId");
        return payload.ToJsonString();
    }

    /// <summary>
    /// The alerts an invocation emitted on its <c>alertQueue</c> output, one item each, as single-item messages: a poll
    /// packs a business's alerts into one message (<see cref="ReviewWatch.Messaging.AlertBatch"/>), and tests that
    /// dispatch one particular item need it alone.
    /// </summary>
    public static IReadOnlyList<string> AlertItems(JsonNode invocationResponse) =>
        invocationResponse["Outputs"]?["alertQueue"]?.AsArray()
            .SelectMany(m => ReviewWatch.Messaging.MessageCodec.ReadAlerts(m!.GetValue<string>()))
            .Select(ReviewWatch.Messaging.MessageCodec.Write)
            .ToList() ?? [];

    /// <summary>A captured timer payload with the binding renamed to <paramref name="binding"/>.</summary>
    public static string Timer(string binding = "timer", string capture = "timer-every-minute.json")
    {
        var payload = JsonNode.Parse(TestPaths.HostPayload(capture))!.AsObject();
        var data = payload["Data"]!.AsObject();
        var info = data["myTimer"]!.DeepClone();
        data.Remove("myTimer");
        data[binding] = info;
        return payload.ToJsonString();
    }
}
