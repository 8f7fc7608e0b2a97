using System.Text;
using ReviewWatch.DevHost.Bench;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Reliability;

/// <summary>
/// A host can die after the handler answered and before it wrote the answer's output messages. The reviews are
/// stored with their alert pending, and the README promises the next poll re-emits what is still owed.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LostOutputsTests
{
    [Fact]
    public async Task Alerts_whose_output_messages_were_lost_are_reemitted_by_the_next_poll_even_after_the_watermark_moved()
    {
        using var loggers = ReviewWatch.DevHost.Local.LocalServices.CreateLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Critical);
        await using var rig = await PipelineRig.StartAsync(new RigOptions(TestPaths.FunctionAppRoot), loggers);
        var workload = new Workload(reviews: 30, locations: 1, waves: 3);
        await rig.SeedAsync(workload);
        var handler = rig.Hosts[0].Handler;
        using var http = new HttpClient { BaseAddress = handler.BaseAddress };

        // Two waves (an hour apart at Google) are stored by a reconciliation whose outputs (the owed alerts) never
        // reach the queue, as if the host died right after the handler answered; it also moves the watermark past them.
        rig.Publish(workload.Reviews.Where(r => r.Wave <= 1));
        using (var response = await http.PostAsync("/ReconcileReviews", new StringContent("""{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", Encoding.UTF8, "application/json")))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        // Then new reviews arrive and are polled the normal way.
        rig.Publish(workload.Reviews.Where(r => r.Wave == 2));
        await rig.EnqueuePollsAsync(workload.Locations, "test");

        Assert.True(await rig.WaitSettledAsync(workload.Negatives, TimeSpan.FromSeconds(60)), "not every negative review got its case");
        var report = await InvariantReport.CheckAsync(rig, workload);
        Assert.True(report.Holds, report.Describe());
    }

    [Fact]
    public async Task A_polls_lost_alerts_are_reemitted_by_the_next_poll_which_alone_looks_for_them()
    {
        using var loggers = ReviewWatch.DevHost.Local.LocalServices.CreateLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Critical);
        await using var rig = await PipelineRig.StartAsync(new RigOptions(TestPaths.FunctionAppRoot), loggers);
        var workload = new Workload(reviews: 30, locations: 1, waves: 2);
        await rig.SeedAsync(workload);
        var location = workload.Locations[0];
        using var http = new HttpClient { BaseAddress = rig.Hosts[0].Handler.BaseAddress };
        var google = new ReviewWatch.Google.GoogleStore(new Azure.Data.Tables.TableServiceClient(rig.ConnectionString), string.Empty);

        // The location's first poll stores the first wave; its owed alerts never reach the queue (the host died).
        rig.Publish(workload.Reviews.Where(r => r.Wave == 0));
        await PollDirectlyAsync(http, location);
        Assert.True((await google.GetCursorAsync(location.LocationId))!.OwesPendingScan); // it emitted alerts, so the next poll looks

        // The next wave is polled the normal way: that poll finds what the lost one owed, and every case opens.
        rig.Publish(workload.Reviews.Where(r => r.Wave == 1));
        await rig.EnqueuePollsAsync(workload.Locations, "test");
        Assert.True(await rig.WaitSettledAsync(workload.Negatives, TimeSpan.FromSeconds(60)), "not every negative review got its case");
        var report = await InvariantReport.CheckAsync(rig, workload);
        Assert.True(report.Holds, report.Describe());

        // Once a poll has looked and owed nothing, the next one skips the look (it reads the whole partition).
        await PollDirectlyAsync(http, location);
        Assert.False((await google.GetCursorAsync(location.LocationId))!.OwesPendingScan);
    }

    private static async Task PollDirectlyAsync(HttpClient http, BenchLocation location)
    {
        var request = ReviewWatch.Messaging.MessageCodec.Write(new ReviewWatch.Messaging.PollRequest(1, location.BusinessId, location.LocationId, "test"));
        using var response = await http.PostAsync("/PollLocation", new StringContent(HostPayloads.Queue(request), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
