using System.Text;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

public sealed class RobustnessTests
{
    [Fact]
    public void Scoring_never_throws_on_random_unicode_lone_surrogates_and_control_chars()
    {
        var random = new Random(4242);
        for (var n = 0; n < 2000; n++)
        {
            var chars = new char[random.Next(0, 300)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (random.Next(6)) switch
                {
                    0 => (char)random.Next(0xD800, 0xE000), // lone surrogates
                    1 => (char)random.Next(0, 32), // control characters
                    2 => "!?.…,:;()\"“”'-😀"[random.Next(16)],
                    3 => "aäöeiuyEIÄÖ"[random.Next(11)],
                    _ => (char)random.Next(0, 0x10000),
                };
            }

            var result = LexiconAnalyzer.Analyze(new SentimentInput("r", new string(chars)));

            Assert.InRange(result.Score, -1, 1);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\0\0\0")]
    [InlineData("\uD800")]
    [InlineData("\uDC00abc\uD83D")]
    [InlineData(":):(:-D<3^^")]
    [InlineData("\"\"\"\"")]
    [InlineData("...!!!???")]
    [InlineData("not")]
    [InlineData("ei")]
    [InlineData("mutta")]
    [InlineData("kiitos vaan")]
    public void Edge_case_texts_are_scored_without_throwing(string text)
    {
        var result = LexiconAnalyzer.Analyze(new SentimentInput("r", text));

        Assert.InRange(result.Score, -1, 1);
    }

    [Fact]
    public void Empty_text_is_neutral() => Assert.Equal(SentimentLabel.Neutral, LexiconAnalyzer.Analyze(new SentimentInput("r", string.Empty)).Label);

    [Fact]
    public void A_100_kb_text_is_scored()
    {
        var sb = new StringBuilder();
        while (sb.Length < 100 * 1024)
        {
            sb.Append("Todella huono palvelu ja kylmä kahvi, en suosittele. 😡 ");
        }

        var result = LexiconAnalyzer.Analyze(new SentimentInput("big", sb.ToString()));

        Assert.Equal(SentimentLabel.Negative, result.Label);
    }

    [Fact]
    public async Task Null_text_from_a_careless_caller_is_tolerated()
    {
        var results = await new LexiconAnalyzer().AnalyzeAsync([new SentimentInput("r", null!)]);

        Assert.Equal(SentimentLabel.Neutral, Assert.Single(results).Label);
    }
}
