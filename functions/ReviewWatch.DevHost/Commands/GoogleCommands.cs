using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Flows;
using ReviewWatch.DevHost.FunctionsHost;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Google;
using ReviewWatch.Google.Fake;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Commands;

/// <summary>
/// <c>google connect | locations | notifications</c> (the one-time setup against the real Google) and
/// <c>bench-google</c> (review-to-case latency through push and through polling, against the in-process fake).
/// </summary>
public static class GoogleCommands
{
    public static async Task<int> RunAsync(CommandLine cli, string[] args)
    {
        var sub = args.Length > 1 ? args[1] : "help";
        return sub switch
        {
            "connect" => await ConnectAsync(cli),
            "locations" => await LocationsAsync(cli),
            "notifications" => await NotificationsAsync(cli),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: reviewwatch google <command>
              connect                                   OAuth consent once (loopback on 127.0.0.1); stores the refresh token in Google__TokenFile
              locations --business B                    discover accounts and locations, write them to the Locations table of business B
              notifications --account accounts/123 --topic projects/p/topics/t
                                                        send NEW_REVIEW/UPDATED_REVIEW notifications of the account to the Pub/Sub topic
            options: [--settings FILE] [--storage CONNECTION]
            """);
        return 2;
    }

    /// <summary>local.settings.json (or the sample), the environment on top, then --storage.</summary>
    private static Dictionary<string, string> Settings(CommandLine cli)
    {
        var root = RepositoryRoot.Find();
        var file = cli.Option("settings")
            ?? (File.Exists(Path.Combine(root, "local.settings.json")) ? Path.Combine(root, "local.settings.json") : Path.Combine(root, "local.settings.sample.json"));
        var settings = LocalSettings.Load(file);
        foreach (var key in settings.Keys.ToList())
        {
            if (Environment.GetEnvironmentVariable(key) is { Length: > 0 } value)
            {
                settings[key] = value;
            }
        }

        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string k && k.StartsWith("Google__", StringComparison.Ordinal) && e.Value is string v)
            {
                settings[k] = v;
            }
        }

        if (cli.Option("storage") is { } storage)
        {
            settings["AzureWebJobsStorage"] = storage;
        }

        if (!GoogleOptions.IsSet(settings.GetValueOrDefault("Google__TokenFile")))
        {
            settings["Google__TokenFile"] = Path.Combine(root, ".local", "google-token.json");
        }

        return settings;
    }

    private static async Task<int> ConnectAsync(CommandLine cli)
    {
        var settings = Settings(cli);
        var clientId = cli.Option("client-id") ?? settings.GetValueOrDefault("Google__ClientId");
        var clientSecret = cli.Option("client-secret") ?? settings.GetValueOrDefault("Google__ClientSecret");
        if (!GoogleOptions.IsSet(clientId) || !GoogleOptions.IsSet(clientSecret))
        {
            Console.Error.WriteLine("Set Google__ClientId and Google__ClientSecret (an OAuth client of type 'Desktop app') in local.settings.json, or pass --client-id/--client-secret.");
            return 2;
        }

        var port = HandlerProcess.FreePort();
        var redirect = $"http://127.0.0.1:{port}/";
        using var flow = new GoogleAuthorizationCodeFlow(new GoogleAuthorizationCodeFlow.Initializer
        {
            ClientSecrets = new ClientSecrets { ClientId = clientId, ClientSecret = clientSecret },
            Scopes = [GoogleOptions.Scope],
            Prompt = "consent", // always return a refresh token, even if consent was given before
        });
        var url = flow.CreateAuthorizationCodeRequest(redirect).Build();
        using var listener = new HttpListener();
        listener.Prefixes.Add(redirect);
        listener.Start();
        Console.WriteLine("Open this address in a browser, sign in as an owner or manager of the Business Profile and allow access:");
        Console.WriteLine();
        Console.WriteLine(url.AbsoluteUri);
        Console.WriteLine();
        Console.WriteLine($"Waiting for Google to redirect to {redirect} …");
        var context = await listener.GetContextAsync();
        var code = context.Request.QueryString["code"];
        var error = context.Request.QueryString["error"];
        var page = Encoding.UTF8.GetBytes(code is null ? $"ReviewWatch was not connected: {error}. You can close this tab." : "ReviewWatch is connected to Google. You can close this tab.");
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.OutputStream.WriteAsync(page);
        context.Response.Close();
        if (code is null)
        {
            Console.Error.WriteLine($"Google did not grant access: {error}");
            return 1;
        }

        var token = await flow.ExchangeCodeForTokenAsync("reviewwatch", code, redirect, CancellationToken.None);
        if (string.IsNullOrEmpty(token.RefreshToken))
        {
            Console.Error.WriteLine("Google returned no refresh token; revoke ReviewWatch's access at https://myaccount.google.com/permissions and connect again.");
            return 1;
        }

        var file = settings["Google__TokenFile"];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new StoredGoogleToken(token.RefreshToken, DateTimeOffset.UtcNow), GoogleJsonContext.Default.StoredGoogleToken));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Console.WriteLine($"Connected. The refresh token is in {file} (read through Google__TokenFile).");
        Console.WriteLine("In Azure, store it as the Key Vault secret behind Google__RefreshToken (see docs/google.md).");
        return 0;
    }

    private static async Task<int> LocationsAsync(CommandLine cli)
    {
        var businessId = cli.Option("business");
        if (businessId is null)
        {
            Console.Error.WriteLine("google locations needs --business B");
            return 2;
        }

        using var loggers = LocalServices.CreateLoggerFactory(LogLevel.Warning);
        await using var services = LocalServices.Create(Settings(cli), loggers);
        var client = services.GetRequiredService<GoogleBusinessClient>();
        var storage = services.GetRequiredService<ReviewWatchStorage>();
        await storage.EnsureCreatedAsync();
        await storage.Businesses.TryAddAsync(new BusinessEntity { PartitionKey = BusinessEntity.Partition, RowKey = businessId, Name = businessId });
        var written = 0;
        foreach (var account in await client.ListAccountsAsync())
        {
            foreach (var l in await client.ListLocationsAsync(account.Name))
            {
                var googleId = l.Name[(l.Name.LastIndexOf('/') + 1)..];
                var location = new LocationEntity
                {
                    PartitionKey = businessId,
                    RowKey = TableClientExtensions.SafeKey($"{businessId}-{googleId}"),
                    Name = l.Title ?? googleId,
                    City = l.StorefrontAddress?.Locality ?? string.Empty,
                    Source = "google",
                    SourceRef = $"{account.Name}/locations/{googleId}", // the v4 review endpoints need the account in the name
                };
                // Merge keeps the connection status of a location written before.
                await storage.Locations.UpsertEntityAsync(location, TableUpdateMode.Merge);
                Console.WriteLine($"{location.RowKey}\t{location.SourceRef}\t{location.Name}\t{location.City}");
                written++;
            }
        }

        Console.WriteLine($"{written} Google locations written to business {businessId}.");
        return 0;
    }

    private static async Task<int> NotificationsAsync(CommandLine cli)
    {
        var account = cli.Option("account");
        var topic = cli.Option("topic");
        if (account is null || topic is null)
        {
            Console.Error.WriteLine("google notifications needs --account accounts/123 --topic projects/p/topics/t");
            return 2;
        }

        using var loggers = LocalServices.CreateLoggerFactory(LogLevel.Warning);
        await using var services = LocalServices.Create(Settings(cli), loggers);
        var setting = await services.GetRequiredService<GoogleBusinessClient>().UpdateNotificationSettingAsync(account, topic, ["NEW_REVIEW", "UPDATED_REVIEW"]);
        Console.WriteLine($"{setting?.Name}: {string.Join(", ", setting?.NotificationTypes ?? [])} → {setting?.PubsubTopic}");
        return 0;
    }

    /// <summary>
    /// bench-google: Azurite + the fake Google + the built function app under the dev host. Adds negative reviews to
    /// the fake one at a time and measures, per review, from the moment it appears at the fake to the case's
    /// CreatedAt (stamped by the dispatcher just before the insert): once announced by a signed push, once found by
    /// the timer-driven poll.
    /// </summary>
    public static async Task<int> BenchAsync(CommandLine cli)
    {
        var count = cli.IntOption("count", 100);
        var interval = TimeSpan.FromMilliseconds(cli.IntOption("interval-ms", 500));
        var mode = cli.Option("mode") ?? "both";
        var appRoot = Path.GetFullPath(cli.Option("app-root") ?? Path.Combine(RepositoryRoot.Find(), "functions", "ReviewWatch.Functions", "bin", "Release", "net10.0"));
        var results = new List<(string Mode, List<double> Seconds)>();
        foreach (var m in mode == "both" ? new[] { "push", "poll" } : [mode])
        {
            var latencies = await BenchModeAsync(m, count, interval, appRoot);
            results.Add((m, latencies));
        }

        Console.WriteLine();
        Console.WriteLine($"review → case latency ({Environment.ProcessorCount} cores, {count} reviews per mode, one new review every {interval.TotalMilliseconds:0} ms)");
        Console.WriteLine("mode  | n   | p50     | p95     | max");
        foreach (var (m, s) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m,-5} | {s.Count,-3} | {Percentile(s, 50),6:0.00}s | {Percentile(s, 95),6:0.00}s | {s.Max(),6:0.00}s"));
        }

        return results.All(r => r.Seconds.Count == count) ? 0 : 1;
    }

    private static async Task<List<double>> BenchModeAsync(string mode, int count, TimeSpan interval, string appRoot)
    {
        Console.WriteLine($"bench-google: {mode} — starting Azurite, the fake Google and the function app…");
        await using var azurite = await AzuriteServer.StartAsync();
        await using var google = await FakeGoogleApi.StartAsync();
        const string audience = "https://reviewwatch.bench/api/google/notifications";
        var settings = LocalSettings.Load(Path.Combine(RepositoryRoot.Find(), "local.settings.sample.json"));
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["Alerting__OutboxPath"] = Path.Combine(Path.GetTempPath(), "rw-bench-outbox-" + Guid.NewGuid().ToString("N")[..8]);
        // Polling: a fast fan-out. Push: a schedule that never fires during the run, so only the push can find the review.
        settings["POLL_SCHEDULE"] = mode == "poll" ? "*/5 * * * * *" : "0 0 0 1 1 *";
        foreach (var (k, v) in google.Settings(audience))
        {
            settings[k] = v;
        }

        var storage = ReviewWatchStorage.Create(azurite.ConnectionString, null, null);
        await storage.EnsureCreatedAsync();
        const string businessId = "bench";
        await storage.Businesses.AddEntityAsync(new BusinessEntity { PartitionKey = BusinessEntity.Partition, RowKey = businessId, Name = "Bench Bakery", OwnerEmail = "owner@example.fi" });
        var location = new LocationEntity { PartitionKey = businessId, RowKey = "bench-1", Name = "Bench 1", Source = "google", SourceRef = "accounts/1/locations/9001" };
        await storage.Locations.AddEntityAsync(location);

        using var loggers = LocalServices.CreateLoggerFactory(LogLevel.Warning);
        await using var host = await DevFunctionsHost.StartAsync(new DevHostOptions(appRoot, settings) { HttpPort = 0, EnableTimers = mode == "poll" }, loggers);
        using var http = new HttpClient { BaseAddress = host.HttpBaseAddress };

        var appeared = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var id = $"{mode}-{i:D4}";
            var now = DateTimeOffset.UtcNow;
            google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, id, 1, "Kylmä kahvi ja töykeä palvelu, en tule uudestaan", now));
            appeared[RecoveryCase.IdFor("review", location.LocationId, id)] = now;
            if (mode == "push")
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/google/notifications")
                {
                    Content = new StringContent(FakeGoogleApi.PushBody($"bench-{i}", $$"""{"type":"NEW_REVIEW","review_name":"{{location.SourceRef}}/reviews/{{id}}","location_name":"{{location.SourceRef}}"}"""), Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", google.CreatePushToken(audience, DateTimeOffset.UtcNow.AddMinutes(30)));
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.NoContent)
                {
                    Console.Error.WriteLine($"push {i} answered {(int)response.StatusCode}");
                }
            }

            await Task.Delay(interval);
        }

        var latencies = new Dictionary<string, double>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (latencies.Count < count && DateTime.UtcNow < deadline)
        {
            await foreach (var c in storage.Cases.QueryAsync<RecoveryCase>(TableClient.CreateQueryFilter($"PartitionKey eq {businessId}")))
            {
                if (appeared.TryGetValue(c.CaseId, out var t0))
                {
                    latencies[c.CaseId] = (c.CreatedAt - t0).TotalSeconds;
                }
            }

            await Task.Delay(500);
        }

        Console.WriteLine($"bench-google: {mode} — {latencies.Count}/{count} cases in {watch.Elapsed.TotalSeconds:0}s; {google.ApiCalls} Google API calls");
        return [.. latencies.Values];
    }

    private static double Percentile(List<double> values, int p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
