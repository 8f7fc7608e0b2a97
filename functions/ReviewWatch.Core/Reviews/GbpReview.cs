using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Reviews;

/// <summary>A Google Business Profile v4 Review resource, exactly as the API returns it.</summary>
public sealed record GbpReview(
    string Name,
    string? ReviewId,
    GbpReviewer? Reviewer,
    string? StarRating,
    string? Comment,
    DateTimeOffset? CreateTime,
    DateTimeOffset? UpdateTime,
    GbpReviewReply? ReviewReply)
{
    /// <summary>FIVE → 5; STAR_RATING_UNSPECIFIED or missing → null.</summary>
    public int? Rating => StarRating switch
    {
        "ONE" => 1,
        "TWO" => 2,
        "THREE" => 3,
        "FOUR" => 4,
        "FIVE" => 5,
        _ => null,
    };

    /// <summary>When the review last changed: updateTime, else createTime (min value when Google gave neither). Not part of the resource.</summary>
    [JsonIgnore]
    public DateTimeOffset LastChanged => UpdateTime ?? CreateTime ?? DateTimeOffset.MinValue;

    /// <summary>The id: reviewId when given, else the last segment of the resource name.</summary>
    public string Id => !string.IsNullOrEmpty(ReviewId) ? ReviewId : Name[(Name.LastIndexOf('/') + 1)..];
}

public sealed record GbpReviewer(string? DisplayName, string? ProfilePhotoUrl, bool IsAnonymous);

public sealed record GbpReviewReply(string? Comment, DateTimeOffset? UpdateTime);

/// <summary>The v4 reviews.list response.</summary>
public sealed record GbpListReviewsResponse(IReadOnlyList<GbpReview>? Reviews, double? AverageRating, int? TotalReviewCount, string? NextPageToken);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(GbpListReviewsResponse))]
[JsonSerializable(typeof(GbpReview))]
[JsonSerializable(typeof(IReadOnlyList<GbpReview>))]
public sealed partial class GbpJsonContext : JsonSerializerContext;

/// <summary>Splits Google's "(Translated by Google) … (Original) …" envelope.</summary>
public static class ReviewText
{
    private const string TranslatedMarker = "(Translated by Google)";
    private const string OriginalMarker = "(Original)";

    /// <summary>Returns the original text (what the reviewer wrote, which we analyse) and Google's translation, if any.</summary>
    public static (string Original, string Translation) Split(string? comment)
    {
        if (string.IsNullOrEmpty(comment))
        {
            return (string.Empty, string.Empty);
        }

        var t = comment.IndexOf(TranslatedMarker, StringComparison.Ordinal);
        var o = comment.IndexOf(OriginalMarker, StringComparison.Ordinal);
        if (t < 0 || o < 0 || o < t)
        {
            return (comment.Trim(), string.Empty);
        }

        var translation = comment[(t + TranslatedMarker.Length)..o].Trim();
        var original = comment[(o + OriginalMarker.Length)..].Trim();
        return (original, translation);
    }
}
