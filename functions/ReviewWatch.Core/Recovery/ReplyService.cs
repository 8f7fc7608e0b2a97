using System.Text;
using Microsoft.Extensions.Logging;
using ReviewWatch.Storage;

namespace ReviewWatch.Recovery;

/// <summary>
/// Posts a person-approved reply: validates it, posts it where the review lives (through the location's
/// <see cref="IReplyPublisher"/>), and only then records the case as replied. A failed post leaves the case as it
/// was, adds a "reply-failed" event with the reason, and returns the reason to show staff.
/// </summary>
public sealed class ReplyService(ReviewWatchStorage storage, IEnumerable<IReplyPublisher> publishers, CaseService cases, TimeProvider time, ILogger<ReplyService> logger)
{
    /// <summary>Google's limit on a reply comment.</summary>
    public const int MaxReplyBytes = 4096;

    public async Task<(RecoveryCase Case, ReplyPublishResult Result)> PostAsync(RecoveryCase recoveryCase, string user, string text, CancellationToken cancellationToken = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            throw new ArgumentException("The reply needs a non-empty 'text'.", nameof(text));
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxReplyBytes)
        {
            throw new ArgumentException($"The reply is {bytes} bytes; Google accepts at most {MaxReplyBytes}.", nameof(text));
        }

        if (recoveryCase.Status is not (CaseStatus.Claimed or CaseStatus.Replied))
        {
            throw new CaseConflictException($"Case {recoveryCase.CaseId} is '{recoveryCase.Status}'; claim it before replying.");
        }

        var location = await storage.Locations.GetOrDefaultAsync<LocationEntity>(recoveryCase.BusinessId, recoveryCase.LocationId, cancellationToken);
        var review = await storage.Reviews.GetOrDefaultAsync<ReviewEntity>(recoveryCase.LocationId, recoveryCase.ItemKey, cancellationToken);
        var publisher = location is null ? null : publishers.FirstOrDefault(p => p.Handles(location));
        ReplyPublishResult result;
        if (publisher is null || review is null)
        {
            result = ReplyPublishResult.NotApplicable("recorded here only: this location's reviews do not come from a platform we can post to");
        }
        else
        {
            result = await publisher.PublishAsync(location!, review, text, cancellationToken);
            if (!result.Published)
            {
                logger.LogWarning("Posting the reply for case {CaseId} failed: {Reason}", recoveryCase.CaseId, result.Reason);
                await cases.AddEventAsync(recoveryCase.CaseId, "reply-failed", user, result.Reason ?? "unknown error", time.GetUtcNow(), cancellationToken: cancellationToken);
                return (recoveryCase, result);
            }
        }

        var updated = await cases.ChangeAsync(recoveryCase, user, "replied", (c, now) =>
        {
            c.RecordReply(user, text, now);
            return result.Published ? "posted to the platform" : result.Reason ?? string.Empty;
        }, cancellationToken);
        return (updated, result);
    }
}
