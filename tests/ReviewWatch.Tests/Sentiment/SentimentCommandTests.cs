using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ReviewWatch.DevHost.Commands;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

public sealed class SentimentCommandTests
{
    private static string RepositoryRoot => typeof(SentimentCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    private static string FinnishSet => Path.Combine(RepositoryRoot, "tests", "ReviewWatch.Tests", "Sentiment", "Data", "fi-reviews.jsonl");

    [Fact]
    public async Task Sentiment_command_writes_one_line_per_input_and_an_error_line_for_bad_input()
    {
        var input = new StringReader("""
            {"id":"1","text":"Todella huono palvelu, en suosittele.","rating":1}
            {"id":"2","text":"Mahtava paikka! Kiitos 😍","lang":"fi"}
            this is not json
            {"id":"4","rating":9,"text":"x"}
            {"id":5,"text":"The staff were lovely but the room was dirty."}
            """);
        var output = new StringWriter();

        var exit = await SentimentCommands.RunAsync(new CommandLine(["sentiment"]), input, output);

        Assert.Equal(0, exit);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5, lines.Count);
        Assert.Equal("negative", lines[0].GetProperty("label").GetString());
        Assert.True(lines[0].GetProperty("flag").GetBoolean());
        Assert.Equal("high", lines[0].GetProperty("severity").GetString());
        Assert.Equal("positive", lines[1].GetProperty("label").GetString());
        Assert.Equal("fi", lines[1].GetProperty("language").GetString());
        Assert.Equal("none", lines[1].GetProperty("severity").GetString());
        Assert.Equal(3, lines[2].GetProperty("line").GetInt32());
        Assert.True(lines[2].TryGetProperty("error", out _));
        Assert.Equal("4", lines[3].GetProperty("id").GetString());
        Assert.True(lines[3].TryGetProperty("error", out _));
        Assert.Equal("5", lines[4].GetProperty("id").GetString());
        Assert.Equal("en", lines[4].GetProperty("language").GetString());
        Assert.Contains(lines[4].GetProperty("touchpoints").EnumerateArray(), t => t.GetProperty("name").GetString() == "staff");
        Assert.InRange(lines[4].GetProperty("score").GetDouble(), -1, 1);
    }

    [Fact]
    public void The_finnish_set_has_at_least_300_labelled_items_of_every_class()
    {
        var items = SentimentCommands.ReadJsonl(FinnishSet);

        Assert.True(items.Count >= 300);
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct().Count());
        Assert.All(["positive", "negative", "neutral"], label => Assert.Contains(items, i => i.Label == label));
    }

    [Fact]
    public async Task Builtin_analyzer_keeps_binary_accuracy_of_at_least_088_on_the_finnish_set()
    {
        var output = new StringWriter();

        var report = await SentimentCommands.EvaluateAsync("fi-reviews", SentimentCommands.ReadJsonl(FinnishSet), new LexiconAnalyzer(), output);

        Assert.True(report.BinaryAccuracy >= 0.88, output.ToString());
        Assert.Contains("binary", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(report.BinaryAccuracy.ToString("0.000", CultureInfo.InvariantCulture), output.ToString(), StringComparison.Ordinal);
    }
}
