namespace ReviewWatch.Sentiment;

/// <summary>Thresholds for turning rating + text sentiment into a flag. Bound from the "Flagging" section.</summary>
/// <remarks>App settings: <c>Flagging__NegativeScore=-0.25</c>, <c>Flagging__StrongNegativeScore=-0.6</c>.</remarks>
public sealed class FlaggingOptions
{
    public const string Section = "Flagging";

    /// <summary>Text scores at or below this count as negative.</summary>
    public double NegativeScore { get; set; } = -0.25;

    /// <summary>Text scores at or below this are strongly negative (high severity on their own).</summary>
    public double StrongNegativeScore { get; set; } = -0.6;

    /// <summary>Ratings at or below this are negative whatever the text says (1–2 stars).</summary>
    public int NegativeRatingMax { get; set; } = 2;
}

/// <summary>Whether an item needs a person, and how urgently.</summary>
public sealed record FlagDecision(bool Flag, Severity Severity, SentimentLabel Label, double Score, bool ResponseNeeded);

/// <summary>Combines the star rating (when there is one) with the text's sentiment.</summary>
public static class Flagger
{
    public static FlagDecision Decide(int? rating, SentimentResult text, FlaggingOptions options)
    {
        var hasText = text.Label != SentimentLabel.Neutral || text.Score != 0 || text.Touchpoints.Count > 0;
        var textNegative = text.Score <= options.NegativeScore || text.Label == SentimentLabel.Negative;
        var textStrong = text.Score <= options.StrongNegativeScore;
        var textHasComplaint = textNegative || text.Label == SentimentLabel.Mixed
            || text.Touchpoints.Any(t => t.Label == SentimentLabel.Negative);

        // The label we show: the rating decides when the text is silent; otherwise the text, pulled by the rating.
        var combined = rating is int r ? Blend(r, text.Score, hasText) : text.Score;
        var label = combined <= options.NegativeScore ? SentimentLabel.Negative
            : combined >= 0.25 ? (textHasComplaint && rating is null ? SentimentLabel.Mixed : SentimentLabel.Positive)
            : text.Label == SentimentLabel.Mixed ? SentimentLabel.Mixed : SentimentLabel.Neutral;

        Severity severity;
        if (text.CriticalTopics.Count > 0 && (textNegative || rating <= 3))
        {
            severity = Severity.Critical;
        }
        else if (rating <= options.NegativeRatingMax || textStrong)
        {
            severity = Severity.High;
        }
        else if (textNegative || (rating is >= 3 && textHasComplaint) || text.Label == SentimentLabel.Mixed || rating == 3 && hasText && text.Score < 0)
        {
            // Mixed, or rating and text disagreeing (4 stars with a complaint).
            severity = Severity.Medium;
        }
        else
        {
            severity = Severity.None;
        }

        if (severity == Severity.High && label != SentimentLabel.Negative)
        {
            label = SentimentLabel.Negative;
        }

        return new FlagDecision(severity != Severity.None, severity, label, Math.Round(combined, 3), severity != Severity.None);
    }

    /// <summary>Maps 1..5 stars onto -1..1 and averages it with the text score when there is text.</summary>
    private static double Blend(int rating, double textScore, bool hasText)
    {
        var stars = (Math.Clamp(rating, 1, 5) - 3) / 2.0;
        return hasText ? (stars * 0.6) + (textScore * 0.4) : stars;
    }
}
