using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Contract;

/// <summary>
/// Each function's contract with the Functions host: the captured host payloads in, {Outputs, Logs, ReturnValue}
/// out, and the effect in real (Azurite) storage.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionContractTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private HandlerUnderTest _handler = null!;

    public async Task InitializeAsync() => _handler = await HandlerUnderTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _handler.DisposeAsync();

    [Fact]
    public async Task Readiness_probe_GET_root_answers()
    {
        using var response = await _handler.Client.GetAsync("/");

        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task ScheduleReviewPolls_fans_out_one_poll_request_per_location()
    {
        await _handler.SeedSampleAsync();

        var (status, body) = await _handler.InvokeAsync("ScheduleReviewPolls", HostPayloads.Timer());

        Assert.Equal(200, status);
        var messages = body["Outputs"]!["pollQueue"]!.AsArray().Select(m => MessageCodec.ReadPollRequest(m!.GetValue<string>())).ToList();
        Assert.Equal(["kanelitupa-kallio", "kanelitupa-tammela"], messages.Select(m => m.LocationId).Order());
        Assert.All(messages, m => Assert.Equal("kanelitupa", m.BusinessId));
        Assert.Contains(body["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains("2 locations", StringComparison.Ordinal));
        Assert.True(body.ContainsKey("ReturnValue"));
    }

    [Theory]
    [InlineData("timer-every-minute-first-run.json")]
    [InlineData("timer-every-minute-past-due.json")]
    [InlineData("timer-use-monitor-sub-minute.json")]
    public async Task ScheduleReviewPolls_accepts_every_captured_timer_shape(string capture)
    {
        var (status, body) = await _handler.InvokeAsync("ScheduleReviewPolls", HostPayloads.Timer(capture: capture));

        Assert.Equal(200, status);
        Assert.NotNull(body["Outputs"]);
    }

    [Fact]
    public async Task PollLocation_stores_reviews_and_emits_one_alert_per_negative_review()
    {
        await _handler.SeedSampleAsync();
        var message = MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"));

        var (status, body) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(message));

        Assert.Equal(200, status);
        // The location's six alerts travel in one message: one send, receive and delete instead of six.
        var packed = Assert.Single(body["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();
        var alerts = MessageCodec.ReadAlerts(packed);
        Assert.Equal(
            ["kanelitupa-kallio-r02", "kanelitupa-kallio-r05", "kanelitupa-kallio-r07", "kanelitupa-kallio-r10", "kanelitupa-kallio-r13", "kanelitupa-kallio-r16"],
            alerts.Select(a => a.ItemKey).Order());
        var stored = await CountAsync(_handler.Storage.Reviews, "kanelitupa-kallio");
        Assert.Equal(20, stored);
    }

    [Fact]
    public async Task PollLocation_reads_the_documentation_style_payload_too()
    {
        // Learn's sample shows the message and DequeueCount unencoded; the handler must accept both forms.
        await _handler.SeedSampleAsync();
        var message = MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-tammela"));
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject { ["msg"] = message },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = 1, ["Id"] = "plain-id" },
        }.ToJsonString();

        var (status, body) = await _handler.InvokeAsync("PollLocation", payload);

        Assert.Equal(200, status);
        Assert.Equal(4, HostPayloads.AlertItems(body).Count);
    }

    [Fact]
    public async Task PollLocation_twice_stores_nothing_new_and_re_emits_only_alerts_still_owed()
    {
        await _handler.SeedSampleAsync();
        var message = HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio")));
        await _handler.InvokeAsync("PollLocation", message);

        var (_, second) = await _handler.InvokeAsync("PollLocation", message);

        // The alerts were never dispatched, so they are still owed: a crash between store and enqueue loses nothing.
        Assert.Equal(6, HostPayloads.AlertItems(second).Count);
        Assert.Contains(second["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains("0 new, 0 updated, 20 unchanged", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("queue-trigger-base64-plain-string.json", "not valid JSON")]
    [InlineData("queue-trigger-base64-json-array.json", "not valid JSON")]
    public async Task PollLocation_rejects_a_message_that_is_not_a_poll_request_with_the_reason(string capture, string reason)
    {
        var payload = TestPaths.HostPayload(capture);

        var (status, body) = await _handler.InvokeAsync("PollLocation", payload);

        Assert.Equal(500, status); // the host retries, then moves it to poll-requests-poison
        Assert.Contains(reason, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"v":1,"businessId":"kanelitupa"}""", "missing required field 'locationId'")]
    [InlineData("""{"v":2,"businessId":"kanelitupa","locationId":"x"}""", "unsupported message version 2")]
    [InlineData("""{"v":1,"businessId":"nobody","locationId":"nowhere"}""", "does not exist")]
    public async Task PollLocation_names_what_is_wrong_with_a_bad_message(string message, string reason)
    {
        var (status, body) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(message));

        Assert.Equal(500, status);
        Assert.Contains(reason, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"Data\":42}")]
    public async Task A_malformed_invocation_body_gets_400_naming_the_problem(string payload)
    {
        var (status, body) = await _handler.InvokeAsync("PollLocation", payload);

        Assert.Equal(400, status);
        Assert.False(string.IsNullOrWhiteSpace(body["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DispatchAlert_opens_one_case_and_writes_one_alert_however_often_it_is_delivered()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var alert = HostPayloads.AlertItems(poll).First(a => a.Contains("kallio-r07", StringComparison.Ordinal));

        var first = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert));
        var second = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert, dequeueCount: 2));

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        var cases = await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync();
        var only = Assert.Single(cases);
        Assert.Equal("critical", only.Severity); // hair in the bread: hygiene
        Assert.Equal(CaseStatus.New, only.Status);
        Assert.Contains("Laura", only.DraftReply, StringComparison.Ordinal);
        var file = Assert.Single(Directory.GetFiles(_handler.Outbox, "*.eml"));
        Assert.Contains(only.CaseId, file, StringComparison.Ordinal);
        var review = await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r07");
        Assert.Equal("dispatched", review.Value.AlertState);

        // Once dispatched, a new poll no longer owes that alert.
        var (_, again) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        Assert.DoesNotContain(HostPayloads.AlertItems(again), a => a.Contains("kallio-r07", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DispatchAlert_takes_over_an_alert_whose_sender_died_mid_send()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var alert = HostPayloads.AlertItems(poll).First(a => a.Contains("kallio-r02", StringComparison.Ordinal));
        var caseId = RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r02");
        // A claim left by an instance killed after claiming but before sending, older than the 30 s lease.
        await _handler.Storage.Notifications.AddEntityAsync(new NotificationEntity
        {
            PartitionKey = "kanelitupa",
            RowKey = NotificationEntity.RowKeyFor(caseId, "outbox-high"),
            Status = "sending",
            ClaimedAt = DateTimeOffset.UtcNow.AddSeconds(-31),
            Attempts = 1,
        });

        var (status, _) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert));

        Assert.Equal(200, status);
        var notification = await _handler.Storage.Notifications.GetEntityAsync<NotificationEntity>("kanelitupa", NotificationEntity.RowKeyFor(caseId, "outbox-high"));
        Assert.Equal("sent", notification.Value.Status);
        Assert.Equal(2, notification.Value.Attempts);
        Assert.Single(Directory.GetFiles(_handler.Outbox, "*.eml"));
    }

    [Fact]
    public async Task DispatchAlert_for_a_review_that_does_not_exist_is_a_permanent_failure_with_a_reason()
    {
        var message = MessageCodec.Write(new AlertMessage(1, "kanelitupa", "review", "kanelitupa-kallio", "missing", "high"));

        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(message, dequeueCount: 5));

        Assert.Equal(500, status);
        Assert.Contains("does not exist", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DispatchAlert_of_a_packed_message_opens_every_case_once_however_often_it_is_delivered()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var packed = Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();

        var first = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed));
        var second = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed, dequeueCount: 2));

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Contains("6 cases:", first.Body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var cases = await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync();
        Assert.Equal(
            ["kanelitupa-kallio-r02", "kanelitupa-kallio-r05", "kanelitupa-kallio-r07", "kanelitupa-kallio-r10", "kanelitupa-kallio-r13", "kanelitupa-kallio-r16"],
            cases.Select(c => c.ItemKey).Order());
        var files = Directory.GetFiles(_handler.Outbox, "*.eml");
        Assert.Equal(6, files.Length);
        Assert.All(cases, c => Assert.Single(files, f => Path.GetFileName(f).StartsWith(c.CaseId, StringComparison.Ordinal)));
        var reviews = await _handler.Storage.Reviews.QueryAsync<ReviewEntity>(r => r.PartitionKey == "kanelitupa-kallio").ToListAsync();
        Assert.Equal(6, reviews.Count(r => r.AlertState == "dispatched"));
    }

    [Fact]
    public async Task DispatchAlert_of_a_packed_message_whose_alerts_cannot_all_be_claimed_together_claims_each_and_sends_none_twice()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var packed = Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();
        // r07's case is new, but its (critical) alert is recorded as sent already: a row that outlived a deleted case.
        var r07 = RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r07");
        await _handler.Storage.Notifications.AddEntityAsync(new NotificationEntity
        {
            PartitionKey = "kanelitupa",
            RowKey = NotificationEntity.RowKeyFor(r07, "outbox-critical"),
            Status = "sent",
            ClaimedAt = DateTimeOffset.UtcNow,
            SentAt = DateTimeOffset.UtcNow,
            Attempts = 1,
        });

        var (status, _) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed));

        Assert.Equal(200, status);
        Assert.Equal(6, (await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync()).Count);
        var files = Directory.GetFiles(_handler.Outbox, "*.eml").Select(Path.GetFileName).ToList();
        Assert.Equal(5, files.Count);
        Assert.DoesNotContain(files, f => f!.StartsWith(r07, StringComparison.Ordinal));
        var notifications = await _handler.Storage.Notifications.QueryAsync<NotificationEntity>().ToListAsync();
        Assert.Equal(6, notifications.Count);
        Assert.All(notifications, n => Assert.Equal(("sent", 1), (n.Status, n.Attempts)));
    }

    [Fact]
    public async Task DispatchAlert_of_a_packed_message_whose_cases_are_partly_open_already_opens_the_rest_and_every_history_starts_with_created()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var packed = Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();
        // r02 was dispatched on its own earlier; r05's case was opened by an instance that died before anything else.
        await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(HostPayloads.AlertItems(poll).Single(a => a.Contains("kallio-r02", StringComparison.Ordinal))));
        var r05 = RecoveryCase.IdFor("review", "kanelitupa-kallio", "kanelitupa-kallio-r05");
        await _handler.Storage.Cases.AddEntityAsync(new RecoveryCase
        {
            PartitionKey = "kanelitupa", RowKey = r05, LocationId = "kanelitupa-kallio", ItemKind = "review", ItemKey = "kanelitupa-kallio-r05",
            Severity = "high", Status = CaseStatus.New, CreatedAt = DateTimeOffset.UtcNow, DueAt = DateTimeOffset.UtcNow.AddHours(4),
        });

        var (status, _) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed));

        Assert.Equal(200, status);
        var cases = await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync();
        Assert.Equal(6, cases.Count);
        Assert.Equal(6, Directory.GetFiles(_handler.Outbox, "*.eml").Length);
        var service = new CaseService(_handler.Storage, TimeProvider.System);
        foreach (var c in cases)
        {
            // Opening a case writes no event row: "created" is the case row itself, so a crash cannot leave it out.
            var events = await service.EventsAsync(c);
            Assert.Equal("created", events[0].Type);
            Assert.Single(events, e => e.Type == "created");
            Assert.Equal(c.CreatedAt, events[0].At);
        }

        Assert.Empty(await _handler.Storage.CaseEvents.QueryAsync<ReviewWatch.Storage.CaseEventEntity>(e => e.Type == "created").ToListAsync());
    }

    [Fact]
    public async Task DispatchAlert_of_a_packed_message_with_one_bad_item_dispatches_the_others_and_names_the_bad_one()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var items = MessageCodec.ReadAlerts(Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>()).Take(2)
            .Append(new AlertMessage(1, "kanelitupa", "review", "kanelitupa-kallio", "missing", "high"));
        var packed = Assert.Single(MessageCodec.WriteAlerts(items));

        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed));

        Assert.Equal(500, status);
        var error = body["error"]!.GetValue<string>();
        Assert.Contains("1 of 3 alerts failed", error, StringComparison.Ordinal);
        Assert.Contains("kanelitupa-kallio/missing", error, StringComparison.Ordinal);
        Assert.True(body["permanent"]!.GetValue<bool>());
        Assert.Equal(2, (await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync()).Count);
        Assert.Equal(2, Directory.GetFiles(_handler.Outbox, "*.eml").Length);
    }

    [Theory]
    [InlineData("""{"v":1,"businessId":"kanelitupa","items":[]}""", "'items' must hold 1 to 25 alerts, not 0")]
    [InlineData("""{"v":1,"businessId":"kanelitupa","items":[null]}""", "items[0] is null")]
    [InlineData("""{"v":1,"businessId":"kanelitupa","items":[{"itemKind":"review","itemPartition":"kanelitupa-kallio"}]}""", "missing required field 'items[0].itemKey'")]
    [InlineData("""{"v":1,"items":[{"itemKind":"review","itemPartition":"p","itemKey":"k"}]}""", "missing required field 'businessId'")]
    [InlineData("""{"v":2,"businessId":"kanelitupa","items":[{"itemKind":"review","itemPartition":"p","itemKey":"k"}]}""", "unsupported message version 2")]
    [InlineData("""{"v":1,"businessId":"kanelitupa","items":{"itemKind":"review"}}""", "not valid JSON for AlertEnvelope")]
    [InlineData("""{"v":1,"businessId":"kanelitupa","items":[{"itemKind":"review","itemPartition":"p","itemKey":"k","severity":"none","item":{"text":"","author":"","rating":1,"language":"fi","touchpoints":"[]","createdAt":"2026-11-23T09:00:00Z"}}]}""", "items[0] carries its item, so its severity must be medium, high or critical, not 'none'")]
    [InlineData("""{"v":1,"businessId":"kanelitupa","items":[{"itemKind":"review","itemPartition":"p","itemKey":"k","severity":"high","item":{"text":null,"rating":1}}]}""", "the item of items[0] must carry text, author, language and touchpoints as strings")]
    public async Task DispatchAlert_refuses_a_malformed_packed_message_permanently_with_the_reason(string message, string reason)
    {
        var (status, body) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(message));

        Assert.Equal(500, status);
        Assert.Contains(reason, body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(body["permanent"]!.GetValue<bool>());
    }

    [Fact]
    public void Alerts_are_packed_per_business_at_most_25_to_a_message_and_read_back_in_order()
    {
        var alerts = Enumerable.Range(0, 60).Select(i => new AlertMessage(1, i % 3 == 0 ? "b" : "a", "review", "loc", $"r{i:00}", "high")).ToList();

        var messages = MessageCodec.WriteAlerts(alerts).ToList();

        // b (first seen): 20 items → 20; a: 40 items → 25 + 15
        Assert.Equal([20, 25, 15], messages.Select(m => MessageCodec.ReadAlerts(m).Count));
        Assert.Equal(alerts.Where(a => a.BusinessId == "b").Concat(alerts.Where(a => a.BusinessId == "a")), messages.SelectMany(MessageCodec.ReadAlerts));
        var lone = Assert.Single(MessageCodec.WriteAlerts([alerts[0]]));
        Assert.Equal(alerts[0], MessageCodec.ReadAlert(lone)); // a batch of one stays a plain AlertMessage
        Assert.Throws<InvalidMessageException>(() => MessageCodec.ReadAlerts(
            $$"""{"v":1,"businessId":"a","items":[{{string.Join(",", Enumerable.Repeat("""{"itemKind":"review","itemPartition":"p","itemKey":"k"}""", 26))}}]}"""));
    }

    [Fact]
    public void Alerts_carry_their_items_and_are_packed_to_fit_a_queue_message()
    {
        // Long Finnish reviews: JSON escapes every ä and ö, so 3,000 characters take well over 3,000 bytes.
        var text = string.Concat(Enumerable.Repeat("Kahvi oli jäähtynyt ja myyjä töykeä. ", 80));
        var alerts = Enumerable.Range(0, 25)
            .Select(i => new AlertMessage(1, "a", "review", "loc", $"r{i:00}", "high", new AlertSnapshot(text, "Aino", 1, "fi", "[]", DateTimeOffset.UnixEpoch)))
            .Append(new AlertMessage(1, "a", "review", "loc", "huge", "critical", new AlertSnapshot(new string('ä', 20_000), "Aino", 1, "fi", "[]", DateTimeOffset.UnixEpoch)))
            .ToList();

        var messages = MessageCodec.WriteAlerts(alerts).ToList();

        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(m), 1, MessageCodec.MaxAlertMessageBytes));
        // Base64, as the host writes queue messages, still fits the service's 64 KiB.
        Assert.All(messages, m => Assert.True(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(m)).Length <= 64 * 1024));
        var read = messages.SelectMany(MessageCodec.ReadAlerts).ToList();
        Assert.Equal(alerts.Take(25), read.Take(25)); // every item, in order, with what it carries
        Assert.Equal(alerts[25] with { Item = null }, read[25]); // too large to carry: the dispatcher reads it
    }

    [Fact]
    public async Task DispatchAlert_opens_cases_from_what_the_message_carries_without_reading_the_reviews_back()
    {
        await _handler.SeedSampleAsync();
        var (_, poll) = await _handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, "kanelitupa", "kanelitupa-kallio"))));
        var packed = Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();
        Assert.All(MessageCodec.ReadAlerts(packed), a => Assert.NotNull(a.Item));
        // The rows change after the poll: a case opened from the message still shows the review as it was flagged.
        var r02 = (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value;
        var flagged = r02.Text;
        r02.Text = "changed in storage";
        await _handler.Storage.Reviews.UpdateEntityAsync(r02, Azure.ETag.All);

        var (status, _) = await _handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(packed));

        Assert.Equal(200, status);
        var cases = await _handler.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync();
        Assert.Equal(6, cases.Count);
        Assert.Equal(flagged, cases.Single(c => c.ItemKey == "kanelitupa-kallio-r02").ItemText);
        Assert.Equal("changed in storage", (await _handler.Storage.Reviews.GetEntityAsync<ReviewEntity>("kanelitupa-kallio", "kanelitupa-kallio-r02")).Value.Text);
        var reviews = await _handler.Storage.Reviews.QueryAsync<ReviewEntity>(r => r.PartitionKey == "kanelitupa-kallio").ToListAsync();
        Assert.Equal(6, reviews.Count(r => r.AlertState == "dispatched" && r.CaseId.Length > 0));
    }

    [Fact]
    public async Task WeeklyDigest_stores_last_weeks_digest_once_per_business()
    {
        await _handler.SeedSampleAsync();

        var first = await _handler.InvokeAsync("WeeklyDigest", HostPayloads.Timer());
        var second = await _handler.InvokeAsync("WeeklyDigest", HostPayloads.Timer());

        Assert.Equal(200, first.Status);
        Assert.Contains("1 new digests", first.Body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("0 new digests", second.Body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var digests = await _handler.Storage.Digests.QueryAsync<TableEntity>().ToListAsync();
        Assert.Equal("sent", Assert.Single(digests).GetString("Status"));
        Assert.Single(Directory.GetFiles(_handler.Outbox, "digest-kanelitupa-*.eml")); // and sent once
    }

    [Fact]
    public async Task Health_answers_ok_when_storage_is_reachable()
    {
        using var response = await _handler.Client.GetAsync("/api/health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("ok", body["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_answers_503_with_the_reason_once_storage_has_gone_away()
    {
        var own = await ReviewWatch.DevHost.Local.AzuriteServer.StartAsync();
        await using var handler = await HandlerUnderTest.StartAsync(own.ConnectionString);
        using (var up = await handler.Client.GetAsync("/api/health"))
        {
            Assert.Equal(200, (int)up.StatusCode);
        }

        await own.DisposeAsync(); // storage is gone; the handler stays up
        using var down = await handler.Client.GetAsync("/api/health");
        var body = JsonNode.Parse(await down.Content.ReadAsStringAsync())!;

        Assert.Equal(503, (int)down.StatusCode);
        Assert.Equal("degraded", body["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["storage"]!.GetValue<string>()));
        Assert.NotEqual("ok", body["storage"]!.GetValue<string>());
    }

    private static async Task<int> CountAsync(TableClient table, string partition)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            count++;
        }

        return count;
    }
}

internal static class AsyncEnumerableExtensions
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
