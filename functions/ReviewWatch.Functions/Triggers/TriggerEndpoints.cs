using System.Text.Json;
using System.Text.Json.Nodes;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Functions.Invocation;
using ReviewWatch.Google;
using ReviewWatch.Messaging;
using ReviewWatch.Reviews;

namespace ReviewWatch.Functions.Triggers;

/// <summary>
/// The non-HTTP functions: the host POSTs each invocation to /{FunctionName}. Each endpoint reads the payload,
/// calls one core service and answers with Outputs and Logs. A message that can never succeed is answered 500
/// with the reason (and logged), so the host retries it and then moves it to &lt;queue&gt;-poison.
/// </summary>
public static class TriggerEndpoints
{
    public static void MapFunctionTriggers(this WebApplication app)
    {
        // Timer: one poll request per location (the fan-out), processed by PollLocation instances in parallel.
        app.MapInvocation("ScheduleReviewPolls", async (invocation, services, ct) =>
        {
            var schedule = await services.GetRequiredService<PollScheduler>().ScheduleAsync(ct);
            var messages = schedule.Requests.Select(MessageCodec.Write).ToList();
            return new InvocationResult().Queue("pollQueue", messages)
                .Log(schedule.StillWaiting == 0
                    ? $"Scheduled polls for {messages.Count} locations"
                    : $"Scheduled polls for {messages.Count} locations; {schedule.StillWaiting} still have a requested poll waiting");
        });

        // Queue poll-requests: fetch one location's reviews, store and score them, emit the alerts still owed.
        app.MapInvocation("PollLocation", async (invocation, services, ct) =>
        {
            var request = MessageCodec.ReadPollRequest(invocation.GetMessageText("msg"));
            try
            {
                return await PollAsync(request, services, ct);
            }
            catch (Exception ex) when (HostSettings.IsLastAttempt(invocation) && TransientFailure.Is(ex, ct))
            {
                // The message's last attempt, and the poll still fails for a reason that may pass: not the poison queue.
                return await RetryPollLaterAsync(request, ex, services, ct);
            }
        });

        // Queue alerts: open the case (once) and tell the owner (once per channel and severity).
        app.MapInvocation("DispatchAlert", async (invocation, services, ct) =>
        {
            var alerts = MessageCodec.ReadAlerts(invocation.GetMessageText("msg"));
            // On the message's last attempt, alerts still failing are handed on to a later message, not poisoned.
            var cases = await services.GetRequiredService<AlertDispatcher>().DispatchAllAsync(alerts, HostSettings.IsLastAttempt(invocation), ct);
            var handedOn = alerts.Count - cases.Count;
            var done = cases.Count switch
            {
                0 => null,
                1 => $"Case {cases[0].CaseId} ({cases[0].Severity}) is {cases[0].Status}",
                _ => $"{cases.Count} cases: " + string.Join(", ", cases.Select(c => $"{c.CaseId} ({c.Severity}) is {c.Status}")),
            };
            var later = handedOn > 0 ? $"{handedOn} alert(s) still failing, handed on to retry later" : null;
            return new InvocationResult().Log(string.Join("; ", new[] { done, later }.OfType<string>()));
        });

        // Timer: open cases past their reply due time re-alert the owner, once per breach.
        app.MapInvocation("EscalateOverdue", async (invocation, services, ct) =>
        {
            var overdue = await services.GetRequiredService<EscalationService>().EscalateAsync(ct);
            return new InvocationResult().Log($"Escalation: {overdue} overdue case(s) checked");
        });
    }

    /// <summary>One location's poll: Google incrementally by watermark, other sources by listing and ingesting.</summary>
    private static async Task<InvocationResult> PollAsync(PollRequest request, IServiceProvider services, CancellationToken ct)
    {
        var directory = services.GetRequiredService<BusinessDirectory>();
        var location = await directory.GetLocationAsync(request.BusinessId, request.LocationId, ct)
            ?? throw new InvalidMessageException($"location {request.BusinessId}/{request.LocationId} does not exist");
        if (location.Source == "google")
        {
            // Google: incremental by watermark; a refused location is marked and logged, never thrown, so only it stops.
            var poll = await services.GetRequiredService<GooglePoller>().PollAsync(location, request.RequestedAt, ct);
            var logLine = poll.CoveredBy is DateTimeOffset covered
                ? $"Poll of {location.LocationId} ({request.Reason}, requested {request.RequestedAt:O}) skipped: a poll that started {covered:O} already fetched it"
                : poll.Succeeded
                ? $"Polled Google for {location.LocationId} ({request.Reason}): {poll.Pages} pages, {poll.Ingest.Added} new, {poll.Ingest.Updated} updated, {poll.Ingest.Unchanged} unchanged, {poll.Ingest.Alerts.Count} alerts"
                : $"Google refused location {location.LocationId}: {poll.Error}";
            return new InvocationResult().Queue("alertQueue", MessageCodec.WriteAlerts(poll.Ingest.Alerts)).Log(logLine);
        }

        var source = services.GetServices<IReviewSource>().FirstOrDefault(s => s.Handles(location));
        if (source is null)
        {
            return new InvocationResult().Log($"Location {location.LocationId} has source '{location.Source}', which is not connected; nothing polled");
        }

        var reviews = await source.ListReviewsAsync(location, ct);
        var result = await services.GetRequiredService<ReviewIngestor>().IngestAsync(location, reviews, ct);
        return new InvocationResult()
            .Queue("alertQueue", MessageCodec.WriteAlerts(result.Alerts))
            .Log($"Polled {location.LocationId}: {result.Added} new, {result.Updated} updated, {result.Unchanged} unchanged, {result.Alerts.Count} alerts");
    }

