using System.Globalization;
using System.Text;

namespace ReviewWatch.Sentiment;

/// <summary>
/// The embedded default analyzer: no network, Finnish and English. A first cut: a stem lexicon with negation
/// flipping, plus a small touchpoint and critical-topic taxonomy. Stems match word starts so Finnish inflection
/// (huono, huonoa, huonosti) hits one entry.
/// </summary>
public sealed class LexiconAnalyzer : ISentimentAnalyzer
{
    private static readonly (string Stem, double Weight)[] Lexicon =
    [
        ("hyv", 1), ("loistav", 1.5), ("erinomai", 1.5), ("mahtav", 1.5), ("ihan", 1), ("upe", 1.5), ("kiitos", 0.5),
        ("suosittel", 1.2), ("ystävällis", 1), ("herkullis", 1.3), ("maukas", 1), ("nopea", 0.8), ("paras", 1.5),
        ("huono", -1.2), ("huonos", -1.2), ("surke", -1.5), ("kamala", -1.5), ("kauhea", -1.5), ("töykeä", -1.5),
        ("epäystävällis", -1.3), ("hidas", -0.8), ("hitaa", -0.8), ("kylmä", -0.6), ("pettymys", -1.3), ("pettyn", -1.3),
        ("likai", -1.3), ("kallis", -0.6), ("ylihinta", -1), ("odot", -0.3), ("valitet", -0.6), ("ei suositel", -1.5),
        ("good", 1), ("great", 1.3), ("excellent", 1.5), ("amazing", 1.5), ("friendly", 1), ("delicious", 1.3),
        ("recommend", 1.2), ("love", 1.3), ("best", 1.3), ("nice", 0.8), ("fast", 0.6), ("tasty", 1),
        ("bad", -1.2), ("terrible", -1.5), ("awful", -1.5), ("rude", -1.5), ("slow", -0.8), ("cold", -0.6),
        ("disappoint", -1.3), ("dirty", -1.3), ("overpriced", -1), ("worst", -1.6), ("never again", -1.5), ("waited", -0.5),
    ];

    private static readonly string[] Negators = ["ei", "en", "et", "emme", "ette", "eivät", "not", "never", "no", "don't", "didn't", "wasn't", "isn't"];

    private static readonly (string Touchpoint, string[] Stems)[] Taxonomy =
    [
        ("staff", ["henkilökun", "myyjä", "tarjoilij", "staff", "waiter", "waitress", "cashier", "employee"]),
        ("service_quality", ["palvelu", "asiakaspalvelu", "service"]),
        ("product_quality", ["ruoka", "kahvi", "leipä", "pulla", "laatu", "food", "coffee", "bread", "pastr", "quality", "cake", "kakku"]),
        ("price", ["hinta", "hinno", "kallis", "halpa", "price", "expensive", "cheap", "overpriced"]),
        ("delivery", ["toimitus", "kuljetus", "delivery", "courier"]),
        ("cleanliness", ["siisti", "likai", "siivo", "clean", "dirty"]),
        ("wait_time", ["jono", "odot", "queue", "wait"]),
        ("website", ["verkkosivu", "nettisivu", "website"]),
        ("billing", ["lasku", "veloit", "bill", "charged"]),
    ];

    private static readonly (string Topic, string[] Stems)[] Critical =
    [
        ("hygiene", ["ruokamyrky", "hius", "hiukse", "torake", "food poisoning", "hair in", "cockroach", "mouldy", "homee"]),
        ("health", ["sairast", "allergi", "got sick", "allergic", "oksen", "vomit"]),
        ("safety", ["vaarallis", "loukkaan", "dangerous", "injur"]),
        ("discrimination", ["rasis", "syrji", "racis", "discriminat"]),
        ("legal", ["kuluttajariit", "haaste", "oikeuteen", "lawyer", "sue ", "lawsuit"]),
    ];

    public Task<IReadOnlyList<SentimentResult>> AnalyzeAsync(IReadOnlyList<SentimentInput> inputs, CancellationToken cancellationToken = default)
    {
        var results = new SentimentResult[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            results[i] = Analyze(inputs[i]);
        }

        return Task.FromResult<IReadOnlyList<SentimentResult>>(results);
    }

    public static SentimentResult Analyze(SentimentInput input)
    {
        var text = (input.Text ?? string.Empty).ToLower(CultureInfo.InvariantCulture);
        if (text.Length > 20_000)
        {
            text = text[..20_000];
        }

        var words = Tokenize(text);
        var language = input.Language ?? DetectLanguage(words);
        double sum = 0;
        var hits = 0;
        for (var i = 0; i < words.Count; i++)
        {
            foreach (var (stem, weight) in Lexicon)
            {
                if (!stem.Contains(' ', StringComparison.Ordinal) && words[i].StartsWith(stem, StringComparison.Ordinal))
                {
                    var negated = i > 0 && Negators.Contains(words[i - 1]) || i > 1 && Negators.Contains(words[i - 2]);
                    sum += negated ? -weight * 0.8 : weight;
                    hits++;
                    break;
                }
            }
        }

        foreach (var (stem, weight) in Lexicon)
        {
            if (stem.Contains(' ', StringComparison.Ordinal) && text.Contains(stem, StringComparison.Ordinal))
            {
                sum += weight;
                hits++;
            }
        }

        var score = hits == 0 ? 0 : Math.Tanh(sum / Math.Sqrt(hits));
        var label = score >= 0.2 ? SentimentLabel.Positive : score <= -0.2 ? SentimentLabel.Negative : SentimentLabel.Neutral;
        var touchpoints = Taxonomy
            .Where(t => words.Any(w => t.Stems.Any(s => w.StartsWith(s, StringComparison.Ordinal))))
            .Select(t => new TouchpointSentiment(t.Touchpoint, label))
            .ToList();
        var critical = Critical
            .Where(c => c.Stems.Any(s => text.Contains(s, StringComparison.Ordinal)))
            .Select(c => c.Topic)
            .ToList();
        return new SentimentResult(input.Id, label, Math.Round(score, 3), language, touchpoints, critical);
    }

    private static List<string> Tokenize(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetter(ch) || ch == '\'')
            {
                current.Append(ch);
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    private static string DetectLanguage(List<string> words)
    {
        var fi = words.Count(w => w.Contains('ä', StringComparison.Ordinal) || w.Contains('ö', StringComparison.Ordinal) || w is "ja" or "oli" or "ei" or "on" or "mutta" or "todella");
        var en = words.Count(w => w is "the" or "and" or "was" or "is" or "but" or "very" or "not" or "i" or "we");
        return fi == 0 && en == 0 ? "und" : fi >= en ? "fi" : "en";
    }
}
