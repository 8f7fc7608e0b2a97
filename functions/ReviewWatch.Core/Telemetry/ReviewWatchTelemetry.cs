using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ReviewWatch.Telemetry;

/// <summary>
/// The product's own measures, on the "ReviewWatch" meter and activity source (exported to Application Insights
/// when configured): items ingested and flagged, time from an item's creation to its alert, overdue cases.
/// </summary>
public static class ReviewWatchTelemetry
{
    public const string Name = "ReviewWatch";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Ingested = Meter.CreateCounter<long>("reviewwatch.items.ingested", "{item}", "Reviews and mentions stored new or changed");

    private static readonly Counter<long> Flagged = Meter.CreateCounter<long>("reviewwatch.items.flagged", "{item}", "Items flagged as needing a person");

    private static readonly Histogram<double> AlertDelay = Meter.CreateHistogram<double>("reviewwatch.alert.delay", "s", "Time from an item's creation at its source to its alert being sent");

    private static long _overdue;

    static ReviewWatchTelemetry() =>
        Meter.CreateObservableGauge("reviewwatch.cases.overdue", () => Interlocked.Read(ref _overdue), "{case}", "Open cases past their reply due time at the last check");

    public static void ItemsIngested(long count, string kind, string location)
    {
        if (count > 0)
        {
            Ingested.Add(count, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("location", location));
        }
    }

    public static void ItemFlagged(string kind, string severity, string location) =>
        Flagged.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("severity", severity), new KeyValuePair<string, object?>("location", location));

    public static void AlertSent(TimeSpan sinceItemCreated, string channel, string severity) =>
        AlertDelay.Record(Math.Max(0, sinceItemCreated.TotalSeconds), new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("severity", severity));

    public static void OverdueCases(long count) => Interlocked.Exchange(ref _overdue, count);
}
