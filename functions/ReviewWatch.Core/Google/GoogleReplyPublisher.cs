using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Google;

/// <summary>
/// Posts the business's reply to a Google review (<c>PUT …/reviews/{id}/reply</c>) and stores what we sent and
/// Google's echo on the review. A reply over Google's 4,096-byte limit is refused here, before any call; a
/// refusal by Google comes back with its status and message.
/// </summary>
public sealed class GoogleReplyPublisher(GoogleBusinessClient client, ReviewWatchStorage storage, TimeProvider time, ILogger<GoogleReplyPublisher> logger) : IReplyPublisher
{
    public bool Handles(LocationEntity location) => location.Source == "google";

    public async Task<ReplyPublishResult> PublishAsync(LocationEntity location, ReviewEntity review, string text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new ReplyPublishResult(false, "The reply is empty.");
        }

        if (GoogleBusinessClient.ReplyTooLong(text, out var bytes))
        {
            return new ReplyPublishResult(false, $"The reply is {bytes} bytes in UTF-8; Google accepts at most {GoogleBusinessClient.MaxReplyBytes}. Shorten it.");
        }

        var reviewName = ReviewName(location, review);
        GbpReviewReplyEcho echo;
        try
        {
            var reply = await client.UpdateReplyAsync(reviewName, text, cancellationToken);
            echo = new GbpReviewReplyEcho(reply.Comment ?? text, reply.UpdateTime ?? time.GetUtcNow());
        }
        catch (GoogleApiException ex)
        {
            logger.LogWarning("Google refused the reply to review {ReviewId} of {LocationId}: {Reason}", review.ReviewId, location.LocationId, ex.Reason);
            return new ReplyPublishResult(false, $"Google refused the reply: {ex.Reason}");
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "Could not reach Google to reply to review {ReviewId} of {LocationId}", review.ReviewId, location.LocationId);
            return new ReplyPublishResult(false, $"Google could not be reached: {ex.Message}");
        }

        await StoreAsync(review, r =>
        {
            r.PostedReplyText = text;
            r.PostedReplyAt = time.GetUtcNow();
            r.ReplyText = echo.Comment;
            r.ReplyTime = echo.UpdateTime;
        }, cancellationToken);
        logger.LogInformation("Posted the reply to review {ReviewId} of {LocationId}", review.ReviewId, location.LocationId);
        return new ReplyPublishResult(true, null, echo.Comment, echo.UpdateTime);
    }

    public async Task<ReplyPublishResult> DeleteAsync(LocationEntity location, ReviewEntity review, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.DeleteReplyAsync(ReviewName(location, review), cancellationToken);
        }
        catch (GoogleApiException ex)
        {
            logger.LogWarning("Google refused to delete the reply to review {ReviewId} of {LocationId}: {Reason}", review.ReviewId, location.LocationId, ex.Reason);
            return new ReplyPublishResult(false, $"Google refused to delete the reply: {ex.Reason}");
        }
        catch (HttpRequestException ex)
        {
            return new ReplyPublishResult(false, $"Google could not be reached: {ex.Message}");
        }

        await StoreAsync(review, r =>
        {
            r.ReplyText = string.Empty;
            r.ReplyTime = null;
            r.PostedReplyText = string.Empty;
            r.PostedReplyAt = null;
        }, cancellationToken);
        return new ReplyPublishResult(true);
    }

    /// <summary>The v4 review name; older rows may lack it, so rebuild it from the location's resource name.</summary>
    private static string ReviewName(LocationEntity location, ReviewEntity review) =>
        !string.IsNullOrEmpty(review.ReviewName) ? review.ReviewName : $"{location.SourceRef}/reviews/{review.ReviewId}";

    private async Task StoreAsync(ReviewEntity review, Action<ReviewEntity> change, CancellationToken cancellationToken)
    {
        // Re-read and replace with the ETag (a poll may be updating the same row); retry on a lost race.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await storage.Reviews.GetOrDefaultAsync<ReviewEntity>(review.PartitionKey, review.RowKey, cancellationToken);
            if (current is null)
            {
                return;
            }

            change(current);
            try
            {
                await storage.Reviews.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Replace, cancellationToken);
                change(review);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
            }
        }
    }

    private sealed record GbpReviewReplyEcho(string Comment, DateTimeOffset UpdateTime);
}
