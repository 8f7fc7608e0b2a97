using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Sentiment;

namespace ReviewWatch.DevHost.Commands;

/// <summary>
/// <c>sentiment</c>: JSON Lines in ({"id","text","lang"?,"rating"?}), one JSON line out per input, with the configured
/// analyzer. <c>sentiment-eval</c>: accuracy, macro-F1 and confusion matrices on the evaluation sets.
/// <c>bench-sentiment</c>: built-in analyzer throughput on one thread. Only results go to stdout.
/// </summary>
public static class SentimentCommands
{
    private const int BatchSize = 100;

    public static async Task<int> RunAsync(CommandLine cli, TextReader input, TextWriter output)
    {
        await using var services = CreateServices(cli);
        var analyzer = services.GetRequiredService<ISentimentAnalyzer>();
        var flagging = services.GetRequiredService<IOptions<FlaggingOptions>>().Value;

        var batch = new List<Item>(BatchSize);
        var lineNumber = 0;
        while (await input.ReadLineAsync() is string line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            batch.Add(Parse(line, lineNumber));
            if (batch.Count == BatchSize)
            {
                await WriteBatchAsync(batch, analyzer, flagging, output);
                batch.Clear();
            }
        }

        await WriteBatchAsync(batch, analyzer, flagging, output);
        await output.FlushAsync();
        return 0;
    }

    /// <summary>One output line's worth of work: a parsed input, or the error it earned.</summary>
    private sealed record Item(int Line, string? Id, SentimentInput? Input, int? Rating, string? Error);

    private static Item Parse(string line, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new Item(lineNumber, null, null, null, "expected a JSON object");
            }