    /// <summary>
    /// A poll still failing after every attempt of its message (Google or storage down longer than the host's quick
    /// retries): the request is handed on to a new message, hidden for <see cref="GoogleOptions.PollRetryDelay"/>, while
    /// it is younger than <see cref="GoogleOptions.PollRequestExpiry"/> (the age at which the scheduler asks again for
    /// the location anyway), and then let go. Either way the message completes: a valid request is never poisoned.
    /// </summary>
    private static async Task<InvocationResult> RetryPollLaterAsync(PollRequest request, Exception error, IServiceProvider services, CancellationToken ct)
    {
        const int MaxRetries = 10; // bounds requests without a time (older or hand-written ones)
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GoogleOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Function.PollLocation");
        var what = $"Poll of {request.BusinessId}/{request.LocationId} ({request.Reason}) still failing after every attempt of its message: {error.Message}";
        if (request.Retry < MaxRetries && (request.RequestedAt is not { } asked || now - asked < options.PollRequestExpiry))
        {
            var retry = request with { Retry = request.Retry + 1 };
            await services.GetRequiredService<ReviewWatch.Storage.ReviewWatchStorage>().PollQueue
                .SendMessageAsync(MessageCodec.Write(retry), visibilityTimeout: options.PollRetryDelay, cancellationToken: ct);
            logger.LogWarning("{What}; handed on to a new request visible in {Delay} (retry {Retry})", what, options.PollRetryDelay, retry.Retry);
            return new InvocationResult().Log($"{what}; handed on to retry in {options.PollRetryDelay} (retry {retry.Retry})");
        }

        logger.LogWarning("{What}; not retried again: the scheduler asks for this location again once its request is {Expiry} old", what, options.PollRequestExpiry);
        return new InvocationResult().Log($"{what}; not retried again: the scheduler asks for this location again");
    }

    internal static void MapInvocation(this WebApplication app, string functionName, Func<InvocationRequest, IServiceProvider, CancellationToken, Task<InvocationResult>> body)
    {
        app.MapPost("/" + functionName, async (HttpContext context, ILoggerFactory loggers) =>
        {
            var logger = loggers.CreateLogger("Function." + functionName);
            // One span per invocation, named and tagged as OpenTelemetry's FaaS conventions describe.
            using var activity = ReviewWatch.Telemetry.ReviewWatchTelemetry.Source.StartActivity(functionName, System.Diagnostics.ActivityKind.Server);
            activity?.SetTag("faas.name", functionName);
            activity?.SetTag("faas.invocation_id", context.Request.Headers["X-Azure-Functions-InvocationId"].ToString());
            InvocationRequest invocation;
            try
            {
                invocation = await InvocationRequest.ReadAsync(context.Request, functionName, context.RequestAborted);
            }
            catch (BadInvocationException ex)
            {
                logger.LogWarning("Rejected a malformed invocation of {Function}: {Reason}", functionName, ex.Message);
                return Results.Json(new JsonObject { ["error"] = ex.Message }, statusCode: 400);
            }

            activity?.SetTag("messaging.message.id", invocation.MessageId);
            activity?.SetTag("faas.retry_count", invocation.DequeueCount - 1);
            try
            {
                var result = await body(invocation, context.RequestServices, context.RequestAborted);
                return result.ToHttpResult();
            }
            catch (BadInvocationException ex)
            {
                // The invocation itself is malformed (no binding, a binding of the wrong shape): a 400, like a bad body.
                logger.LogWarning("Rejected a malformed invocation of {Function}: {Reason}", functionName, ex.Message);
                return Results.Json(new JsonObject { ["error"] = ex.Message }, statusCode: 400);
            }
            catch (InvalidMessageException ex)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
                logger.LogError(
                    "Message {MessageId} for {Function} cannot be processed: {Reason} (attempt {Attempt} of {Max}{Poison})",
                    invocation.MessageId, functionName, ex.Message, invocation.DequeueCount, HostSettings.MaxDequeueCount,
                    HostSettings.IsLastAttempt(invocation) ? "; it now goes to the poison queue" : string.Empty);
                return Results.Json(new JsonObject { ["error"] = ex.Message, ["permanent"] = true }, statusCode: 500);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                // Includes a dependency's own timeout (a TaskCanceledException nobody asked for): a named 500, retried.
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
                logger.LogError(ex, "Invocation of {Function} (message {MessageId}, attempt {Attempt}) failed; the host will retry", functionName, invocation.MessageId, invocation.DequeueCount);
                return Results.Json(new JsonObject { ["error"] = ex.Message }, statusCode: 500);
            }
        });
    }
}

/// <summary>Settings the handler reads from the app's own host.json (in its app root).</summary>
public static class HostSettings
{
    private static readonly Lazy<int> DequeueCount = new(() =>
    {
        try
        {
            var root = Environment.GetEnvironmentVariable("FUNCTIONS_APP_ROOT_PATH") ?? AppContext.BaseDirectory;
            var path = Path.Combine(root, "host.json");
            if (File.Exists(path) && JsonNode.Parse(File.ReadAllText(path))?["extensions"]?["queues"]?["maxDequeueCount"] is JsonNode n)
            {
                return n.GetValue<int>();
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or InvalidOperationException or FormatException)
        {
        }

        return 5;
    });

    public static int MaxDequeueCount => DequeueCount.Value;

    /// <summary>The host will not deliver this message again if it fails now: it goes to the poison queue instead.</summary>
    public static bool IsLastAttempt(InvocationRequest invocation) => invocation.DequeueCount >= MaxDequeueCount;
}
