using System.Reflection;
using ReviewWatch.Reviews;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

public sealed class FlaggingTests
{
    private static readonly FlaggingOptions Options = new();

    private static string RepositoryRoot => typeof(FlaggingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    private static FlagDecision Decide(int? rating, string text) =>
        Flagger.Decide(rating, LexiconAnalyzer.Analyze(new SentimentInput("r", text)), Options);

    [Fact]
    public async Task Kanelitupa_sample_flags_exactly_the_ten_reviews_that_need_a_person()
    {
        var flagged = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "reviews-kallio.json", "reviews-tammela.json" })
        {
            var reviews = await FileReviewSource.ReadFileAsync(Path.Combine(RepositoryRoot, "samples", "kanelitupa", file));
            var inputs = reviews.Select(r => new SentimentInput(r.Id, ReviewText.Split(r.Comment).Original)).ToList();
            var results = await new LexiconAnalyzer().AnalyzeAsync(inputs);
            for (var i = 0; i < reviews.Count; i++)
            {
                if (Flagger.Decide(reviews[i].Rating, results[i], Options).Flag)
                {
                    flagged.Add(reviews[i].Id);
                }
            }
        }

        Assert.Equal(
            [
                "kanelitupa-kallio-r02", "kanelitupa-kallio-r05", "kanelitupa-kallio-r07", "kanelitupa-kallio-r10",
                "kanelitupa-kallio-r13", "kanelitupa-kallio-r16", "kanelitupa-tammela-r02", "kanelitupa-tammela-r05",
                "kanelitupa-tammela-r09", "kanelitupa-tammela-r12",
            ],
            flagged);
    }

    [Fact]
    public void Hair_in_the_bread_is_critical() =>
        Assert.Equal(Severity.Critical, Decide(1, "Leivässä oli hius. Todella ällöttävää, hygienia ei ole kunnossa.").Severity);

    [Fact]
    public void Three_stars_with_a_complaint_is_medium() =>
        Assert.Equal(Severity.Medium, Decide(3, "Pulla oli ihan hyvää mutta palvelu oli todella hidasta ja tiski oli likainen.").Severity);

    [Fact]
    public void Four_stars_with_a_complaint_is_medium() =>
        Assert.Equal(Severity.Medium, Decide(4, "Palvelu oli tylyä ja kahvi kylmää.").Severity);

    [Theory]
    [InlineData(4, "Hyvää kahvia ja kivat tilat. Vähän kallis.")]
    [InlineData(3, "Ihan ok.")]
    [InlineData(5, "")]
    [InlineData(5, "Mahtava paikka, ystävällinen palvelu.")]
    public void Praise_and_plain_ratings_are_not_flagged(int rating, string text) => Assert.False(Decide(rating, text).Flag);

    [Fact]
    public void A_rating_only_one_star_is_high() => Assert.Equal(Severity.High, Decide(1, string.Empty).Severity);

    [Fact]
    public void A_mention_without_rating_is_flagged_on_its_text()
    {
        Assert.Equal(Severity.High, Decide(null, "Todella huono palvelu, en suosittele kenellekään!").Severity);
        Assert.False(Decide(null, "Kävin tänään kahvilla.").Flag);
    }

    [Fact]
    public void A_mixed_mention_is_medium() =>
        Assert.Equal(Severity.Medium, Decide(null, "Ruoka oli hyvää, mutta palvelu oli hidasta.").Severity);

    [Fact]
    public void Thresholds_are_options() =>
        Assert.False(Flagger.Decide(null, LexiconAnalyzer.Analyze(new SentimentInput("r", "Vähän kallis."))
            , new FlaggingOptions { NegativeScore = -0.9, StrongNegativeScore = -0.95 }).Flag);
}