            string? id = root.TryGetProperty("id", out var idElement) ? idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString(),
                JsonValueKind.Number => idElement.GetRawText(),
                _ => null,
            } : null;
            if (string.IsNullOrEmpty(id))
            {
                return new Item(lineNumber, null, null, null, "missing \"id\" (a string or number)");
            }

            if (!root.TryGetProperty("text", out var textElement) || textElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return new Item(lineNumber, id, null, null, "missing \"text\" (a string)");
            }

            string? lang = root.TryGetProperty("lang", out var langElement) && langElement.ValueKind == JsonValueKind.String ? langElement.GetString() : null;
            int? rating = null;
            if (root.TryGetProperty("rating", out var ratingElement) && ratingElement.ValueKind != JsonValueKind.Null)
            {
                if (ratingElement.ValueKind != JsonValueKind.Number || !ratingElement.TryGetInt32(out var r) || r is < 1 or > 5)
                {
                    return new Item(lineNumber, id, null, null, "\"rating\" must be a whole number from 1 to 5");
                }

                rating = r;
            }

            return new Item(lineNumber, id, new SentimentInput(id, textElement.GetString() ?? string.Empty, lang), rating, null);
        }
        catch (JsonException ex)
        {
            return new Item(lineNumber, null, null, null, "invalid JSON: " + ex.Message);
        }
    }

    private static async Task WriteBatchAsync(List<Item> batch, ISentimentAnalyzer analyzer, FlaggingOptions flagging, TextWriter output)
    {
        var inputs = batch.Where(b => b.Input is not null).Select(b => b.Input!).ToList();
        IReadOnlyList<SentimentResult> results = inputs.Count == 0 ? [] : await analyzer.AnalyzeAsync(inputs);
        var next = 0;
        foreach (var item in batch)
        {
            string json;
            if (item.Input is null)
            {
                json = item.Id is null
                    ? JsonSerializer.Serialize(new LineError(item.Line, item.Error!), SentimentCliJson.Default.LineError)
                    : JsonSerializer.Serialize(new IdError(item.Id, item.Error!), SentimentCliJson.Default.IdError);
            }
            else
            {
                json = JsonSerializer.Serialize(ToOutput(results[next++], item.Rating, flagging), SentimentCliJson.Default.SentimentLine);
            }

            await output.WriteLineAsync(json);
        }
    }

    internal static SentimentLine ToOutput(SentimentResult result, int? rating, FlaggingOptions flagging)
    {
        var decision = Flagger.Decide(rating, result, flagging);

        // With a rating the flagger's combined label; without, the text's (mixed resolved by its score).
        var label = rating is null ? result.Label : decision.Label;
        var score = rating is null ? result.Score : decision.Score;
        var shown = label switch
        {
            SentimentLabel.Positive => "positive",
            SentimentLabel.Negative => "negative",
            SentimentLabel.Mixed when score >= 0.2 => "positive",
            SentimentLabel.Mixed when score <= -0.2 => "negative",
            _ => "neutral",
        };
        return new SentimentLine(
            result.Id,
            shown,
            Math.Round(Math.Clamp(score, -1, 1), 3),
            result.Language,
            [.. result.Touchpoints.Select(t => new TouchpointLine(t.Name, t.Label.ToString().ToLowerInvariant()))],
            decision.Flag,
            decision.Severity.ToString().ToLowerInvariant());
    }

    public static async Task<int> EvalAsync(CommandLine cli, TextWriter output)
    {
        await using var services = CreateServices(cli);
        var analyzer = services.GetRequiredService<ISentimentAnalyzer>();
        var errors = cli.IntOption("errors", 0);
        var exitCode = 0;

        var data = cli.Option("data") ?? FindUp("shared/data/sentiment");
        var trustpilot = data is null ? null : Path.Combine(data, "trustpilot-fi-translated.dev.csv");
        if (trustpilot is not null && File.Exists(trustpilot) && cli.Option("set") is null or "trustpilot" or "all")
        {
            var items = ReadCsv(trustpilot);
            await EvaluateAsync("trustpilot-fi-translated.dev (machine-translated to English)", items, analyzer, output, errors);
        }
        else if (cli.Option("set") is "trustpilot")
        {
            await Console.Error.WriteLineAsync("sentiment-eval: shared/data/sentiment/trustpilot-fi-translated.dev.csv not found (pass --data DIR)");
            exitCode = 1;
        }

        var fi = cli.Option("fi") ?? FindUp("tests/ReviewWatch.Tests/Sentiment/Data/fi-reviews.jsonl", directory: false);
        if (fi is not null && cli.Option("set") is null or "fi" or "all")
        {
            await EvaluateAsync("fi-reviews (hand-written Finnish reviews and mentions)", ReadJsonl(fi), analyzer, output, errors);
        }
        else if (cli.Option("set") is "fi")
        {
            await Console.Error.WriteLineAsync("sentiment-eval: tests/ReviewWatch.Tests/Sentiment/Data/fi-reviews.jsonl not found (pass --fi FILE)");
            exitCode = 1;
        }

        return exitCode;
    }

    /// <summary>Gold-labelled text for evaluation.</summary>
    public sealed record LabelledText(string Id, string Text, string Label);

    /// <summary>The numbers <c>sentiment-eval</c> prints for one set.</summary>
    public sealed record EvalReport(int Items, double BinaryAccuracy, double BinaryMacroF1, double? ThreeClassAccuracy, double? ThreeClassMacroF1);

    public static async Task<EvalReport> EvaluateAsync(string name, IReadOnlyList<LabelledText> items, ISentimentAnalyzer analyzer, TextWriter output, int showErrors = 0)
    {
        var results = await analyzer.AnalyzeAsync([.. items.Select(i => new SentimentInput(i.Id, i.Text))]);
        string[] classes = ["negative", "neutral", "positive"];
        var confusion = new int[3, 3];
        var binary = new int[2, 3];
        var shown = 0;
        for (var k = 0; k < items.Count; k++)
        {
            var gold = Array.IndexOf(classes, items[k].Label);
            if (gold < 0)
            {
                continue;
            }

            var r = results[k];
            var predicted = r.Label switch
            {
                SentimentLabel.Negative => 0,
                SentimentLabel.Positive => 2,
                SentimentLabel.Mixed when r.Score >= 0.2 => 2,
                SentimentLabel.Mixed when r.Score <= -0.2 => 0,
                _ => 1,
            };
            confusion[gold, predicted]++;
            if (gold != 1)
            {
                // Binary: the side of the score; a text with no signal at all (score 0) counts as a miss.
                var side = r.Score > 0 ? 2 : r.Score < 0 ? 0 : 1;
                binary[gold / 2, side]++;
                if (side != gold && shown++ < showErrors)
                {
                    await Console.Error.WriteLineAsync($"{items[k].Id}\tgold={items[k].Label}\tscore={r.Score.ToString(CultureInfo.InvariantCulture)}\t{items[k].Text}");
                }
            }
        }

        var binaryTotal = binary[0, 0] + binary[0, 1] + binary[0, 2] + binary[1, 0] + binary[1, 1] + binary[1, 2];
        var binaryAccuracy = binaryTotal == 0 ? 0 : (binary[0, 0] + binary[1, 2]) / (double)binaryTotal;
        var f1Negative = F1(binary[0, 0], binary[1, 0], binary[0, 1] + binary[0, 2]);
        var f1Positive = F1(binary[1, 2], binary[0, 2], binary[1, 0] + binary[1, 1]);
        var binaryMacro = (f1Negative + f1Positive) / 2;

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"== {name}: {items.Count} items");
        sb.AppendLine(inv, $"binary (gold positive/negative, n={binaryTotal}): accuracy {binaryAccuracy:0.000}  macro-F1 {binaryMacro:0.000}");
        sb.AppendLine("  gold \\ predicted   negative  no-signal  positive");
        sb.AppendLine(inv, $"  negative          {binary[0, 0],8} {binary[0, 1],10} {binary[0, 2],9}");
        sb.AppendLine(inv, $"  positive          {binary[1, 0],8} {binary[1, 1],10} {binary[1, 2],9}");

        double? threeAccuracy = null, threeMacro = null;
        var neutralGold = confusion[1, 0] + confusion[1, 1] + confusion[1, 2];
        if (neutralGold > 0)
        {
            var total = 0;
            var correct = 0;
            double f1Sum = 0;
            for (var c = 0; c < 3; c++)
            {
                int tp = confusion[c, c], fp = 0, fn = 0;
                for (var o = 0; o < 3; o++)
                {
                    total += confusion[c, o];
                    if (o != c)
                    {
                        fp += confusion[o, c];
                        fn += confusion[c, o];
                    }
                }

                correct += tp;
                f1Sum += F1(tp, fp, fn);
            }

            threeAccuracy = correct / (double)total;
            threeMacro = f1Sum / 3;
            sb.AppendLine(inv, $"3-class (n={total}): accuracy {threeAccuracy:0.000}  macro-F1 {threeMacro:0.000}");
            sb.AppendLine("  gold \\ predicted   negative   neutral  positive");
            for (var c = 0; c < 3; c++)
            {
                sb.AppendLine(inv, $"  {classes[c],-16} {confusion[c, 0],9} {confusion[c, 1],9} {confusion[c, 2],9}");
            }
        }

        await output.WriteAsync(sb.ToString());
        await output.FlushAsync();
        return new EvalReport(items.Count, binaryAccuracy, binaryMacro, threeAccuracy, threeMacro);
    }

    private static double F1(int tp, int fp, int fn) => tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);

    public static int Bench(CommandLine cli, TextWriter output)
    {
        // ~100-character texts in both languages, none taken from the evaluation sets.
        string[] texts =
        [
            "Todella hyvää kahvia ja ystävällinen palvelu, mutta jonottaa sai aika pitkään. Tulen silti uudestaan!",
            "The delivery was two days late and nobody answered the phone. Not impressed with the service at all.",
            "Ihan ok lounas, ei mitään erikoista. Hinta-laatusuhde kohdallaan, henkilökunta oli tosi mukavaa 🙂",
            "Great haircut and a really friendly stylist, though a bit expensive. I would definitely recommend it.",
            "Kiitos vaan, paketti tuli rikki ja asiakaspalveluun ei saanut yhteyttä. EI IKINÄ ENÄÄ tätä kauppaa!!",
            "Putkimies tuli sovittuna aikana ja korjasi vuodon nopeasti. Siisti jälki ja reilu lasku, suosittelen.",
        ];
        var docs = cli.IntOption("docs", 200_000);
        var inputs = texts.Select((t, i) => new SentimentInput(i.ToString(CultureInfo.InvariantCulture), t)).ToArray();

        // Warm-up: JIT, tiered compilation and the lexicon's static initialisation.
        var warm = Stopwatch.StartNew();
        for (var i = 0; warm.Elapsed < TimeSpan.FromSeconds(2); i++)
        {
            LexiconAnalyzer.Analyze(inputs[i % inputs.Length]);
        }

        var checksum = 0.0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < docs; i++)
        {
            checksum += LexiconAnalyzer.Analyze(inputs[i % inputs.Length]).Score;
        }

        sw.Stop();
        var rate = docs / sw.Elapsed.TotalSeconds;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"bench-sentiment: built-in analyzer, 1 thread, {docs} docs of ~{texts.Average(t => t.Length):0} chars in {sw.Elapsed.TotalSeconds:0.00} s = {rate:0} docs/s (checksum {checksum:0.0}, {Environment.ProcessorCount} cores visible)"));
        return 0;
    }

    private static ServiceProvider CreateServices(CommandLine cli)
    {
        // Settings: local.settings.json-style file (--settings) if given, then the environment (Sentiment__Analyzer=azure …).
        var settings = cli.Option("settings") is string file ? LocalSettings.Load(file) : [];
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddLogging(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning));

        // Logs go to stderr: stdout carries only the JSON lines.
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        services.AddOptions<FlaggingOptions>().BindConfiguration(FlaggingOptions.Section);
        services.AddSentiment(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Walks up from the working directory to find a folder (or file) by relative path.</summary>
    internal static string? FindUp(string relative, bool directory = true, string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (directory ? Directory.Exists(candidate) : File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static List<LabelledText> ReadJsonl(string path)
    {
        var items = new List<LabelledText>();
        foreach (var line in File.ReadLines(path))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                var item = JsonSerializer.Deserialize(line, SentimentCliJson.Default.LabelledText);
                if (item is not null)
                {
                    items.Add(item);
                }
            }
        }

        return items;
    }

    /// <summary>RFC 4180 CSV with a header (id,text,label); quoted fields may hold commas, quotes and newlines.</summary>
    public static List<LabelledText> ReadCsv(string path)
    {
        var content = File.ReadAllText(path);
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < content.Length && content[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else if (c != '\r')
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return [.. rows.Skip(1).Where(r => r.Count >= 3).Select(r => new LabelledText(r[0], r[1], r[2].Trim()))];
    }
}

public sealed record SentimentLine(
    string Id,
    string Label,
    double Score,
    string Language,
    IReadOnlyList<TouchpointLine> Touchpoints,
    bool Flag,
    string Severity);

public sealed record TouchpointLine(string Name, string Label);

public sealed record IdError(string Id, string Error);

public sealed record LineError(int Line, string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SentimentLine))]
[JsonSerializable(typeof(IdError))]
[JsonSerializable(typeof(LineError))]
[JsonSerializable(typeof(SentimentCommands.LabelledText))]
internal sealed partial class SentimentCliJson : JsonSerializerContext;
