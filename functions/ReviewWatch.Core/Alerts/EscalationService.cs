using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Businesses;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;
using ReviewWatch.Telemetry;

namespace ReviewWatch.Alerts;

/// <summary>
/// The EscalateOverdue timer's work: an open case past its due time re-alerts the owner once per breach (the
/// notification key carries the due time, so a case whose due time moves can breach, and alert, again).
/// Non-critical cases wait out quiet hours.
/// </summary>
public sealed class EscalationService(
    ReviewWatchStorage storage,
    BusinessDirectory directory,
    AlertDispatcher dispatcher,
    IOptions<AlertingOptions> alerting,
    TimeProvider time,
    ILogger<EscalationService> logger)
{
    public async Task<int> EscalateAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var escalated = 0;
        var overdue = 0;
        var failures = new List<Exception>();
        foreach (var business in await directory.ListBusinessesAsync(cancellationToken))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {business.RowKey} and DueAt lt {now}");
            await foreach (var c in storage.Cases.QueryAsync<RecoveryCase>(filter, cancellationToken: cancellationToken))
            {
                if (!CaseStatus.IsOpen(c.Status) || c.Status == CaseStatus.Replied)
                {
                    continue;
                }

                overdue++;
                if (c.Severity != "critical" && QuietHours.EndOf(business, now) is not null)
                {
                    continue;
                }

                var location = await storage.Locations.GetOrDefaultAsync<LocationEntity>(business.RowKey, c.LocationId, cancellationToken);
                var alert = new Alert(business, location, c, alerting.Value.CaseLink(c.CaseId), ReplyDrafter.ParseTouchpoints(c.Touchpoints), AlertKind.Overdue);
                try
                {
                    await dispatcher.NotifyAllAsync(alert, c.LocationId, cancellationToken);
                    escalated++;
                }
                catch (AggregateException ex)
                {
                    failures.Add(ex); // the next run retries; channels that succeeded are not repeated
                }
                catch (ClaimHeldElsewhereException ex)
                {
                    // Another instance is sending this reminder (or died doing so): the next run finds it sent, or takes it over.
                    logger.LogInformation("Escalation of case {CaseId} skipped: {Reason}", c.CaseId, ex.Message);
                }
            }
        }

        ReviewWatchTelemetry.OverdueCases(overdue);
        if (failures.Count > 0)
        {
            logger.LogWarning("Escalation: {Failed} overdue alert(s) failed on some channel; the next run retries them", failures.Count);
        }

        return escalated;
    }
}
