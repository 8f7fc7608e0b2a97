using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ReviewWatch.Messaging;
using ReviewWatch.Telemetry;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Contract;

/// <summary>The product's own measures are recorded where they happen (and exported when Application Insights is set).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Ingest_flagging_and_alert_delay_are_measured()
    {
        var measured = new ConcurrentBag<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ReviewWatchTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measured.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measured.Add((i.Name, v, Tags(tags))));
        listener.Start();
        // Exporting to an unreachable ingestion endpoint must never disturb the app.
        await using var handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        });
        await handler.SeedSampleAsync();

        var (_, poll) = await handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        await handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(HostPayloads.AlertItems(poll)[0]));

        var kallio = measured.Where(m => Equals(m.Tags.GetValueOrDefault("location"), "kanelitupa-kallio")).ToList();
        Assert.Equal(20, kallio.Where(m => m.Name == "reviewwatch.items.ingested").Sum(m => m.Value));
        Assert.Equal(6, kallio.Count(m => m.Name == "reviewwatch.items.flagged"));
        var delay = Assert.Single(measured, m => m.Name == "reviewwatch.alert.delay" && Equals(m.Tags["channel"], "outbox"));
        Assert.True(delay.Value > 0);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags)
        {
            d[t.Key] = t.Value;
        }

        return d;
    }
}
