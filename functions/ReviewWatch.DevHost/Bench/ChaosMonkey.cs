using System.Diagnostics;
using ReviewWatch.DevHost.FunctionsHost;

namespace ReviewWatch.DevHost.Bench;

/// <summary>What the monkey did.</summary>
public sealed record ChaosLog(int Kills, int Restarts, bool AzuriteRestarted, TimeSpan AzuriteDowntime);

/// <summary>
/// SIGKILLs a random instance's handler at random moments (the dev host restarts it, as the Functions host restarts
/// a dead worker) and restarts Azurite once with persistence, while the pipeline works.
/// </summary>
public static class ChaosMonkey
{
#pragma warning disable CA5394 // Chaos timing, not security.
    public static async Task<ChaosLog> RunAsync(PipelineRig rig, int kills, TimeSpan window, bool restartAzurite, int seed, Action<string>? log, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        // Kill moments spread over the window; Azurite restarts once, at a random moment in its middle half.
        var moments = Enumerable.Range(0, kills).Select(_ => random.NextDouble() * window.TotalMilliseconds).Order().ToList();
        var azuriteAt = restartAzurite ? (0.25 + (random.NextDouble() * 0.5)) * window.TotalMilliseconds : double.MaxValue;
        var clock = Stopwatch.StartNew();
        var done = 0;
        var restarts = 0;
        var downtime = TimeSpan.Zero;
        var azuriteDone = !restartAzurite;
        while ((done < kills || !azuriteDone) && !cancellationToken.IsCancellationRequested)
        {
            var next = Math.Min(done < kills ? moments[done] : double.MaxValue, azuriteDone ? double.MaxValue : azuriteAt);
            var wait = next - clock.Elapsed.TotalMilliseconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            }

            if (!azuriteDone && next == azuriteAt)
            {
                log?.Invoke("chaos: restarting Azurite (persistent, same ports)");
                var t = Stopwatch.StartNew();
                await rig.RestartAzuriteAsync(cancellationToken);
                downtime = t.Elapsed;
                azuriteDone = true;
                continue;
            }

            var host = rig.Hosts[random.Next(rig.Hosts.Count)];
            var before = host.Handler.ProcessId;
            host.Handler.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            rig.Disruptions.Enqueue(new Disruption(killedAt, killedAt, $"SIGKILL handler pid {before}"));
            done++;
            log?.Invoke($"chaos: SIGKILL handler pid {before} ({done}/{kills})");
            if (await RestartedAsync(host.Handler, before, TimeSpan.FromSeconds(60), cancellationToken))
            {
                restarts++;
            }
        }

        return new ChaosLog(done, restarts, restartAzurite && azuriteDone, downtime);
    }
#pragma warning restore CA5394

    private static async Task<bool> RestartedAsync(HandlerProcess handler, int? before, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (handler.ProcessId is int pid && pid != before)
            {
                await handler.WaitReadyAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
                return true;
            }

            await Task.Delay(50, cancellationToken);
        }

        return false;
    }
}
