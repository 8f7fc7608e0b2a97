using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReviewWatch.Alerts;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Alerts;

/// <summary>Alert routing, failures, quiet hours, SLAs and escalation, against real storage with a fake clock.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertRulesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    // Monday 2026-11-23 11:00 in Helsinki (UTC+2).
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private RecordingReceiver _receiver = null!;
    private HandlerUnderTest _handler = null!;
    private SlowChannel _slow = null!;

    public async Task InitializeAsync()
    {
        _receiver = await RecordingReceiver.StartAsync();
        _slow = new SlowChannel(_time);
        _handler = await HandlerUnderTest.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Alerting:Webhook:Secret"] = "s3cret", ["Alerting:FirstRetryDelay"] = "00:00:02" },
            s => s.AddSingleton<TimeProvider>(_time).AddSingleton<INotifier>(_slow));
        await _handler.SeedSampleAsync();
    }

    public async Task DisposeAsync()
    {
        await _handler.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_failing_channel_is_retried_without_resending_on_the_channels_that_succeeded_and_shows_as_failing()
    {
        await RouteAsync("""[{"channel":"webhook","target":"URL","minSeverity":"medium"}]""");
        _receiver.Status = 404; // the webhook was deleted on the receiving side: a failure that retrying won't fix
        var alert = await AlertForAsync("kanelitupa-kallio-r02");

        var first = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert));

        Assert.Equal(500, first.Status); // the handler fails the invocation, so the host retries the message
        Assert.Single(Directory.GetFiles(_handler.Outbox, "*.eml")); // but the outbox alert went out once
        var health = await _handler.Storage.ChannelHealth.QueryAsync<ChannelHealthEntity>().ToListAsync();
        var webhook = Assert.Single(health, h => h.Channel == "webhook");
        Assert.True(webhook.ConsecutiveFailures >= 1);
        Assert.Contains("404", webhook.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(_receiver.Url("/"), webhook.Target, StringComparison.Ordinal); // no secret-bearing URL shown
        using (var page = await _handler.Client.GetAsync("/ui/"))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("Hälytyskanava ei toimi", html, StringComparison.Ordinal);
            Assert.Contains("Sen hälytykset lähetetään uudelleen", html, StringComparison.Ordinal); // and the owner is told they are not lost
        }

        _receiver.Status = 200;
        var retry = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert, dequeueCount: 2));

        Assert.Equal(200, retry.Status);
        Assert.Single(Directory.GetFiles(_handler.Outbox, "*.eml"));
        var delivered = _receiver.Requests.Last();
        Assert.Equal("/hook", delivered.Path);
        Assert.True(WebhookNotifier.Verify("s3cret", delivered.Headers["X-ReviewWatch-Timestamp"], delivered.Body, delivered.Headers["X-ReviewWatch-Signature"], _time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        var healed = await _handler.Storage.ChannelHealth.GetEntityAsync<ChannelHealthEntity>("kanelitupa", webhook.RowKey);
        Assert.Equal(0, healed.Value.ConsecutiveFailures);

        // A third delivery sends nothing anywhere.
        var sent = _receiver.Requests.Count;
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert, dequeueCount: 3));
        Assert.Equal(sent, _receiver.Requests.Count);
    }

    [Fact]
    public async Task Routes_only_carry_alerts_at_or_above_their_minimum_severity()
    {
        await RouteAsync("""[{"channel":"webhook","target":"URL","minSeverity":"critical"}]""");

        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r02"))); // high
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r07"))); // critical

        var body = JsonNode.Parse(Assert.Single(_receiver.Requests).Body)!;
        Assert.Equal("critical", body["severity"]!.GetValue<string>());
    }

    [Fact]
    public async Task During_quiet_hours_the_case_opens_but_the_alert_waits_except_for_critical_items()
    {
        var business = (await _handler.Storage.Businesses.GetEntityAsync<BusinessEntity>("b", "kanelitupa")).Value;
        business.QuietHoursStart = "22:00";
        business.QuietHoursEnd = "07:00";
        await _handler.Storage.Businesses.UpdateEntityAsync(business, Azure.ETag.All);
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 23, 21, 30, 0, TimeSpan.Zero)); // 23:30 in Helsinki

        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r02"))); // high
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r07"))); // critical

        var cases = await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync();
        Assert.Equal(2, cases.Count); // both cases are open for staff at once
        var file = Assert.Single(Directory.GetFiles(_handler.Outbox, "*.eml"));
        Assert.Contains(RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r07"), file, StringComparison.Ordinal);
        var review = (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value;
        Assert.Equal("deferred", review.AlertState);
        // The waiting alert was re-queued, invisible until 07:00 Helsinki (05:00 UTC) = 7.5 hours from now.
        var queued = await _handler.Storage.AlertQueue.PeekMessagesAsync(32);
        Assert.Empty(queued.Value);
        var properties = await _handler.Storage.AlertQueue.GetPropertiesAsync();
        Assert.True(properties.Value.ApproximateMessagesCount >= 1);

        // At 07:00 the delayed message arrives and goes out.
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 24, 5, 0, 30, TimeSpan.Zero));
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r02")));
        Assert.Equal(2, Directory.GetFiles(_handler.Outbox, "*.eml").Length);
    }

    [Fact]
    public async Task Due_times_follow_the_severity_SLA_and_an_overdue_case_re_alerts_the_owner_once_per_breach()
    {
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r02"))); // high: 4 h
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r07"))); // critical: 1 h
        var cases = (await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync()).ToDictionary(c => c.Severity);
        Assert.Equal(_time.GetUtcNow().AddHours(4), cases["high"].DueAt);
        Assert.Equal(_time.GetUtcNow().AddHours(1), cases["critical"].DueAt);

        _time.Advance(TimeSpan.FromMinutes(61));
        await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());
        await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());

        var overdue = Directory.GetFiles(_handler.Outbox, "*-overdue-*.eml");
        Assert.Single(overdue); // only the critical case is past due, and only once
        Assert.Contains(cases["critical"].CaseId, overdue[0], StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromHours(3)); // now the high case is overdue too
        await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());
        Assert.Equal(2, Directory.GetFiles(_handler.Outbox, "*-overdue-*.eml").Length);
    }

    [Fact]
    public async Task An_overdue_reminder_another_instance_is_sending_is_skipped_without_stopping_the_others_and_sent_by_a_later_run()
    {
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r07"))); // critical: 1 h
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-tammela-r09")));
        var cases = await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync();
        Assert.Equal(2, cases.Count);
        _time.Advance(TimeSpan.FromHours(25)); // both past due, whatever the second one's severity
        // An instance that ran the escalation a moment ago claimed r07's reminder and died before sending it.
        var r07 = cases.Single(c => c.ItemKey == "kanelitupa-kallio-r07");
        var key = NotificationEntity.RowKeyFor(r07.CaseId, $"outbox-overdue-{r07.DueAt.UtcTicks}");
        await ClaimAsDeadInstanceAsync(key, TimeSpan.FromSeconds(10));

        var (status, body) = await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());

        Assert.True(status == 200, body.ToJsonString());
        var overdue = Directory.GetFiles(_handler.Outbox, "*-overdue-*.eml");
        Assert.DoesNotContain(r07.CaseId, Assert.Single(overdue), StringComparison.Ordinal); // the other case's reminder went out
        Assert.Equal(("sending", 1), await StatusOfAsync(key));

        // The next run, after the claim's lease, takes it over and sends it once.
        _time.Advance(TimeSpan.FromMinutes(5));
        await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());
        await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());
        Assert.Equal(2, Directory.GetFiles(_handler.Outbox, "*-overdue-*.eml").Length);
        Assert.Equal(("sent", 2), await StatusOfAsync(key));
    }

    [Fact]
    public async Task A_replied_case_is_not_escalated()
    {
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(await AlertForAsync("kanelitupa-kallio-r07")));
        var id = RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r07");
        await _handler.Client.PostAsync($"/api/cases/{id}/claim", null);
        using var reply = new StringContent("""{"text":"Olemme todella pahoillamme."}""", System.Text.Encoding.UTF8, "application/json");
        var replied = await _handler.Client.PostAsync($"/api/cases/{id}/reply", reply);
        Assert.Equal(System.Net.HttpStatusCode.OK, replied.StatusCode);

        _time.Advance(TimeSpan.FromHours(2));
        await _handler.InvokeAsync("EscalateOverdue", HostPayloads.Timer());

        Assert.Empty(Directory.GetFiles(_handler.Outbox, "*-overdue-*.eml"));
    }

    [Fact]
    public async Task A_packed_message_claims_its_alerts_together_and_a_send_that_starts_late_renews_its_claim_first()
    {
        // Each alert goes to the outbox, a slow channel, then a webhook. The slow channel takes 20 s (of the fake clock),
        // so when the webhook starts, the claim made for it with the others is older than the lease minus the channel
        // timeout (30 − 15 s).
        _slow.Takes = TimeSpan.FromSeconds(20);
        await RouteAsync("""[{"channel":"slow","minSeverity":"medium"},{"channel":"webhook","target":"URL","minSeverity":"medium"}]""");
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var packed = Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();
        var claimedAt = _time.GetUtcNow();

        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed));

        Assert.True(status == 200, body.ToJsonString());
        Assert.Equal(6, _receiver.Requests.Count(r => r.Path == "/hook"));
        Assert.Equal(6, Directory.GetFiles(_handler.Outbox, "*.eml").Length);
        var rows = await _handler.Storage.Notifications.QueryAsync<NotificationEntity>(n => n.PartitionKey == "kanelitupa").ToListAsync();
        Assert.Equal(18, rows.Count);
        Assert.All(rows, r => Assert.Equal(("sent", 1), (r.Status, r.Attempts)));
        // Every alert's webhook started at least 20 s after the batch claim, so it renewed its claim before sending.
        var webhooks = rows.Where(r => r.RowKey.Contains(".webhook-", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, webhooks.Select(r => NotificationEntity.CaseIdOf(r.RowKey)).Distinct().Count());
        Assert.All(webhooks, r => Assert.True(r.ClaimedAt >= claimedAt + TimeSpan.FromSeconds(20), $"{r.RowKey} claimed at {r.ClaimedAt:O}: not renewed"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_alert_whose_claim_another_instance_holds_is_handed_on_to_a_new_message_and_sent_once_its_claim_expires(bool packed)
    {
        // Packed: the poll's message of six alerts (r02 among them); otherwise a message of r02 alone.
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var message = packed
            ? Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>()
            : await AlertForAsync("kanelitupa-kallio-r02");
        var others = packed ? 5 : 0;
        Directory.CreateDirectory(_handler.Outbox); // the outbox exists once something is sent; here possibly nothing is, yet
        // Another instance claimed r02's alert 25 s ago and died before sending: the 30 s lease has 5 s to run.
        var r02 = RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r02");
        var r02Key = NotificationEntity.RowKeyFor(r02, "outbox-high");
        await ClaimAsDeadInstanceAsync(r02Key, TimeSpan.FromSeconds(25));

        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(message));

        // The message completes: the other alerts are sent, r02's case is open but its alert is still owed.
        Assert.True(status == 200, body.ToJsonString());
        Assert.Equal(others + 1, (await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync()).Count);
        var files = Directory.GetFiles(_handler.Outbox, "*.eml").Select(Path.GetFileName).ToList();
        Assert.Equal(others, files.Count);
        Assert.DoesNotContain(files, f => f!.StartsWith(r02, StringComparison.Ordinal));
        var review = (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value;
        Assert.Equal("pending", review.AlertState);
        Assert.Equal(("sending", 1), await StatusOfAsync(r02Key));

        // r02 went on to a new message, hidden until a second after the claim expires (6 s from now).
        Assert.Empty((await _handler.Storage.AlertQueue.PeekMessagesAsync(32)).Value);
        var handedOn = await ReceiveAsync(TimeSpan.FromSeconds(30));
        var items = MessageCodec.ReadAlerts(handedOn.MessageText);
        Assert.Equal("kanelitupa-kallio-r02", Assert.Single(items).ItemKey);
        Assert.Equal(1, handedOn.DequeueCount);

        // When it runs, the dead instance's claim is taken over and the alert is sent, once.
        _time.Advance(TimeSpan.FromSeconds(6));
        var (again, againBody) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(handedOn.MessageText));
        Assert.True(again == 200, againBody.ToJsonString());
        Assert.Single(Directory.GetFiles(_handler.Outbox, "*.eml"), f => Path.GetFileName(f).StartsWith(r02, StringComparison.Ordinal));
        Assert.Equal(others + 1, Directory.GetFiles(_handler.Outbox, "*.eml").Length);
        Assert.Equal(("sent", 2), await StatusOfAsync(r02Key));
        review = (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value;
        Assert.Equal("dispatched", review.AlertState);
        Assert.Empty((await _handler.Storage.AlertQueue.PeekMessagesAsync(32)).Value);
        await _handler.Storage.AlertQueue.DeleteMessageAsync(handedOn.MessageId, handedOn.PopReceipt); // done, as the host would
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_channel_still_failing_on_a_messages_last_attempt_hands_its_alerts_on_to_a_later_message_instead_of_the_poison_queue(bool packed)
    {
        await RouteAsync("""[{"channel":"webhook","target":"URL","minSeverity":"medium"}]""");
        _receiver.Status = 404; // a failure the host's five quick retries do not get past
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var message = packed
            ? Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>()
            : await AlertForAsync("kanelitupa-kallio-r02");
        var count = MessageCodec.ReadAlerts(message).Count;
        Assert.Equal(packed ? 6 : 1, count);

        // The message's fifth and last attempt: the webhook still fails, and the message completes all the same.
        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(message, dequeueCount: 5));

        Assert.True(status == 200, body.ToJsonString());
        Assert.Contains($"{count} alert(s) still failing, handed on to retry later", body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(count, Directory.GetFiles(_handler.Outbox, "*.eml").Length); // the outbox channel did send
        var review = (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value;
        Assert.Equal("pending", review.AlertState); // still owed

        // The alerts wait in a new message, hidden for the first retry delay (2 s here), marked as retry 1.
        Assert.Empty((await _handler.Storage.AlertQueue.PeekMessagesAsync(32)).Value);
        var handedOn = await ReceiveAsync(TimeSpan.FromSeconds(30), text => MessageCodec.ReadAlerts(text).All(a => a.Retry == 1));
        var items = MessageCodec.ReadAlerts(handedOn.MessageText);
        Assert.Equal(MessageCodec.ReadAlerts(message).Select(a => a.ItemKey).Order(StringComparer.Ordinal), items.Select(a => a.ItemKey).Order(StringComparer.Ordinal));
        Assert.All(items, a => Assert.Equal(1, a.Retry));

        // The receiver is back: the retry sends each webhook alert once and nothing again to the outbox.
        _receiver.Status = 200;
        var before = _receiver.Requests.Count;
        var (again, againBody) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(handedOn.MessageText));

        Assert.True(again == 200, againBody.ToJsonString());
        Assert.Equal(count, _receiver.Requests.Count - before);
        var outboxRows = (await _handler.Storage.Notifications.QueryAsync<NotificationEntity>().ToListAsync()).Where(n => n.RowKey.Contains(".outbox-", StringComparison.Ordinal)).ToList();
        Assert.Equal(count, outboxRows.Count);
        Assert.All(outboxRows, n => Assert.Equal(("sent", 1), (n.Status, n.Attempts)));
        review = (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value;
        Assert.Equal("dispatched", review.AlertState);
        Assert.Empty((await _handler.Storage.AlertQueue.PeekMessagesAsync(32)).Value);
        await _handler.Storage.AlertQueue.DeleteMessageAsync(handedOn.MessageId, handedOn.PopReceipt); // done, as the host would
    }

    [Fact]
    public async Task An_alert_that_has_used_up_its_retries_fails_on_the_last_attempt_so_the_host_poisons_it_with_the_reason()
    {
        await RouteAsync("""[{"channel":"webhook","target":"URL","minSeverity":"medium"}]""");
        _receiver.Status = 404;
        var message = MessageCodec.Write(MessageCodec.ReadAlert(await AlertForAsync("kanelitupa-kallio-r02")) with { Retry = AlertDispatcher.MaxRetries });

        var queued = (await _handler.Storage.AlertQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount; // other tests' leftovers

        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(message, dequeueCount: 5));

        Assert.Equal(500, status);
        Assert.Contains("404", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(queued, (await _handler.Storage.AlertQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount); // not handed on
    }

    /// <summary>A claim of kanelitupa's notification left <paramref name="age"/> ago by an instance that died before sending.</summary>
    private Task ClaimAsDeadInstanceAsync(string notificationKey, TimeSpan age) =>
        _handler.Storage.Notifications.AddEntityAsync(new NotificationEntity
        {
            PartitionKey = "kanelitupa",
            RowKey = notificationKey,
            Status = "sending",
            ClaimedAt = _time.GetUtcNow() - age,
            Attempts = 1,
        });

    private async Task<(string Status, int Attempts)> StatusOfAsync(string notificationKey)
    {
        var row = (await _handler.Storage.Notifications.GetEntityAsync<NotificationEntity>("kanelitupa", notificationKey)).Value;
        return (row.Status, row.Attempts);
    }

    /// <summary>
    /// The next message of the alert queue (that <paramref name="match"/> accepts: others, left by earlier tests, are
    /// deleted), waiting in real time for one to become visible.
    /// </summary>
    private async Task<Azure.Storage.Queues.Models.QueueMessage> ReceiveAsync(TimeSpan timeout, Func<string, bool>? match = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if ((await _handler.Storage.AlertQueue.ReceiveMessageAsync(cancellationToken: deadline.Token)).Value is { } message)
            {
                if (match is null || match(message.MessageText))
                {
                    return message;
                }

                await _handler.Storage.AlertQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt, deadline.Token);
                continue;
            }

            await Task.Delay(200, deadline.Token);
        }
    }

    private async Task RouteAsync(string routes)
    {
        var business = (await _handler.Storage.Businesses.GetEntityAsync<BusinessEntity>("b", "kanelitupa")).Value;
        business.AlertRoutes = routes.Replace("URL", _receiver.Url("/hook"), StringComparison.Ordinal);
        await _handler.Storage.Businesses.UpdateEntityAsync(business, Azure.ETag.All);
    }

    private async Task<string> AlertForAsync(string reviewId)
    {
        var location = reviewId.Contains("kallio", StringComparison.Ordinal) ? "kanelitupa-kallio" : "kanelitupa-tammela";
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", location))));
        var alerts = HostPayloads.AlertItems(poll);
        return alerts.FirstOrDefault(a => a.Contains(reviewId, StringComparison.Ordinal))
            ?? MessageCodec.Write(ReviewWatch.Reviews.ReviewIngestor.AlertFor((await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>(location, reviewId)).Value));
    }

    /// <summary>
    /// A channel that takes <see cref="Takes"/> of the fake clock. The clock moves once, on the first call, and every
    /// call returns only after that, so no other channel call (whose timeout runs on the same clock) is in flight then.
    /// </summary>
    private sealed class SlowChannel(FakeTimeProvider time) : INotifier
    {
        private readonly TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public string Channel => "slow";

        public TimeSpan Takes { get; set; }

        public async Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                time.Advance(Takes);
                _moved.SetResult();
            }

            await _moved.Task.WaitAsync(cancellationToken);
            return "slow";
        }
    }
}
