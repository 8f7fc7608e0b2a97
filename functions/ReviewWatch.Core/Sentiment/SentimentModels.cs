namespace ReviewWatch.Sentiment;

/// <summary>The polarity of a text or of one touchpoint in it.</summary>
public enum SentimentLabel
{
    Neutral,
    Positive,
    Negative,
    Mixed,
}

/// <summary>How urgently a flagged item needs a person.</summary>
public enum Severity
{
    None,
    Medium,
    High,
    Critical,
}

/// <summary>One text to analyse. <paramref name="Language"/> is an ISO 639-1 hint; null means detect.</summary>
public sealed record SentimentInput(string Id, string Text, string? Language = null);

/// <summary>A customer-journey touchpoint the text talks about, with its own polarity.</summary>
public sealed record TouchpointSentiment(string Name, SentimentLabel Label);

/// <summary>
/// The analyzer's verdict on one text. <see cref="Score"/> runs from -1 (very negative) to 1 (very positive).
/// <see cref="CriticalTopics"/> names critical themes found (health, safety, hygiene, discrimination, legal).
/// </summary>
public sealed record SentimentResult(
    string Id,
    SentimentLabel Label,
    double Score,
    string Language,
    IReadOnlyList<TouchpointSentiment> Touchpoints,
    IReadOnlyList<string> CriticalTopics)
{
    public static SentimentResult Empty(string id, string language = "und") =>
        new(id, SentimentLabel.Neutral, 0, language, [], []);
}

/// <summary>The seam every sentiment implementation sits behind (built-in, Azure AI Language).</summary>
public interface ISentimentAnalyzer
{
    /// <summary>Analyses a batch; returns one result per input, in input order. Never throws for bad text.</summary>
    Task<IReadOnlyList<SentimentResult>> AnalyzeAsync(IReadOnlyList<SentimentInput> inputs, CancellationToken cancellationToken = default);
}
