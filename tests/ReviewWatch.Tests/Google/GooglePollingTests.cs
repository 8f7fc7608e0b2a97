using Microsoft.Extensions.DependencyInjection;
using ReviewWatch.Google;
using ReviewWatch.Google.Fake;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Reviews;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Google;

[Collection(AzuriteCollection.Name)]
public sealed class GooglePollingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private GoogleTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await GoogleTestBed.StartAsync(azurite.ConnectionString, new() { ["Google:AutoResolveOnPositiveEdit"] = "true", ["Google:PollRetryDelay"] = "00:00:01" });

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private void Seed(string locationName, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var stars = (i % 5) + 1;
            _bed.Google.PutReview(locationName, FakeGoogleApi.NewReview(locationName, $"r{i:D4}", stars, stars >= 4 ? "Hyvää kahvia, kiitos" : "Kahvi oli kylmää ja palvelu hidasta", Start.AddMinutes(i * 10)));
        }
    }

    [Fact]
    public async Task Poll_stores_500_reviews_over_10_pages_then_only_reads_the_first_page()
    {
        var location = await _bed.AddLocationAsync("100");
        Seed(location.SourceRef, 500);

        var first = await _bed.Poller.PollAsync(location);
        var second = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(10, first.Pages);
        Assert.Equal(500, first.Ingest.Added);
        Assert.Equal(500, (await _bed.ReviewsAsync(location)).Count);
        Assert.Equal(1, second.Pages);
        Assert.Equal(0, second.Ingest.Added);
        Assert.All(_bed.Google.Requests.Where(r => r.Contains("/reviews?", StringComparison.Ordinal)), r =>
        {
            Assert.Contains("pageSize=50", r, StringComparison.Ordinal);
            Assert.Contains("orderBy=updateTime%20desc", r, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_review_arriving_between_pages_3_and_4_is_ingested_exactly_once()
    {
        var location = await _bed.AddLocationAsync("101");
        Seed(location.SourceRef, 500);
        var late = FakeGoogleApi.NewReview(location.SourceRef, "late", 1, "Tilaus unohtui kokonaan", Start.AddDays(30));
        _bed.Google.AfterReviewsPage = (name, page) =>
        {
            if (page == 2)
            {
                _bed.Google.AfterReviewsPage = null;
                _bed.Google.PutReview(name, late);
            }
        };

        var first = await _bed.Poller.PollAsync(location);
        var second = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));
        var third = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));

        Assert.Equal(501, first.Ingest.Added + second.Ingest.Added + third.Ingest.Added);
        var stored = await _bed.ReviewsAsync(location);
        Assert.Equal(501, stored.Count);
        Assert.Single(stored, r => r.ReviewId == "late");
        Assert.Single(first.Ingest.Alerts.Concat(second.Ingest.Alerts).Concat(third.Ingest.Alerts).Distinct(), a => a.ItemKey == "late");
    }

    [Fact]
    public async Task With_429_on_30_percent_of_calls_every_review_is_still_ingested_exactly_once()
    {
        var location = await _bed.AddLocationAsync("102");
        Seed(location.SourceRef, 500);
        _bed.Google.Fault = call => (call % 10) is 1 or 4 or 7 ? 429 : null;

        var result = await _bed.Poller.PollAsync(location);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(500, result.Ingest.Added);
        Assert.Equal(500, (await _bed.ReviewsAsync(location)).Select(r => r.ReviewId).Distinct().Count());
        Assert.True(_bed.Google.ApiCalls >= 14, $"expected retried calls, saw {_bed.Google.ApiCalls}");
    }

    [Fact]
    public async Task PollLocation_function_polls_a_google_location_and_emits_alerts()
    {
        var location = await _bed.AddLocationAsync("103");
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "bad", 1, "Huono kokemus, kylmä ruoka", Start));
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "stars", 5, null, Start.AddMinutes(1)));

        var (status, body) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, _bed.BusinessId, location.LocationId, "schedule"))));

        Assert.Equal(200, status);
        var alert = Assert.Single(body["Outputs"]!["alertQueue"]!.AsArray());
        Assert.Equal("bad", MessageCodec.ReadAlert(alert!.GetValue<string>()).ItemKey);
        var ratingOnly = Assert.Single(await _bed.ReviewsAsync(location), r => r.ReviewId == "stars");
        Assert.Equal(5, ratingOnly.Rating);
        Assert.Equal(string.Empty, ratingOnly.Text);
        Assert.Equal("google", ratingOnly.Source);
    }

    [Fact]
    public async Task A_poll_still_failing_on_its_messages_last_attempt_is_handed_on_instead_of_poisoned_until_the_scheduler_asks_again()
    {
        var location = await _bed.AddLocationAsync("120");
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "bad", 1, "Huono kokemus, kylmä ruoka", Start));
        _bed.Google.Fault = _ => 503; // Google is down
        var request = new PollRequest(1, _bed.BusinessId, location.LocationId, "push", DateTimeOffset.UtcNow);

        // Early attempts fail, so the host retries them quickly.
        var (first, _) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(request)));
        Assert.Equal(500, first);

        // The last attempt the host allows: the request goes on in a new message, and this one completes.
        var (last, body) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(request), dequeueCount: 5));
        Assert.True(last == 200, body.ToJsonString());
        Assert.Contains("handed on to retry", body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var handedOn = await ReceivePollAsync(text => MessageCodec.ReadPollRequest(text).BusinessId == _bed.BusinessId);
        Assert.Equal(request with { Retry = 1 }, MessageCodec.ReadPollRequest(handedOn.MessageText));

        // A request as old as the scheduler's expiry (10 minutes) is let go without a new message: the scheduler asks again.
        var queued = (await _bed.Storage.PollQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var stale = request with { RequestedAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(11) };
        var (gone, goneBody) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(stale), dequeueCount: 5));
        Assert.True(gone == 200, goneBody.ToJsonString());
        Assert.Contains("not retried again", goneBody["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(queued, (await _bed.Storage.PollQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // Google is back: the handed-on request polls the location and finds the review.
        _bed.Google.Fault = null;
        var (again, againBody) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(handedOn.MessageText));
        Assert.True(again == 200, againBody.ToJsonString());
        Assert.Equal("bad", MessageCodec.ReadAlert(Assert.Single(againBody["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>()).ItemKey);
        await _bed.Storage.PollQueue.DeleteMessageAsync(handedOn.MessageId, handedOn.PopReceipt); // done, as the host would

        // A request for a location that does not exist is still poisoned on its last attempt (500), not handed on.
        var (missing, _) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(request with { LocationId = "nowhere" }), dequeueCount: 5));
        Assert.Equal(500, missing);
    }

    /// <summary>The next poll request <paramref name="match"/> accepts (others are left to reappear), waiting in real time.</summary>
    private async Task<Azure.Storage.Queues.Models.QueueMessage> ReceivePollAsync(Func<string, bool> match)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            foreach (var message in (await _bed.Storage.PollQueue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(5), deadline.Token)).Value)
            {
                if (match(message.MessageText))
                {
                    return message;
                }
            }

            await Task.Delay(200, deadline.Token);
        }
    }

    [Fact]
    public async Task The_scheduler_asks_again_for_a_location_only_once_its_last_requested_poll_has_started_or_expired()
    {
        var polled = await _bed.AddLocationAsync("107");
        var neverPolled = await _bed.AddLocationAsync("108");
        _bed.Google.PutReview(polled.SourceRef, FakeGoogleApi.NewReview(polled.SourceRef, "a", 5, "Hyvää kahvia", Start));
        await _bed.Poller.PollAsync(polled);
        async Task<(List<PollRequest> Ours, string Logs)> ScheduleAsync()
        {
            var (status, body) = await _bed.Handler.InvokeAsync("ScheduleReviewPolls", HostPayloads.Timer());
            Assert.Equal(200, status);
            var ours = body["Outputs"]!["pollQueue"]!.AsArray()
                .Select(m => MessageCodec.ReadPollRequest(m!.GetValue<string>()))
                .Where(r => r.BusinessId == _bed.BusinessId)
                .ToList();
            return (ours, body["Logs"]!.ToJsonString());
        }

        var first = await ScheduleAsync();
        var whileWaiting = await ScheduleAsync();

        Assert.Equal([polled.LocationId, neverPolled.LocationId], first.Ours.Select(r => r.LocationId).Order(StringComparer.Ordinal));
        Assert.All(first.Ours, r => Assert.NotNull(r.RequestedAt));
        Assert.Equal([neverPolled.LocationId], whileWaiting.Ours.Select(r => r.LocationId)); // no cursor yet: always asked
        Assert.Contains("still have a requested poll waiting", whileWaiting.Logs, StringComparison.Ordinal);

        // The request is taken up: the next tick asks again.
        await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(first.Ours.Single(r => r.LocationId == polled.LocationId))));
        Assert.Contains(polled.LocationId, (await ScheduleAsync()).Ours.Select(r => r.LocationId));

        // A request never taken up (its message lost) is asked again once it has waited PollRequestExpiry (10 min).
        var cursors = _bed.Handler.Services.GetRequiredService<GoogleStore>();
        await cursors.Cursors.UpdateEntityAsync(
            new Azure.Data.Tables.TableEntity(ReviewCursorEntity.Partition, polled.LocationId) { ["LastPollRequestedAt"] = DateTimeOffset.UtcNow.AddMinutes(-11) },
            Azure.ETag.All,
            Azure.Data.Tables.TableUpdateMode.Merge);
        Assert.Contains(polled.LocationId, (await ScheduleAsync()).Ours.Select(r => r.LocationId));
    }

    [Fact]
    public async Task Reviews_taken_to_be_new_but_already_stored_or_edited_are_still_stored_once()
    {
        // A poll that died after storing pages but before moving the watermark re-lists them as "newer than the
        // watermark": the insert-first path must meet the stored rows and fall back to reading them.
        var location = await _bed.AddLocationAsync("106");
        var ingestor = _bed.Handler.Services.GetRequiredService<ReviewIngestor>();
        var reviews = Enumerable.Range(0, 120)
            .Select(i => FakeGoogleApi.NewReview(location.SourceRef, $"n{i:D3}", (i % 5) + 1, i % 5 < 2 ? "Kahvi oli kylmää ja palvelu hidasta" : "Hyvää kahvia, kiitos", Start.AddMinutes(i)))
            .ToList();

        var first = await ingestor.IngestAsync(location, reviews, DateTimeOffset.MinValue);
        var replay = await ingestor.IngestAsync(location, reviews, DateTimeOffset.MinValue);
        var edited = reviews[3] with { StarRating = "ONE", Comment = "Muutin mieleni: kahvi oli kylmää", UpdateTime = Start.AddDays(1) };
        var fresh = FakeGoogleApi.NewReview(location.SourceRef, "n999", 1, "Tilaus unohtui kokonaan", Start.AddDays(1));
        var mixed = await ingestor.IngestAsync(location, [edited, fresh, reviews[0]], DateTimeOffset.MinValue);

        Assert.Equal((120, 0, 0), (first.Added, first.Updated, first.Unchanged));
        Assert.Equal(48, first.Alerts.Count);
        Assert.Equal((0, 0, 120), (replay.Added, replay.Updated, replay.Unchanged));
        Assert.Equal(first.Alerts.ToHashSet(), replay.Alerts.ToHashSet()); // still owed, so still emitted
        Assert.Equal((1, 1, 1), (mixed.Added, mixed.Updated, mixed.Unchanged));
        var stored = await _bed.ReviewsAsync(location);
        Assert.Equal(121, stored.Count);
        var rescored = Assert.Single(stored, r => r.ReviewId == "n003");
        Assert.Equal(1, rescored.Rating);
        Assert.Equal("pending", rescored.AlertState);
    }

    [Fact]
    public async Task A_poll_request_already_covered_by_a_later_poll_is_skipped_without_calling_Google()
    {
        var location = await _bed.AddLocationAsync("105");
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "first", 1, "Huono kokemus, kylmä ruoka", Start));
        async Task<(int Status, string Logs, int GoogleCalls, int Alerts)> PollAsync(DateTimeOffset? requestedAt)
        {
            var calls = _bed.Google.ApiCalls;
            var (status, body) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, _bed.BusinessId, location.LocationId, "schedule", requestedAt))));
            var alerts = body["Outputs"]?["alertQueue"] is System.Text.Json.Nodes.JsonArray queued ? queued.Count : 0;
            return (status, body["Logs"]!.ToJsonString(), _bed.Google.ApiCalls - calls, alerts);
        }

        // A backlog: two requests queued before the first poll ran (a scheduled one and a push).
        var queuedEarly = DateTimeOffset.UtcNow;
        var polled = await PollAsync(queuedEarly);
        var covered = await PollAsync(queuedEarly.AddMilliseconds(-1));

        Assert.Equal(200, polled.Status);
        Assert.True(polled.GoogleCalls >= 1);
        Assert.Equal(1, polled.Alerts);
        Assert.Equal(200, covered.Status);
        Assert.Equal(0, covered.GoogleCalls);
        Assert.Equal(0, covered.Alerts);
        Assert.Contains("skipped", covered.Logs, StringComparison.Ordinal);

        // A request made after that poll started is polled, and finds the review that arrived meanwhile.
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "second", 1, "Tilaus unohtui kokonaan", Start.AddMinutes(5)));
        var later = await PollAsync(DateTimeOffset.UtcNow);
        Assert.True(later.GoogleCalls >= 1);
        Assert.Contains(await _bed.ReviewsAsync(location), r => r.ReviewId == "second");

        // A request without a time (an older message, one written by hand) is always polled.
        var untimed = await PollAsync(null);
        Assert.True(untimed.GoogleCalls >= 1);
    }

    [Fact]
    public async Task The_translation_envelope_is_split_into_the_original_which_is_analysed_and_the_translation_kept()
    {
        var location = await _bed.AddLocationAsync("104");
        const string comment = "(Translated by Google) The cinnamon buns were dry and the service was slow\n\n(Original)\nKorvapuustit olivat kuivia ja palvelu oli hidasta";
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "tr", 2, comment, Start));

        await _bed.Poller.PollAsync(location);

        var review = Assert.Single(await _bed.ReviewsAsync(location));
        Assert.Equal("Korvapuustit olivat kuivia ja palvelu oli hidasta", review.Text);
        Assert.Equal("The cinnamon buns were dry and the service was slow", review.TranslatedText);
        Assert.Equal("fi", review.Language);
    }

    [Fact]
    public async Task An_edit_is_rescored_recorded_on_the_case_and_a_rating_raised_after_our_reply_resolves_it()
    {
        var location = await _bed.AddLocationAsync("105");
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "e1", 1, "Kahvi oli kylmää ja palvelu töykeää", Start));
        var first = await _bed.Poller.PollAsync(location);
        var recoveryCase = Assert.Single(await _bed.DispatchAsync(first.Ingest.Alerts));
        var stored = Assert.Single(await _bed.ReviewsAsync(location));
        var reply = await _bed.Publisher.PublishAsync(location, stored, "Pahoittelut, Anna ottaa sinuun yhteyttä.");
        Assert.True(reply.Published, reply.Reason);

        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "e1", 5, "Erinomainen palvelu, kiitos nopeasta korjauksesta!", Start.AddDays(2)));
        var edit = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));

        Assert.Equal(1, edit.Ingest.Updated);
        var review = Assert.Single(await _bed.ReviewsAsync(location));
        Assert.Equal(5, review.Rating);
        Assert.Equal("positive", review.Sentiment);
        Assert.False(review.Flagged);
        var events = await new CaseService(_bed.Storage, TimeProvider.System).EventsAsync(recoveryCase);
        Assert.Single(events, e => e.Type == "edited");
        Assert.Equal("from 1 to 5", Assert.Single(events, e => e.Type == "rating-changed").Details);
        Assert.Single(events, e => e.Type == "resolved");
        var after = (await _bed.Storage.Cases.GetEntityAsync<RecoveryCase>(_bed.BusinessId, recoveryCase.CaseId)).Value;
        Assert.Equal(CaseStatus.Resolved, after.Status);

        // The same edit seen again changes nothing.
        var again = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));
        Assert.Equal(0, again.Ingest.Updated);
        Assert.Equal(events.Count, (await new CaseService(_bed.Storage, TimeProvider.System).EventsAsync(recoveryCase)).Count);
    }

    [Fact]
    public async Task Reconciliation_marks_removed_reviews_and_alerts_the_owner_once_for_a_positive_one()
    {
        var location = await _bed.AddLocationAsync("106");
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "pos", 5, "Paras pulla!", Start));
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "neg", 2, "Liian kallista", Start.AddMinutes(1)));
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "stay", 4, "Ihan hyvä", Start.AddMinutes(2)));
        await _bed.Poller.PollAsync(location);
        _bed.Google.RemoveReview(location.SourceRef, "pos");
        _bed.Google.RemoveReview(location.SourceRef, "neg");

        var first = await _bed.Poller.ReconcileAsync(await _bed.ReloadAsync(location));
        var marked = (await _bed.ReviewsAsync(location)).ToDictionary(r => r.ReviewId);
        var second = await _bed.Poller.ReconcileAsync(await _bed.ReloadAsync(location));

        Assert.Equal(2, first.Removed);
        Assert.Equal(0, second.Removed);
        Assert.NotNull(marked["pos"].RemovedAt);
        Assert.NotNull(marked["neg"].RemovedAt);
        Assert.Null(marked["stay"].RemovedAt);
        Assert.Equal(marked["pos"].RemovedAt, (await _bed.ReviewsAsync(location)).Single(r => r.ReviewId == "pos").RemovedAt);
        var email = Assert.Single(_bed.OutboxFiles("google-removed-*.eml"));
        Assert.Contains("pos", Path.GetFileName(email), StringComparison.Ordinal);
        Assert.Contains("Paras pulla!", await File.ReadAllTextAsync(email), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconciliation_does_not_purge_a_location_when_Google_suddenly_lists_nothing()
    {
        var location = await _bed.AddLocationAsync("107");
        for (var i = 0; i < 10; i++)
        {
            _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, $"r{i}", 5, "Hyvä paikka", Start.AddMinutes(i)));
        }

        await _bed.Poller.PollAsync(location);
        for (var i = 0; i < 10; i++)
        {
            _bed.Google.RemoveReview(location.SourceRef, $"r{i}");
        }

        var result = await _bed.Poller.ReconcileAsync(await _bed.ReloadAsync(location));

        Assert.Equal(0, result.Removed);
        Assert.All(await _bed.ReviewsAsync(location), r => Assert.Null(r.RemovedAt));
        Assert.Empty(_bed.OutboxFiles("google-removed-*.eml"));
    }

    [Fact]
    public async Task A_forbidden_location_is_marked_and_logged_while_the_others_are_polled()
    {
        var denied = await _bed.AddLocationAsync("107");
        var fine = await _bed.AddLocationAsync("108");
        _bed.Google.LocationFailures[denied.SourceRef] = 403;
        _bed.Google.PutReview(fine.SourceRef, FakeGoogleApi.NewReview(fine.SourceRef, "ok", 5, "Hyvä", Start));

        var (deniedStatus, deniedBody) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, _bed.BusinessId, denied.LocationId))));
        var (fineStatus, _) = await _bed.Handler.InvokeAsync("PollLocation", HostPayloads.Queue(MessageCodec.Write(new PollRequest(1, _bed.BusinessId, fine.LocationId))));

        Assert.Equal(200, deniedStatus);
        Assert.Contains(deniedBody["Logs"]!.AsArray(), l => l!.GetValue<string>().Contains(denied.LocationId, StringComparison.Ordinal) && l.GetValue<string>().Contains("PERMISSION_DENIED", StringComparison.Ordinal));
        var marked = await _bed.ReloadAsync(denied);
        Assert.Equal("forbidden", marked.ConnectionStatus);
        Assert.Contains("403", marked.LastError, StringComparison.Ordinal);
        Assert.Equal(200, fineStatus);
        Assert.Single(await _bed.ReviewsAsync(fine));
        Assert.Empty(_bed.OutboxFiles("google-reconnect-*.eml"));
    }
}
