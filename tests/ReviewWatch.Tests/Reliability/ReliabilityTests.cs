using ReviewWatch.DevHost.Bench;
using ReviewWatch.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ReviewWatch.Tests.Reliability;

/// <summary>
/// The reliability suite at CI size (./reviewwatch bench load|chaos|fuzz runs it at full size; docs/reliability.md).
/// Each test owns its Azurite, fakes and dev hosts; the three run one after another to stay within two cores.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ReliabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Load_run_stores_every_review_once_and_opens_one_case_and_one_alert_per_negative_review()
    {
        var result = await BenchRuns.LoadAsync(TestPaths.FunctionAppRoot, reviews: 300, locations: 6, hosts: 1, TimeSpan.FromMinutes(2), output.WriteLine);

        output.WriteLine(result.Describe());
        Assert.True(result.Invariants.Holds, result.Invariants.Describe());
        Assert.Equal(60, result.Invariants.Negatives);
        Assert.Equal(60, result.Invariants.LatencySeconds.Count);
        Assert.True(result.ItemsPerSecond > 0 && result.RawBatchItemsPerSecond > 0 && result.RawAllItemsPerSecond > 0);
        // The second raw figure writes every row the pipeline stored: the reviews, and a case and a notification per negative.
        Assert.Equal(result.Reviews, result.Stored.Single(s => s.Table.EndsWith("Reviews", StringComparison.Ordinal)).Entities);
        Assert.Equal(result.Invariants.Cases, result.Stored.Single(s => s.Table.EndsWith("Cases", StringComparison.Ordinal)).Entities);
        Assert.Equal(result.Invariants.Cases * result.Invariants.Channels, result.Stored.Single(s => s.Table.EndsWith("Notifications", StringComparison.Ordinal)).Entities);
        Assert.Equal(result.Invariants.Cases, result.Invariants.WebhookDeliveries);
    }

    [Fact]
    public async Task Chaos_with_three_instances_kills_api_faults_and_an_Azurite_restart_loses_and_duplicates_nothing()
    {
        var result = await BenchRuns.ChaosAsync(
            TestPaths.FunctionAppRoot, reviews: 400, locations: 8, hosts: 3, kills: 5, faultRate: 0.3, restartAzurite: true, waves: 5,
            timeout: TimeSpan.FromMinutes(3), seed: 20260301, log: output.WriteLine);

        output.WriteLine(result.Describe());
        Assert.Equal(5, result.Chaos.Kills);
        Assert.Equal(5, result.Chaos.Restarts);
        Assert.True(result.Chaos.AzuriteRestarted);
        Assert.True(result.LanguageFaults > 0, "the fake Language API injected no faults");
        Assert.True(result.Settled, result.Describe());
        Assert.True(result.Invariants.Holds, result.Invariants.Describe());
    }

    [Fact]
    public async Task Fuzzed_payloads_never_crash_the_handler_get_a_4xx_or_a_named_500_and_real_work_is_not_lost()
    {
        var result = await Fuzzer.RunAsync(TestPaths.FunctionAppRoot, casesPerEndpoint: 150, seed: 11, log: output.WriteLine);

        output.WriteLine(result.Describe());
        Assert.True(result.SamePid, "the handler process restarted during the fuzz");
        Assert.True(result.StillAnswers, "GET / no longer answers");
        Assert.Empty(result.Violations);
        Assert.True(result.Work.Holds, result.Work.Describe());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";
}
