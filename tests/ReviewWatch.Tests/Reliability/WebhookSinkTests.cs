using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewWatch.Alerts;
using ReviewWatch.DevHost.Bench;
using ReviewWatch.Tests.Alerts;

namespace ReviewWatch.Tests.Reliability;

/// <summary>
/// The benches' webhook receiver is what counts alerts really sent (the outbox overwrites a re-sent alert's file), so
/// it has to see a second send, and the invariant has to fail on one that no kill or storage outage explains.
/// </summary>
public sealed class WebhookSinkTests
{
    [Fact]
    public async Task An_alert_sent_twice_is_seen_twice_and_fails_the_check_unless_a_disruption_came_right_after_the_first()
    {
        await using var sink = await WebhookSink.StartAsync();
        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var notifier = new WebhookNotifier(
            services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new AlertingOptions { Webhook = { Secret = sink.Secret } }),
            TimeProvider.System);
        var alert = AlertTestData.Alert();

        await notifier.SendAsync(alert, sink.Url);
        await notifier.SendAsync(alert, sink.Url);

        var deliveries = sink.Deliveries;
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(alert.Case.CaseId, d.CaseId));
        Assert.Equal(deliveries[0].Id, deliveries[1].Id);
        Assert.Empty(sink.Rejected);

        var times = deliveries.Select(d => d.ReceivedAt).ToList();
        var first = times[0];
        Assert.False(InvariantReport.DescribeRedelivery(deliveries[0].Id, times, []).Explained);
        Assert.True(InvariantReport.DescribeRedelivery(deliveries[0].Id, times, [Kill(first.AddSeconds(0.2))]).Explained);
        // A kill well after the send was recorded, or one before it, does not explain it.
        Assert.False(InvariantReport.DescribeRedelivery(deliveries[0].Id, times, [Kill(first + InvariantReport.RecordWindow + TimeSpan.FromSeconds(1))]).Explained);
        Assert.False(InvariantReport.DescribeRedelivery(deliveries[0].Id, times, [Kill(first.AddSeconds(-1))]).Explained);
        // Storage away across the first send explains it, until it is back.
        Assert.True(InvariantReport.DescribeRedelivery(deliveries[0].Id, times, [new Disruption(first.AddSeconds(-3), first.AddSeconds(1), "Azurite restarted")]).Explained);
        Assert.False(InvariantReport.DescribeRedelivery(deliveries[0].Id, times, [new Disruption(first.AddSeconds(-9), first.AddSeconds(-6), "Azurite restarted")]).Explained);
    }

    private static Disruption Kill(DateTimeOffset at) => new(at, at, "SIGKILL handler pid 1");

    [Fact]
    public async Task A_post_without_a_valid_signature_is_rejected_and_listed()
    {
        await using var sink = await WebhookSink.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, sink.Url)
        {
            Content = new StringContent("""{"v":1,"event":"case.opened","caseId":"c-1"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-ReviewWatch-Delivery", "c-1.webhook-high");
        request.Headers.Add("X-ReviewWatch-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-ReviewWatch-Signature", "sha256=00");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(sink.Deliveries);
        Assert.Contains("bad signature", Assert.Single(sink.Rejected), StringComparison.Ordinal);
    }
}
