using ReviewWatch.Businesses;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Messaging;
using ReviewWatch.Reviews;
using ReviewWatch.Storage;

namespace ReviewWatch.DevHost.Commands;

/// <summary>
/// <c>import</c>: backfills one location from a file of GBP v4 reviews (a reviews.list response or an array),
/// through the same ingest path as polling, and enqueues the alerts owed. Running it twice changes nothing.
/// </summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(CommandLine cli)
    {
        var file = cli.Option("file");
        var businessId = cli.Option("business");
        var locationId = cli.Option("location");
        if (file is null || businessId is null || locationId is null)
        {
            Console.Error.WriteLine("import needs --file, --business and --location");
            return 2;
        }

        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage"] = cli.Option("storage") ?? Environment.GetEnvironmentVariable("AzureWebJobsStorage") ?? "UseDevelopmentStorage=true" };
        using var loggers = LocalServices.CreateLoggerFactory();
        await using var services = LocalServices.Create(settings, loggers);
        var location = await services.GetRequiredService<BusinessDirectory>().GetLocationAsync(businessId, locationId);
        if (location is null)
        {
            Console.Error.WriteLine($"No location {businessId}/{locationId}: seed the business first.");
            return 1;
        }

        var reviews = await FileReviewSource.ReadFileAsync(file);
        var result = await services.GetRequiredService<ReviewIngestor>().IngestAsync(location, reviews);
        var storage = services.GetRequiredService<ReviewWatchStorage>();
        foreach (var message in MessageCodec.WriteAlerts(result.Alerts))
        {
            await storage.AlertQueue.SendMessageAsync(message);
        }

        Console.WriteLine($"Imported {reviews.Count} reviews: {result.Added} new, {result.Updated} updated, {result.Unchanged} unchanged; {result.Alerts.Count} alerts queued.");
        return 0;
    }
}
