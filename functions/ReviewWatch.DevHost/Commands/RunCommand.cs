using Microsoft.AspNetCore.DataProtection;
using ReviewWatch.Businesses;
using ReviewWatch.DevHost.FunctionsHost;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Messaging;
using ReviewWatch.Security;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Commands;

/// <summary>
/// <c>./reviewwatch run</c>: Azurite in memory on free ports (<c>--persist</c>: kept in .local/azurite across runs),
/// the function app under the dev host on :7071, the sample business seeded and polled once, and a banner saying
/// where to look. With <c>--persist</c>, Azurite is restarted on the same ports if it dies, as the dev host restarts a
/// dead handler; in memory, its death ends the run with a clear error. Ctrl+C stops everything.
/// </summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(CommandLine cli)
    {
        var root = RepositoryRoot.Find();
        var appRoot = cli.Option("app-root") ?? Path.Combine(root, "functions", "ReviewWatch.Functions", "bin", "Release", "net10.0");
        var settingsFile = cli.Option("settings")
            ?? (File.Exists(Path.Combine(root, "local.settings.json")) ? Path.Combine(root, "local.settings.json") : Path.Combine(root, "local.settings.sample.json"));
        var port = cli.IntOption("port", 7071);
        var settings = LocalSettings.Load(settingsFile);
        using var loggers = LocalServices.CreateLoggerFactory();
        var logger = loggers.CreateLogger("ReviewWatch");

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });

        AzuriteServer? azurite = null;
        var storage = cli.Option("storage");
        var persistFolder = cli.Flag("persist") ? Path.Combine(root, ".local", "azurite") : null;
        if (storage is null)
        {
            azurite = await AzuriteServer.StartAsync(persistFolder, cancellationToken: stop.Token);
            storage = azurite.ConnectionString;
            logger.LogInformation("Azurite ({Where}) on blob {Blob}, queue {Queue}, table {Table}", persistFolder is null ? "in memory" : persistFolder, azurite.BlobPort, azurite.QueuePort, azurite.TablePort);
        }

        try
        {
            settings["AzureWebJobsStorage"] = storage;
            settings.TryAdd("Alerting__PublicBaseUrl", $"http://localhost:{port}");
            var outbox = settings.TryGetValue("Alerting__OutboxPath", out var o) && Path.IsPathRooted(o) ? o : Path.Combine(root, ".local", "outbox");
            settings["Alerting__OutboxPath"] = outbox;

            // Seed first and mint the sign-in token before the handler starts, so both use the one key in storage.
            var sampleDir = cli.Option("sample") ?? Path.Combine(root, "samples");
            await using var services = LocalServices.Create(settings, loggers);
            var seeded = await SeedCommand.SeedAllAsync(services, sampleDir, pollNow: false, stop.Token);
            var owner = await FirstOwnerAsync(services, stop.Token);
            var token = owner is null ? null : DevTokens.Create(services.GetRequiredService<IDataProtectionProvider>(), owner);

            await using var host = await DevFunctionsHost.StartAsync(new DevHostOptions(appRoot, settings) { HttpPort = port }, loggers, stop.Token);
            await SeedCommand.SeedAllAsync(services, sampleDir, pollNow: true, stop.Token);
            await host.RunTimerNowAsync("PollMentions", stop.Token); // the sample's mentions feed, without waiting for the timer

            Console.WriteLine();
            Console.WriteLine(persistFolder is null
                ? "  ReviewWatch is running on its embedded defaults (Azurite in memory, built-in analyzer, sample data)."
                : $"  ReviewWatch is running on its embedded defaults (Azurite keeping its data in {persistFolder}, built-in analyzer, sample data).");
            Console.WriteLine();
            Console.WriteLine($"  Response queue (staff UI):  http://localhost:{port}/ui/");
            Console.WriteLine($"  Open cases (API):           http://localhost:{port}/api/cases?status=open");
            Console.WriteLine($"  Health:                     http://localhost:{port}/api/health");
            foreach (var business in seeded)
            {
                Console.WriteLine($"  Weekly digest:              http://localhost:{port}/ui/digest/{business}   (JSON: /api/digests/{business}?week=2026-W47)");
            }

            Console.WriteLine($"  Owner alerts (.eml outbox): {outbox}");
            Console.WriteLine($"  Sign in (local dev sign-in):  http://localhost:{port}/ui/signin   (pick Aino, the owner, or Eero, staff)");
            if (token is not null)
            {
                Console.WriteLine($"  API bearer token for {owner} (12 h):");
                Console.WriteLine($"    curl -s -H 'Authorization: Bearer {token}' 'http://localhost:{port}/api/cases?status=open'");
            }

            Console.WriteLine($"  Custom handler (what the Functions host calls): {host.Handler.BaseAddress}  e.g.");
            Console.WriteLine($"    curl -s -X POST {host.Handler.BaseAddress}ScheduleReviewPolls -H 'Content-Type: application/json' \\");
            Console.WriteLine("      -d '{\"Data\":{\"timer\":{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":null,\"IsPastDue\":false}},\"Metadata\":{}}'");
            Console.WriteLine();
            Console.WriteLine("  Sample reviews and mentions are being polled now; cases appear within seconds. Press Ctrl+C to stop.");
            Console.WriteLine();

            // Azurite is this app's storage account. Kept on disk (--persist), it is brought back on the same ports if it
            // dies, and the host's triggers and the handler ride out the gap. In memory its data died with it, so the app
            // stops and says so rather than run on against empty storage.
            while (azurite is not null && !stop.IsCancellationRequested)
            {
                try
                {
                    await azurite.WaitForExitAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (persistFolder is null)
                {
                    logger.LogError("Azurite (in-memory storage) exited unexpectedly and its data is gone; stopping. Start again with ./reviewwatch run, or use ./reviewwatch run --persist to keep data on disk and have Azurite restarted automatically");
                    return 1;
                }

                logger.LogError("Azurite exited unexpectedly; restarting it on the same ports with the data in {Folder}", persistFolder);
                await azurite.DisposeAsync();
                azurite = await RestartAzuriteAsync(persistFolder, (azurite.BlobPort, azurite.QueuePort, azurite.TablePort), logger, stop.Token);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            logger.LogInformation("Stopping");
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

    /// <summary>Starts Azurite again on its old ports, retrying while they are still held; null if stopped meanwhile.</summary>
    private static async Task<AzuriteServer?> RestartAzuriteAsync(string persistFolder, (int Blob, int Queue, int Table) ports, ILogger logger, CancellationToken stop)
    {
        for (var attempt = 1; !stop.IsCancellationRequested; attempt++)
        {
            try
            {
                var azurite = await AzuriteServer.StartAsync(persistFolder, ports, CancellationToken.None);
                logger.LogInformation("Azurite is back on blob {Blob}, queue {Queue}, table {Table}", ports.Blob, ports.Queue, ports.Table);
                return azurite;
            }
            catch (InvalidOperationException ex) when (attempt < 30)
            {
                logger.LogWarning("Azurite did not restart yet (attempt {Attempt}): {Error}", attempt, ex.Message.Split('\n')[0]);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }

        return null;
    }

    private static async Task<string?> FirstOwnerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var storage = services.GetRequiredService<ReviewWatchStorage>();
        await foreach (var user in storage.Users.QueryAsync<UserEntity>(cancellationToken: cancellationToken))
        {
            if (user.Roles.Contains("owner", StringComparison.Ordinal))
            {
                return user.RowKey;
            }
        }

        return null;
    }
}

/// <summary><c>seed</c>: writes sample businesses and locations; with --poll-now, enqueues a poll of each location.</summary>
public static class SeedCommand
{
    public static async Task<IReadOnlyList<string>> SeedAllAsync(IServiceProvider services, string sampleDir, bool pollNow, CancellationToken cancellationToken)
    {
        var directory = services.GetRequiredService<BusinessDirectory>();
        var storage = services.GetRequiredService<ReviewWatchStorage>();
        var seeded = new List<string>();
        foreach (var file in Directory.GetFiles(sampleDir, "business.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var (business, locations) = await directory.SeedAsync(file, cancellationToken);
            seeded.Add(business.RowKey);
            if (pollNow)
            {
                foreach (var location in locations)
                {
                    await storage.PollQueue.SendMessageAsync(MessageCodec.Write(new PollRequest(MessageCodec.CurrentVersion, business.RowKey, location.LocationId, "startup", DateTimeOffset.UtcNow)), cancellationToken);
                }
            }
        }

        return seeded;
    }
}
