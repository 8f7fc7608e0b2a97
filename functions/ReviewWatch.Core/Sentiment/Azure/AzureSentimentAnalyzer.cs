using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using ReviewWatch.Sentiment.BuiltIn;

namespace ReviewWatch.Sentiment;

/// <summary>
/// <see cref="ISentimentAnalyzer"/> over Azure AI Language. Texts are trimmed to the service's limit, the language is
/// passed explicitly (detected first when not given), documents go 10 to a request, and results are cached by a hash
/// of language + text so an unchanged review is never sent twice. Documents the service rejects (per-document errors)
/// are scored by the built-in analyzer instead; the batch carries on.
/// </summary>
public sealed partial class AzureSentimentAnalyzer(AzureLanguageClient client, AzureLanguageOptions options, ILogger<AzureSentimentAnalyzer> logger) : ISentimentAnalyzer
{
    private readonly BoundedCache<SentimentResult> results = new(Math.Max(options.CacheSize, 0));
    private readonly BoundedCache<string> languages = new(Math.Max(options.CacheSize, 0));

    public async Task<IReadOnlyList<SentimentResult>> AnalyzeAsync(IReadOnlyList<SentimentInput> inputs, CancellationToken cancellationToken = default)
    {
        var output = new SentimentResult?[inputs.Count];
        var texts = new string[inputs.Count];
        var langs = new string?[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            texts[i] = Trim(inputs[i].Text ?? string.Empty, options.MaxTextElements);
            langs[i] = string.IsNullOrWhiteSpace(inputs[i].Language) ? null : inputs[i].Language!.Trim().ToLowerInvariant();
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                output[i] = SentimentResult.Empty(inputs[i].Id, langs[i] ?? "und");
            }
        }

        await DetectMissingLanguagesAsync(output, texts, langs, cancellationToken);

        // Cached or duplicate documents are not sent; the rest go 10 to a request.
        var pending = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (output[i] is not null)
            {
                continue;
            }

