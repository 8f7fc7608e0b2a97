using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReviewWatch.Businesses;
using ReviewWatch.DevHost.Commands;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Messaging;
using ReviewWatch.Reviews;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.EndToEnd;

/// <summary>
/// The whole flow through the dev host, as in Azure: poll → score → store → alert queue → case + outbox alert.
/// Each test owns an Azurite instance; the handler runs as its own process, started from the built app root.
/// </summary>
public sealed class PipelineEndToEndTests : IAsyncLifetime
{
    /// <summary>The sample reviews a person reading them would call negative (hand-labelled).</summary>
    private static readonly string[] ExpectedCases =
    [
        "kanelitupa-kallio-r02", "kanelitupa-kallio-r05", "kanelitupa-kallio-r07", "kanelitupa-kallio-r10", "kanelitupa-kallio-r13",
        "kanelitupa-kallio-r16", "kanelitupa-tammela-r02", "kanelitupa-tammela-r05", "kanelitupa-tammela-r09", "kanelitupa-tammela-r12",
    ];

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private AzuriteServer _azurite = null!;
    private string _outbox = null!;
    private StorageProbe _probe = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _outbox = Path.Combine(Path.GetTempPath(), "rw-e2e-outbox-" + Guid.NewGuid().ToString("N")[..8]);
        _probe = new StorageProbe(_azurite.ConnectionString);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Sample_data_yields_one_case_per_negative_review_and_importing_again_changes_nothing()
    {
        await using var host = await DevHostUnderTest.StartAsync(Settings());

        await SeedAndPollAsync();
        await WaitForSettledAsync(ExpectedCases.Length);

        await AssertExactlyTheExpectedCasesAndAlertsAsync();

        // Again: the same polls, and a backfill import of the same files through the import path.
        await SeedAndPollAsync();
        await ImportSampleFilesAsync();
        await WaitForQueuesEmptyAsync();
        await AssertExactlyTheExpectedCasesAndAlertsAsync();

        // Every alert carries the deep link into the response queue.
        var eml = await File.ReadAllTextAsync(Directory.GetFiles(_outbox, "*.eml")[0]);
        Assert.Contains("http://localhost:7071/ui/cases/c-", eml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_that_is_not_JSON_goes_to_poison_with_a_reason_and_all_other_work_is_done()
    {
        await using var host = await DevHostUnderTest.StartAsync(Settings());
        var queue = new Azure.Storage.Queues.QueueClient(_azurite.ConnectionString, ReviewWatchStorage.PollQueueName, new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();

        await queue.SendMessageAsync("this is not JSON {");
        await SeedAndPollAsync();

        await Eventually.AssertAsync(async () => await _probe.QueueLengthAsync("poll-requests-poison") == 1, Patience, () => "no poisoned message");
        await WaitForSettledAsync(ExpectedCases.Length);
        await AssertExactlyTheExpectedCasesAndAlertsAsync();
        var poisoned = Assert.Single(await _probe.PeekRawAsync("poll-requests-poison"));
        Assert.Equal("this is not JSON {", Encoding.UTF8.GetString(Convert.FromBase64String(poisoned)));
        Assert.Contains(host.Logs.Lines, l => l.Contains("not valid JSON", StringComparison.Ordinal) && l.Contains("attempt 5 of 5; it now goes to the poison queue", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, l => l.Contains("reached MaxDequeueCount of 5", StringComparison.Ordinal) && l.Contains("poll-requests-poison", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_handler_instances_draining_the_same_queues_produce_the_same_result_as_one()
    {
        await using var first = await DevHostUnderTest.StartAsync(Settings());
        await using var second = await DevHostUnderTest.StartAsync(Settings());

        // Every location polled 21 times at once: duplicates race across both instances, and 42 poll requests are
        // more than one receive batch (16), so the second instance is sure to get some.
        await SeedAndPollAsync();
        await using (var services = LocalServices.Create(Settings(), NullLoggerFactory.Instance))
        {
            var storage = services.GetRequiredService<ReviewWatchStorage>();
            var locations = await services.GetRequiredService<BusinessDirectory>().ListLocationsAsync();
            for (var i = 0; i < 20; i++)
            {
                foreach (var l in locations)
                {
                    await storage.PollQueue.SendMessageAsync(MessageCodec.Write(new PollRequest(MessageCodec.CurrentVersion, l.BusinessId, l.LocationId, "test")));
                }
            }
        }

        await WaitForSettledAsync(ExpectedCases.Length);
        await WaitForQueuesEmptyAsync();
        await AssertExactlyTheExpectedCasesAndAlertsAsync();
        Assert.Contains(first.Logs.Lines, l => l.Contains("Executed 'Functions.DispatchAlert' (Succeeded", StringComparison.Ordinal) || l.Contains("Executed 'Functions.PollLocation' (Succeeded", StringComparison.Ordinal));
        Assert.Contains(second.Logs.Lines, l => l.Contains("Executed 'Functions.DispatchAlert' (Succeeded", StringComparison.Ordinal) || l.Contains("Executed 'Functions.PollLocation' (Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_concurrent_claims_of_a_case_give_exactly_one_200_and_one_409()
    {
        await using var first = await DevHostUnderTest.StartAsync(Settings());
        await using var second = await DevHostUnderTest.StartAsync(Settings());
        await SeedAndPollAsync();
        await WaitForSettledAsync(ExpectedCases.Length);

        foreach (var c in (await _probe.CasesAsync()).Take(5))
        {
            using var a = new StringContent("""{"user":"anna"}""", Encoding.UTF8, "application/json");
            using var b = new StringContent("""{"user":"ben"}""", Encoding.UTF8, "application/json");
            var responses = await Task.WhenAll(
                first.Client.PostAsync($"/api/cases/{c.CaseId}/claim", a),
                second.Client.PostAsync($"/api/cases/{c.CaseId}/claim", b));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        }
    }

    [Fact]
    public async Task Killing_the_handler_mid_run_and_restarting_leaves_no_duplicate_case_or_alert()
    {
        await using (var host = await DevHostUnderTest.StartAsync(Settings()))
        {
            await SeedAndPollAsync();
            await Eventually.AssertAsync(async () => (await _probe.NotificationsAsync()).Count > 0, Patience, () => "no alert started");
            host.Host.Handler.Kill(); // SIGKILL mid-run; the dev host restarts it as the Functions host would
            await WaitForSettledAsync(ExpectedCases.Length);
            await SeedAndPollAsync();
        }

        // The whole app stopped mid-run and started again on the same storage.
        await using (var again = await DevHostUnderTest.StartAsync(Settings()))
        {
            await SeedAndPollAsync();
            await WaitForSettledAsync(ExpectedCases.Length);
            await WaitForQueuesEmptyAsync();
        }

        await AssertExactlyTheExpectedCasesAndAlertsAsync();
    }

    [Fact]
    public async Task A_handler_that_hangs_past_functionTimeout_is_restarted_and_every_message_is_still_done()
    {
        var appRoot = DevHostUnderTest.AppRootWithHostJson(h => h["functionTimeout"] = "00:00:05");
        try
        {
            await using var host = await DevHostUnderTest.StartAsync(Settings(), appRoot: appRoot);
            var hung = host.Host.Handler.ProcessId!.Value;
            using (var stop = System.Diagnostics.Process.Start("kill", ["-STOP", hung.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
                Assert.Equal(0, stop.ExitCode);
            }

            // The polls reach a handler that never answers: after 5 s each invocation fails, the handler is killed and
            // started again, and the messages run again on the new one.
            await SeedAndPollAsync();
            await WaitForSettledAsync(ExpectedCases.Length);
            await WaitForQueuesEmptyAsync();

            await AssertExactlyTheExpectedCasesAndAlertsAsync();
            Assert.NotEqual(hung, host.Host.Handler.ProcessId);
            Assert.Contains(host.Logs.Lines, l => l.Contains("Timeout value of 00:00:05 exceeded by function 'Functions.PollLocation'", StringComparison.Ordinal)
                && l.Contains($"restarting the handler (pid {hung})", StringComparison.Ordinal));
            Assert.Equal(0, await _probe.QueueLengthAsync("poll-requests-poison"));
        }
        finally
        {
            Directory.Delete(appRoot, recursive: true);
        }
    }

    private Dictionary<string, string> Settings() => DevHostUnderTest.DefaultSettings(_azurite.ConnectionString, _outbox);

    private async Task SeedAndPollAsync()
    {
        await using var services = LocalServices.Create(Settings(), NullLoggerFactory.Instance);
        await SeedCommand.SeedAllAsync(services, TestPaths.SampleDirectory, pollNow: true, CancellationToken.None);
    }

    private async Task ImportSampleFilesAsync()
    {
        await using var services = LocalServices.Create(Settings(), NullLoggerFactory.Instance);
        var directory = services.GetRequiredService<BusinessDirectory>();
        var ingestor = services.GetRequiredService<ReviewIngestor>();
        var storage = services.GetRequiredService<ReviewWatchStorage>();
        foreach (var location in await directory.ListLocationsAsync())
        {
            var result = await ingestor.IngestAsync(location, await FileReviewSource.ReadFileAsync(location.SourceRef));
            Assert.Equal(0, result.Added);
            foreach (var alert in result.Alerts)
            {
                await storage.AlertQueue.SendMessageAsync(MessageCodec.Write(alert));
            }
        }
    }

    private async Task WaitForSettledAsync(int cases)
    {
        await Eventually.AssertAsync(
            async () => (await _probe.NotificationsAsync()).Count(n => n.Status == "sent") >= cases,
            Patience,
            () => $"expected {cases} sent alerts");
    }

    private async Task WaitForQueuesEmptyAsync()
    {
        var queues = new Azure.Storage.Queues.QueueServiceClient(_azurite.ConnectionString);
        await Eventually.AssertAsync(
            async () =>
            {
                foreach (var name in new[] { "poll-requests", "alerts" })
                {
                    var props = await queues.GetQueueClient(name).GetPropertiesAsync();
                    if (props.Value.ApproximateMessagesCount > 0)
                    {
                        return false;
                    }
                }

                return true;
            },
            Patience,
            () => "queues did not drain");
    }

    private async Task AssertExactlyTheExpectedCasesAndAlertsAsync()
    {
        var cases = await _probe.CasesAsync();
        Assert.Equal(ExpectedCases, cases.Select(c => c.ItemKey).Order(StringComparer.Ordinal));
        var notifications = await _probe.NotificationsAsync();
        Assert.Equal(ExpectedCases.Length, notifications.Count);
        Assert.All(notifications, n => Assert.Equal("sent", n.Status));
        var files = Directory.GetFiles(_outbox);
        Assert.Equal(ExpectedCases.Length, files.Length); // one .eml per case, no leftovers
        Assert.All(files, f => Assert.EndsWith(".eml", f, StringComparison.Ordinal));
        Assert.Equal(cases.Select(c => $"{c.CaseId}-{c.Severity}.eml").Order(StringComparer.Ordinal), files.Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
