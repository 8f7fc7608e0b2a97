using System.Globalization;
using ReviewWatch.DevHost.Bench;
using ReviewWatch.DevHost.Local;

namespace ReviewWatch.DevHost.Commands;

/// <summary>
/// <c>bench load | chaos | fuzz</c>: the reliability suite at full size (docs/reliability.md). The same runs at CI size
/// are the tests in tests/ReviewWatch.Tests/Reliability.
/// </summary>
public static class BenchCommands
{
    public static async Task<int> RunAsync(CommandLine cli, string[] args)
    {
        var sub = args.Length > 1 ? args[1] : "help";
        var appRoot = Path.GetFullPath(cli.Option("app-root") ?? Path.Combine(RepositoryRoot.Find(), "functions", "ReviewWatch.Functions", "bin", "Release", "net10.0"));
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        // SIGTERM (kill, a CI runner's timeout) stops the run the same way: without this, the web hosts inside the rig
        // took the signal for themselves and the bench went on.
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cancel.Cancel();
        });
        void Log(string line) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");

        try
        {
            return await RunAsync(sub, cli, appRoot, Log, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Log($"bench {sub}: stopped (Ctrl+C or SIGTERM); its Azurite and handlers were shut down");
            return 130;
        }
    }

    private static async Task<int> RunAsync(string sub, CommandLine cli, string appRoot, Action<string> log, CancellationToken cancel)
    {
        switch (sub)
        {
            case "load":
            {
                var result = await BenchRuns.LoadAsync(
                    appRoot, cli.IntOption("reviews", 50_000), cli.IntOption("locations", 200), cli.IntOption("hosts", 1),
                    TimeSpan.FromMinutes(cli.IntOption("timeout-minutes", 30)), log, cancel);
                Console.WriteLine(result.Describe());
                return result.Invariants.Holds ? 0 : 1;
            }

            case "chaos":
            {
                var result = await BenchRuns.ChaosAsync(
                    appRoot, cli.IntOption("reviews", 50_000), cli.IntOption("locations", 200), cli.IntOption("hosts", 3), cli.IntOption("kills", 20),
                    double.Parse(cli.Option("fault-rate") ?? "0.3", CultureInfo.InvariantCulture), !cli.Flag("no-azurite-restart"), cli.IntOption("waves", 10),
                    TimeSpan.FromMinutes(cli.IntOption("timeout-minutes", 45)), cli.IntOption("seed", Environment.TickCount), log, cancel);
                Console.WriteLine(result.Describe());
                return result.Passed ? 0 : 1;
            }

            case "fuzz":
            {
                var result = await Fuzzer.RunAsync(appRoot, cli.IntOption("cases", 10_000), cli.IntOption("seed", 7), log, cancel);
                Console.WriteLine(result.Describe());
                return result.Passed ? 0 : 1;
            }

            default:
                Console.Error.WriteLine("""
                    usage: reviewwatch bench <load|chaos|fuzz> [options]
                      load  [--reviews 50000] [--locations 200] [--hosts 1] [--timeout-minutes 30]
                            throughput, arrival → case latency (p50/p95/p99), peak memory, and the ratio to raw batch writes
                      chaos [--reviews 50000] [--locations 200] [--hosts 3] [--kills 20] [--fault-rate 0.3] [--waves 10]
                            [--no-azurite-restart] [--seed N] [--timeout-minutes 45]   (full size ~9 min; --reviews 2000 --locations 20 ~1 min)
                            three instances, handler SIGKILLs, API faults, an Azurite restart; exit 1 if an invariant fails
                      fuzz  [--cases 10000] [--seed 7]
                            generated payloads at every function endpoint and the staff API; exit 1 on a crash or a bad answer
                    """);
                return 2;
        }
    }
}
