namespace ReviewWatch.Sentiment;

/// <summary>Thresholds for turning rating + text sentiment into a flag. Bound from the "Flagging" section.</summary>
/// <remarks>
/// App settings: <c>Flagging__NegativeScore=-0.25</c>, <c>Flagging__StrongNegativeScore=-0.6</c>,
/// <c>Flagging__NegativeRatingMax=2</c>, <c>Flagging__PositiveScore=0.25</c>.
/// </remarks>
public sealed class FlaggingOptions
{
    public const string Section = "Flagging";

    /// <summary>Text scores at or below this count as negative.</summary>
    public double NegativeScore { get; set; } = -0.25;

    /// <summary>Text scores at or below this are strongly negative (high severity on their own, unless the text is mixed).</summary>
    public double StrongNegativeScore { get; set; } = -0.6;

    /// <summary>Ratings at or below this are negative whatever the text says (1–2 stars).</summary>
    public int NegativeRatingMax { get; set; } = 2;

    /// <summary>Combined scores at or above this are labelled positive.</summary>
    public double PositiveScore { get; set; } = 0.25;
}

/// <summary>Whether an item needs a person, and how urgently.</summary>
public sealed record FlagDecision(bool Flag, Severity Severity, SentimentLabel Label, double Score, bool ResponseNeeded);

/// <summary>Combines the star rating (when there is one) with the text's sentiment.</summary>
public static class Flagger
{
    /// <summary>
    /// critical: a critical topic (health, safety, hygiene, discrimination, legal) in a negative text or a 1–3★ review;
    /// high: 1–2 stars, or strongly (not mixed) negative text with 3 stars or none; medium: negative text under
    /// 3–5 stars (under 4–5 the rating and text disagree), a mixed text with 3 stars, or a mixed mention; otherwise none.
    /// A 4–5★ review whose text is positive or mixed (praise with a small reservation) is not flagged.
    /// </summary>
    public static FlagDecision Decide(int? rating, SentimentResult text, FlaggingOptions options)
    {
        var hasText = text.Label != SentimentLabel.Neutral || text.Score != 0 || text.Touchpoints.Count > 0;
        var mixed = text.Label == SentimentLabel.Mixed;
        var textNegative = text.Score <= options.NegativeScore;
        var textStrong = text.Score <= options.StrongNegativeScore && !mixed;
        int? stars = rating is int r ? Math.Clamp(r, 1, 5) : null;

        Severity severity;
        if (text.CriticalTopics.Count > 0 && (textNegative || stars <= 3))
        {
            severity = Severity.Critical;
        }
        else if (stars <= options.NegativeRatingMax || (textStrong && stars is null or 3))
        {
            severity = Severity.High;
        }
        else if (textNegative || (mixed && (stars is null or 3)))
        {
            severity = Severity.Medium;
        }
        else
        {
            severity = Severity.None;
        }

        // The label we show: the rating decides when the text is silent; otherwise the text, pulled by the rating.
        var combined = stars is int s ? Blend(s, text.Score, hasText) : text.Score;
        var label = combined <= options.NegativeScore ? SentimentLabel.Negative
            : combined >= options.PositiveScore ? (mixed && stars is null ? SentimentLabel.Mixed : SentimentLabel.Positive)
            : mixed ? SentimentLabel.Mixed : SentimentLabel.Neutral;
        if (severity is Severity.High or Severity.Critical && label != SentimentLabel.Negative)
        {
            label = SentimentLabel.Negative;
        }

        return new FlagDecision(severity != Severity.None, severity, label, Math.Round(combined, 3), severity != Severity.None);
    }

    /// <summary>Maps 1..5 stars onto -1..1 and averages it with the text score when there is text.</summary>
    private static double Blend(int rating, double textScore, bool hasText)
    {
        var stars = (rating - 3) / 2.0;
        return hasText ? (stars * 0.6) + (textScore * 0.4) : stars;
    }
}
