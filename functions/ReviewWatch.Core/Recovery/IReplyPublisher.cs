using ReviewWatch.Storage;

namespace ReviewWatch.Recovery;

/// <summary>The outcome of posting a reply where the customer wrote (Google). Failures carry the reason staff see.</summary>
public sealed record ReplyPublishResult(bool Published, string? Reason = null, string? EchoText = null, DateTimeOffset? EchoTime = null)
{
    public static ReplyPublishResult NotApplicable(string reason) => new(false, reason);
}

/// <summary>
/// Posts (or deletes) the business's reply to the review on its platform. Chosen by the location's review source;
/// the Google client implements it for "google" locations. A failure is returned, never swallowed.
/// </summary>
public interface IReplyPublisher
{
    /// <summary>Whether this publisher posts replies for the location's source.</summary>
    bool Handles(LocationEntity location);

    Task<ReplyPublishResult> PublishAsync(LocationEntity location, ReviewEntity review, string text, CancellationToken cancellationToken = default);

    Task<ReplyPublishResult> DeleteAsync(LocationEntity location, ReviewEntity review, CancellationToken cancellationToken = default);
}
