namespace ReviewWatch.Sentiment.BuiltIn;

/// <summary>
/// Tells Finnish, English and Swedish apart from function words, letters (å) and Finnish case endings;
/// anything else, or too little evidence, is "und". Cheap: one dictionary lookup per word.
/// </summary>
internal static class LanguageDetector
{
    private const int Fi = 0;
    private const int En = 1;
    private const int Sv = 2;

    private static readonly Dictionary<string, int> FunctionWords = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup;

    static LanguageDetector()
    {
        string[] lists =
        [
            "ja on oli ei en et ole ollut olen olin ovat olivat että mutta kun kuin se sen ne niin myös vain jo nyt tämä tässä tämän siellä täällä mitään kaikki vielä aina tai sekä hyvä hyvää todella tosi erittäin ihan aivan kiitos paikka palvelu joka jossa mikä miten koska sitten minä me he te sinä meille minulle heti eikä vaikka jos ne nämä olisi voisi kanssa kautta",
            "the and is was a an to of it i we you not very but for with this that my they are were have had be in at from so all our your will would there what when no just our me us he she his her been only also than then out about very",
            "och är det inte jag att ett med för på som var mycket bra har hade vi de den till av om men så kan här också trevlig personal tack maten väldigt mig oss ni sig alla från eller när bara",
        ];
        for (var lang = 0; lang < lists.Length; lang++)
        {
            foreach (var w in lists[lang].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                FunctionWords.TryAdd(w, lang);
            }
        }

        Lookup = FunctionWords.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Collects evidence one lower-cased word at a time.</summary>
    public struct Votes
    {
        private double fi;
        private double en;
        private double sv;

        public void Add(ReadOnlySpan<char> word)
        {
            if (Lookup.TryGetValue(word, out var lang))
            {
                switch (lang)
                {
                    case Fi: fi += 1; break;
                    case En: en += 1; break;
                    default: sv += 1; break;
                }

                return;
            }

            if (word.Contains('å'))
            {
                sv += 1;
                return;
            }

            // Finnish morphology: case endings and vowel harmony letters on longer words.
            if (word.Length >= 5)
            {
                var end = word[^3..];
                if (end is "ssa" or "ssä" or "sta" or "stä" or "lla" or "llä" or "lta" or "ltä" or "ksi" or "aan" or "ään" or "nsa" or "nsä" or "tta" or "ttä" or "sti")
                {
                    fi += 0.6;
                }
                else if (word.Contains('ä') || word.Contains('ö') || word.Contains("aa", StringComparison.Ordinal) || word.Contains("uu", StringComparison.Ordinal) || word.Contains("ii", StringComparison.Ordinal))
                {
                    fi += 0.4;
                }
                else if (end is "ing" or "ion" or "ght" || word.EndsWith("ly", StringComparison.Ordinal))
                {
                    en += 0.5;
                }
            }
        }

        /// <summary>"fi", "en", "sv" or "und".</summary>
        public readonly string Result()
        {
            var best = Math.Max(fi, Math.Max(en, sv));
            if (best < 0.9)
            {
                return "und";
            }

            return best == fi ? "fi" : best == en ? "en" : "sv";
        }
    }
}
