using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ReviewWatch.Google.Fake;
using ReviewWatch.Messaging;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Google;

[Collection(AzuriteCollection.Name)]
public sealed class GoogleAuthAndReplyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private GoogleTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await GoogleTestBed.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_401_is_answered_with_one_token_refresh_and_the_call_succeeds()
    {
        var location = await _bed.AddLocationAsync("200");
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "a", 5, "Hyvä", Start));
        await _bed.Poller.PollAsync(location); // first token
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, "b", 4, "Ihan hyvä", Start.AddHours(1)));
        _bed.Google.UnauthorizedResponses = 1;

        var result = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1, result.Ingest.Added);
        Assert.Equal(2, _bed.Google.TokenRequests);
        Assert.NotEqual("reconnect", (await _bed.ReloadAsync(location)).ConnectionStatus);
    }

    [Fact]
    public async Task A_second_401_marks_the_location_reconnect_and_alerts_the_owner_once()
    {
        var location = await _bed.AddLocationAsync("201");
        var other = await _bed.AddLocationAsync("202");
        _bed.Google.UnauthorizedResponses = 2;
        var first = await _bed.Poller.PollAsync(location);
        var email = Assert.Single(_bed.OutboxFiles("google-reconnect-*.eml"));
        var written = File.GetLastWriteTimeUtc(email);

        _bed.Google.UnauthorizedResponses = 2;
        var second = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));

        Assert.False(first.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Contains("401", first.Error, StringComparison.Ordinal);
        var marked = await _bed.ReloadAsync(location);
        Assert.Equal("reconnect", marked.ConnectionStatus);
        Assert.Contains("UNAUTHENTICATED", marked.LastError, StringComparison.Ordinal);
        Assert.Single(_bed.OutboxFiles("google-reconnect-*.eml"));
        Assert.Equal(written, File.GetLastWriteTimeUtc(email));
        Assert.Contains("reconnect", await File.ReadAllTextAsync(email), StringComparison.OrdinalIgnoreCase);

        // Once Google accepts us again the location is healthy and polls on.
        var healed = await _bed.Poller.PollAsync(await _bed.ReloadAsync(location));
        Assert.True(healed.Succeeded, healed.Error);
        Assert.Equal("ok", (await _bed.ReloadAsync(location)).ConnectionStatus);
        Assert.Equal(string.Empty, (await _bed.ReloadAsync(other)).ConnectionStatus);
    }

    [Fact]
    public async Task A_valid_push_queues_an_immediate_poll_and_a_redelivery_is_ignored()
    {
        var location = await _bed.AddLocationAsync("300");
        var token = _bed.Google.CreatePushToken(GoogleTestBed.Audience, DateTimeOffset.UtcNow.AddMinutes(30));
        var messageId = "m-" + Guid.NewGuid().ToString("N");
        // The v1 doc's snake_case spelling.
        var body = FakeGoogleApi.PushBody(messageId, $$"""{"type":"NEW_REVIEW","review_name":"{{location.SourceRef}}/reviews/x1","location_name":"{{location.SourceRef}}"}""");

        var first = await PushAsync(body, token);
        var again = await PushAsync(body, token);

        Assert.Equal(HttpStatusCode.NoContent, first);
        Assert.Equal(HttpStatusCode.NoContent, again);
        var polls = (await PollRequestsAsync()).Where(p => p.LocationId == location.LocationId).ToList();
        var poll = Assert.Single(polls);
        Assert.Equal("push", poll.Reason);
        Assert.Equal(_bed.BusinessId, poll.BusinessId);
    }

    [Fact]
    public async Task A_push_in_camelCase_with_only_the_review_name_is_understood()
    {
        var location = await _bed.AddLocationAsync("301");
        var token = _bed.Google.CreatePushToken(GoogleTestBed.Audience, DateTimeOffset.UtcNow.AddMinutes(30));
        var body = FakeGoogleApi.PushBody("m-" + Guid.NewGuid().ToString("N"), $$"""{"notificationType":"UPDATED_REVIEW","reviewName":"{{location.SourceRef}}/reviews/x2"}""");

        Assert.Equal(HttpStatusCode.NoContent, await PushAsync(body, token));
        Assert.Single(await PollRequestsAsync(), p => p.LocationId == location.LocationId);
    }

    [Fact]
    public async Task A_push_with_an_expired_token_is_refused()
    {
        var location = await _bed.AddLocationAsync("302");
        var token = _bed.Google.CreatePushToken(GoogleTestBed.Audience, DateTimeOffset.UtcNow.AddMinutes(-10));
        var body = FakeGoogleApi.PushBody("m-" + Guid.NewGuid().ToString("N"), $$"""{"type":"NEW_REVIEW","reviewName":"{{location.SourceRef}}/reviews/x3"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(body, token));
        Assert.DoesNotContain(await PollRequestsAsync(), p => p.LocationId == location.LocationId);
    }

    [Fact]
    public async Task A_push_signed_with_another_key_is_refused()
    {
        var location = await _bed.AddLocationAsync("303");
        using var forger = RSA.Create(2048);
        var token = _bed.Google.CreatePushToken(GoogleTestBed.Audience, DateTimeOffset.UtcNow.AddMinutes(30), key: forger);
        var body = FakeGoogleApi.PushBody("m-" + Guid.NewGuid().ToString("N"), $$"""{"type":"NEW_REVIEW","reviewName":"{{location.SourceRef}}/reviews/x4"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(body, token));
        Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(body, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(body, _bed.Google.CreatePushToken("https://someone-else.example", DateTimeOffset.UtcNow.AddMinutes(30))));
        Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(body, _bed.Google.CreatePushToken(GoogleTestBed.Audience, DateTimeOffset.UtcNow.AddMinutes(30), email: "intruder@example.com")));
        Assert.DoesNotContain(await PollRequestsAsync(), p => p.LocationId == location.LocationId);
    }

    [Fact]
    public async Task A_reply_over_4096_bytes_is_refused_before_any_call_to_Google()
    {
        var location = await _bed.AddLocationAsync("400");
        var review = await StoredReviewAsync(location, "r1");
        var calls = _bed.Google.ApiCalls;
        var text = new string('ä', 2049); // 4,098 bytes in UTF-8, but only 2,049 characters

        var result = await _bed.Publisher.PublishAsync(location, review, text);

        Assert.False(result.Published);
        Assert.Contains("4098 bytes", result.Reason, StringComparison.Ordinal);
        Assert.Equal(calls, _bed.Google.ApiCalls);
    }

    [Fact]
    public async Task A_posted_reply_stores_what_we_sent_and_Googles_echo_and_can_be_deleted()
    {
        var location = await _bed.AddLocationAsync("401");
        var review = await StoredReviewAsync(location, "r2");

        var result = await _bed.Publisher.PublishAsync(location, review, "Kiitos palautteesta!");

        Assert.True(result.Published, result.Reason);
        Assert.Equal("Kiitos palautteesta!", result.EchoText);
        Assert.NotNull(result.EchoTime);
        Assert.Contains(_bed.Google.Requests, r => r == $"PUT /v4/{location.SourceRef}/reviews/r2/reply");
        var stored = (await _bed.Storage.Reviews.GetEntityAsync<ReviewEntity>(location.LocationId, "r2")).Value;
        Assert.Equal("Kiitos palautteesta!", stored.ReplyText);
        Assert.Equal(result.EchoTime, stored.ReplyTime);
        Assert.Equal("Kiitos palautteesta!", stored.PostedReplyText);
        Assert.Equal("Kiitos palautteesta!", _bed.Google.Review(location.SourceRef, "r2")!.ReviewReply!.Comment);

        var deleted = await _bed.Publisher.DeleteAsync(location, stored);

        Assert.True(deleted.Published, deleted.Reason);
        Assert.Contains(_bed.Google.Requests, r => r == $"DELETE /v4/{location.SourceRef}/reviews/r2/reply");
        Assert.Null(_bed.Google.Review(location.SourceRef, "r2")!.ReviewReply);
        Assert.Equal(string.Empty, (await _bed.Storage.Reviews.GetEntityAsync<ReviewEntity>(location.LocationId, "r2")).Value.ReplyText);
    }

    [Fact]
    public async Task A_refused_reply_returns_Googles_status_and_message()
    {
        var location = await _bed.AddLocationAsync("402");
        var review = await StoredReviewAsync(location, "r3");
        _bed.Google.ReplyFailure = (400, "Reply contains prohibited content.");

        var result = await _bed.Publisher.PublishAsync(location, review, "Kiitos!");

        Assert.False(result.Published);
        Assert.Contains("400", result.Reason, StringComparison.Ordinal);
        Assert.Contains("INVALID_ARGUMENT", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Reply contains prohibited content.", result.Reason, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await _bed.Storage.Reviews.GetEntityAsync<ReviewEntity>(location.LocationId, "r3")).Value.ReplyText);
    }

    private async Task<ReviewEntity> StoredReviewAsync(LocationEntity location, string id)
    {
        _bed.Google.PutReview(location.SourceRef, FakeGoogleApi.NewReview(location.SourceRef, id, 2, "Odotin liian kauan", Start));
        await _bed.Poller.PollAsync(location);
        return (await _bed.Storage.Reviews.GetEntityAsync<ReviewEntity>(location.LocationId, id)).Value;
    }

    private async Task<HttpStatusCode> PushAsync(string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/google/notifications")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _bed.Handler.Client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<List<PollRequest>> PollRequestsAsync()
    {
        var raw = await _bed.Storage.PollQueue.PeekMessagesAsync(32);
        return raw.Value.Select(m => MessageCodec.ReadPollRequest(m.Body.ToString())).ToList();
    }
}
