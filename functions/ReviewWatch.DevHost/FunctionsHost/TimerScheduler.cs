using System.Globalization;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using NCrontab;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>
/// A timer trigger on its NCRONTAB schedule (6 fields with seconds, or 5), in UTC as on Linux plans. With the
/// monitor on (the default for schedules of a minute or longer) the last and next fire times are kept in the
/// storage account, so a fire missed while the app was down runs once at start with IsPastDue. Each occurrence
/// is claimed with an insert-if-absent row, so several dev hosts on one account fire it once, like the host's
/// singleton lock.
/// </summary>
public sealed class TimerScheduler(
    FunctionDefinition function,
    StorageConnections connections,
    Invoker invoker,
    OutputWriter outputs,
    TimeProvider time,
    ILogger logger)
{
    public const string StatusTable = "DevHostTimerStatus";

    public async Task RunAsync(CancellationToken stopping)
    {
        var trigger = function.Trigger;
        var expression = connections.Expand(trigger.Get("schedule") ?? throw new InvalidDataException($"{function.Name}: timerTrigger has no schedule"));
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var schedule = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
        var now = time.GetUtcNow().UtcDateTime;
        var first = schedule.GetNextOccurrence(now);
        var interval = schedule.GetNextOccurrence(first) - first;
        // The timer extension turns the monitor off for schedules more frequent than once a minute.
        var useMonitor = trigger.GetBool("useMonitor", true) && interval >= TimeSpan.FromMinutes(1);
        var table = new TableClient(connections.ConnectionString(trigger.Get("connection")), StatusTable);
        await table.CreateIfNotExistsAsync(stopping);

        DateTime last = DateTime.MinValue;
        if (useMonitor)
        {
            var status = await table.GetEntityIfExistsAsync<TableEntity>(function.Name, "status", cancellationToken: stopping);
            if (status.HasValue && status.Value!.GetDateTimeOffset("Next") is DateTimeOffset missed && missed.UtcDateTime < now)
            {
                last = status.Value.GetDateTimeOffset("Last")?.UtcDateTime ?? DateTime.MinValue;
                await FireAsync(table, missed.UtcDateTime, last, pastDue: true, useMonitor, stopping);
                last = time.GetUtcNow().UtcDateTime;
            }
            else if (status.HasValue)
            {
                last = status.Value!.GetDateTimeOffset("Last")?.UtcDateTime ?? DateTime.MinValue;
            }
        }

        if (trigger.GetBool("runOnStartup", false))
        {
            await FireAsync(table, now, last, pastDue: false, useMonitor, stopping);
            last = time.GetUtcNow().UtcDateTime;
        }

        while (!stopping.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(time.GetUtcNow().UtcDateTime);
            if (useMonitor)
            {
                await SaveStatusAsync(table, last, next, stopping);
            }

            var wait = next - time.GetUtcNow().UtcDateTime;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stopping);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FireAsync(table, next, last, pastDue: false, useMonitor, stopping);
            last = time.GetUtcNow().UtcDateTime;
        }
    }

    /// <summary>Invokes the timer function once for <paramref name="occurrence"/>, unless another host already did.</summary>
    private async Task FireAsync(TableClient table, DateTime occurrence, DateTime last, bool pastDue, bool useMonitor, CancellationToken stopping)
    {
        try
        {
            var claim = new TableEntity(function.Name, "fire-" + occurrence.Ticks.ToString("D19", CultureInfo.InvariantCulture));
            try
            {
                await table.AddEntityAsync(claim, stopping);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return; // another instance fired this occurrence
            }

            var data = new JsonObject
            {
                [function.Trigger.Name] = new JsonObject
                {
                    ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                    ["ScheduleStatus"] = useMonitor
                        ? new JsonObject
                        {
                            ["Last"] = Iso(last),
                            ["Next"] = Iso(occurrence),
                            ["LastUpdated"] = Iso(last),
                        }
                        : null,
                    ["IsPastDue"] = pastDue,
                },
            };
            var outcome = await invoker.InvokeAsync(function.Name, data, [], stopping);
            if (outcome.Succeeded)
            {
                await outputs.WriteAsync(function, outcome.Outputs, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A failed timer run is not retried; the next occurrence runs as usual.
            logger.LogError(ex, "Timer {Function} failed", function.Name);
        }
    }

    private async Task SaveStatusAsync(TableClient table, DateTime last, DateTime next, CancellationToken stopping)
    {
        var entity = new TableEntity(function.Name, "status")
        {
            ["Last"] = new DateTimeOffset(DateTime.SpecifyKind(last == DateTime.MinValue ? new DateTime(1601, 1, 1) : last, DateTimeKind.Utc)),
            ["Next"] = new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)),
        };
        try
        {
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, stopping);
        }
        catch (RequestFailedException ex)
        {
            logger.LogWarning("Could not save the schedule status of {Function}: {Error}", function.Name, ex.Message);
        }
    }

    private static string Iso(DateTime value) => value == DateTime.MinValue || value.Year <= 1601
        ? "0001-01-01T00:00:00+00:00"
        : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'+00:00'", CultureInfo.InvariantCulture);
}
