using ReviewWatch.Businesses;
using ReviewWatch.Functions.Invocation;
using ReviewWatch.Google;
using ReviewWatch.Messaging;

namespace ReviewWatch.Functions.Triggers;

/// <summary>Google's push endpoint (HTTP, forwarded raw) and the daily reconciliation timer.</summary>
public static class GoogleTriggers
{
    public static void MapGoogleTriggers(this WebApplication app)
    {
        // HTTP POST api/google/notifications: Pub/Sub push. 401 unless Google signed it for us; else queue a poll and ack fast.
        app.MapPost("/api/google/notifications", async (HttpContext context, GooglePushReceiver receiver) =>
        {
            var ct = context.RequestAborted;
            if (!await receiver.IsAuthorizedAsync(context.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, ct))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            using var reader = new StreamReader(context.Request.Body);
            var outcome = await receiver.HandleAsync(await reader.ReadToEndAsync(ct), ct);
            return outcome.Status == StatusCodes.Status204NoContent
                ? Results.NoContent()
                : Results.Text(outcome.Detail, statusCode: outcome.Status);
        });

        // Timer, daily: list every Google location in full; mark reviews Google no longer returns as removed.
        app.MapInvocation("ReconcileReviews", async (invocation, services, ct) =>
        {
            var poller = services.GetRequiredService<GooglePoller>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Function.ReconcileReviews");
            var result = new InvocationResult();
            var alerts = new List<AlertMessage>();
            var locations = await services.GetRequiredService<BusinessDirectory>().ListLocationsAsync(cancellationToken: ct);
            foreach (var location in locations.Where(l => l.Source == "google"))
            {
                try
                {
                    var r = await poller.ReconcileAsync(location, ct);
                    alerts.AddRange(r.Ingest.Alerts);
                    result.Log(r.Succeeded
                        ? $"Reconciled {location.LocationId}: {r.Removed} removed, {r.Ingest.Added} new, {r.Ingest.Updated} updated"
                        : $"Google refused location {location.LocationId}: {r.Error}");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One location's failure never stops the others; tomorrow's run tries it again.
                    logger.LogError(ex, "Reconciling location {LocationId} failed", location.LocationId);
                    result.Log($"Reconciling {location.LocationId} failed: {ex.Message}");
                }
            }

            return result.Queue("alertQueue", MessageCodec.WriteAlerts(alerts));
        });
    }
}