            var key = Hash(langs[i]!, texts[i]);
            if (results.TryGet(key, out var cached))
            {
                output[i] = cached with { Id = inputs[i].Id };
            }
            else if (pending.TryGetValue(key, out var same))
            {
                same.Add(i);
            }
            else
            {
                pending[key] = [i];
            }
        }

        foreach (var batch in pending.Chunk(Math.Clamp(options.MaxBatchSize, 1, 10)))
        {
            var documents = batch.Select((p, n) => new TextDocumentInput(n.ToString(CultureInfo.InvariantCulture), texts[p.Value[0]], langs[p.Value[0]])).ToList();
            var answers = await client.AnalyzeSentimentAsync(documents, cancellationToken);
            for (var n = 0; n < batch.Length; n++)
            {
                var (key, indexes) = batch[n];
                var first = indexes[0];
                SentimentResult result;
                if (answers[n].Document is AnalyzedDocument doc)
                {
                    result = Map(inputs[first].Id, langs[first]!, texts[first], doc);
                    results.Set(key, result);
                }
                else
                {
                    LogDocumentError(inputs[first].Id, answers[n].Error?.Innererror?.Code ?? answers[n].Error?.Code);
                    result = LexiconAnalyzer.Analyze(new SentimentInput(inputs[first].Id, texts[first], langs[first]));
                }

                foreach (var i in indexes)
                {
                    output[i] = result with { Id = inputs[i].Id };
                }
            }
        }

        return output!;
    }

    private async Task DetectMissingLanguagesAsync(SentimentResult?[] output, string[] texts, string?[] langs, CancellationToken cancellationToken)
    {
        var toDetect = new List<int>();
        for (var i = 0; i < texts.Length; i++)
        {
            if (output[i] is null && langs[i] is null)
            {
                if (languages.TryGet(Hash("?", texts[i]), out var known))
                {
                    langs[i] = known;
                }
                else
                {
                    toDetect.Add(i);
                }
            }
        }

        if (toDetect.Count == 0)
        {
            return;
        }

        var detected = await client.DetectLanguageAsync([.. toDetect.Select((i, n) => new TextDocumentInput(n.ToString(CultureInfo.InvariantCulture), texts[i]))], cancellationToken);
        for (var n = 0; n < toDetect.Count; n++)
        {
            var i = toDetect[n];

            // Undecidable text: our own detector, then English (the service's own default).
            var language = detected[n].Language?.ToLowerInvariant();
            if (language is null)
            {
                var local = LexiconAnalyzer.DetectLanguage(texts[i]);
                language = local == "und" ? "en" : local;
            }
            else
            {
                languages.Set(Hash("?", texts[i]), language);
            }

            langs[i] = language;
        }
    }

    private static SentimentResult Map(string id, string language, string text, AnalyzedDocument doc)
    {
        var label = doc.Sentiment switch
        {
            "positive" => SentimentLabel.Positive,
            "negative" => SentimentLabel.Negative,
            "mixed" => SentimentLabel.Mixed,
            _ => SentimentLabel.Neutral,
        };
        var score = doc.ConfidenceScores is ConfidenceScores c ? Math.Round(Math.Clamp(c.Positive - c.Negative, -1, 1), 3) : 0;

        // Touchpoints from opinion-mining targets, mapped onto our taxonomy word by word.
        var touch = new Dictionary<string, SentimentLabel>(StringComparer.Ordinal);
        foreach (var target in (doc.Sentences ?? []).SelectMany(s => s.Targets ?? []))
        {
            var targetLabel = target.Sentiment switch
            {
                "positive" => SentimentLabel.Positive,
                "negative" => SentimentLabel.Negative,
                "mixed" => SentimentLabel.Mixed,
                _ => SentimentLabel.Neutral,
            };
            foreach (var word in (target.Text ?? string.Empty).ToLowerInvariant().Split([' ', '-', ',', '.'], StringSplitOptions.RemoveEmptyEntries))
            {
                var tp = Taxonomy.Touchpoint(word);
                if (tp < 0)
                {
                    continue;
                }

                var name = Taxonomy.Touchpoints[tp];
                touch[name] = touch.TryGetValue(name, out var seen) && seen != targetLabel ? SentimentLabel.Mixed : targetLabel;
                break;
            }
        }

        // Critical topics are ours: the service has no notion of them.
        var critical = LexiconAnalyzer.Analyze(new SentimentInput(id, text, language)).CriticalTopics;
        return new SentimentResult(id, label, score, language, [.. touch.Select(t => new TouchpointSentiment(t.Key, t.Value))], critical);
    }

    /// <summary>Trims to the service's limit in text elements (user-perceived characters), as it counts them.</summary>
    internal static string Trim(string text, int maxTextElements)
    {
        if (text.Length <= maxTextElements)
        {
            return text;
        }

        var info = new StringInfo(text);
        return info.LengthInTextElements <= maxTextElements ? text : info.SubstringByTextElements(0, maxTextElements);
    }

    private static string Hash(string language, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(language + "\n" + text);
        return Convert.ToHexString(SHA256.HashData(bytes));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Azure AI Language rejected document {DocumentId} ({ErrorCode}); scored by the built-in analyzer")]
    private partial void LogDocumentError(string documentId, string? errorCode);

    /// <summary>A thread-safe cache that forgets everything when full (simple, bounded; reviews rarely repeat after a day).</summary>
    private sealed class BoundedCache<T>(int capacity)
    {
        private readonly Dictionary<string, T> items = new(StringComparer.Ordinal);
        private readonly Lock gate = new();

        public bool TryGet(string key, out T value)
        {
            lock (gate)
            {
                return items.TryGetValue(key, out value!);
            }
        }

        public void Set(string key, T value)
        {
            if (capacity == 0)
            {
                return;
            }

            lock (gate)
            {
                if (items.Count >= capacity && !items.ContainsKey(key))
                {
                    items.Clear();
                }

                items[key] = value;
            }
        }
    }
}
