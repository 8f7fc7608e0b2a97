using System.Buffers;
using ReviewWatch.Sentiment.BuiltIn;

namespace ReviewWatch.Sentiment;

/// <summary>
/// The embedded default analyzer: no network, Finnish and English (Swedish detected, lightly scored).
/// A stem lexicon (Finnish inflection and compounds by word start, longest stem wins) under a small grammar:
/// negation with a scope (ei/en/…/not/n't, "never … such good" does not flip), intensifiers and diminishers,
/// contrast (mutta/but: the clause after counts more; vaikka/although: the conceded clause counts less),
/// emoji and emoticons, "!" and CAPITALS, and sarcasm markers ("kiitos vaan", scare quotes, "great… not", 🙄).
/// Touchpoints take the polarity of the clause (else the sentence) that mentions them.
/// </summary>
public sealed class LexiconAnalyzer : ISentimentAnalyzer
{
    /// <summary>Longer texts are scored on their first part; reviews and mentions are far shorter.</summary>
    internal const int MaxChars = 50_000;

    private const double Alpha = 2.5;
    private const int NegationWindow = 3;

    /// <summary>Negativity bias: in reviews a stated problem outweighs the same amount of praise.</summary>
    private const double NegativeWeight = 1.15;

    /// <summary>An unmet negation of something the customer waits for ("never arrived", "no response").</summary>
    private const double UnmetExpectation = -1.1;

    /// <summary>A bare unmet negation ("ei vastannut", "didn't say").</summary>
    private const double UnmetNegation = -0.5;

    public Task<IReadOnlyList<SentimentResult>> AnalyzeAsync(IReadOnlyList<SentimentInput> inputs, CancellationToken cancellationToken = default)
    {
        var results = new SentimentResult[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results[i] = Analyze(inputs[i]);
        }

        return Task.FromResult<IReadOnlyList<SentimentResult>>(results);
    }

    /// <summary>Scores one text. Never throws for any string content.</summary>
    public static SentimentResult Analyze(SentimentInput input)
    {
        var id = input.Id ?? string.Empty;
        var hint = NormalizeLanguage(input.Language);
        var text = (input.Text ?? string.Empty).AsSpan();
        if (text.Length > MaxChars)
        {
            // Never cut a surrogate pair in half.
            text = text[..(char.IsHighSurrogate(text[MaxChars - 1]) ? MaxChars - 1 : MaxChars)];
        }

        if (text.IsWhiteSpace())
        {
            return SentimentResult.Empty(id, hint ?? "und");
        }

        var buffer = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var lower = buffer.AsSpan(0, text.Length);
            var tokens = new List<Token>(Math.Min(text.Length / 4 + 8, 4096));
            Tokenizer.Tokenize(text, lower, tokens);
            var language = hint ?? Detect(lower, tokens);
            return new Scorer(lower, tokens, language).Run(id, language);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Detects fi, en, sv or "und" (undetermined).</summary>
    public static string DetectLanguage(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "und";
        }

        var span = text.AsSpan(0, Math.Min(text.Length, MaxChars));
        var lower = new char[span.Length];
        var tokens = new List<Token>();
        Tokenizer.Tokenize(span, lower, tokens);
        return Detect(lower, tokens);
    }

    private static string Detect(ReadOnlySpan<char> lower, List<Token> tokens)
    {
        var votes = default(LanguageDetector.Votes);
        var words = 0;
        foreach (var t in tokens)
        {
            if (t.Kind == TokenKind.Word)
            {
                votes.Add(lower.Slice(t.Start, t.Length));
                if (++words > 200)
                {
                    break;
                }
            }
        }

        return votes.Result();
    }

    private static string? NormalizeLanguage(string? language)
    {
        if (string.IsNullOrWhiteSpace(language))
        {
            return null;
        }

        var dash = language.IndexOfAny(['-', '_']);
        var code = (dash > 0 ? language[..dash] : language).Trim().ToLowerInvariant();
        return code.Length is >= 2 and <= 3 ? code : null;
    }

    private struct Contribution(int clause, double value, bool inQuote, bool sarcasmCandidate, bool polite = false)
    {
        public readonly int Clause = clause;
        public double Value = value;
        public readonly bool InQuote = inQuote;
        public bool SarcasmCandidate = sarcasmCandidate;

        /// <summary>"thank you", "kiitos": courtesy that closes a complaint as often as it praises.</summary>
        public readonly bool Polite = polite;
    }

    private struct Clause(int sentence, double weight)
    {
        public readonly int Sentence = sentence;
        public double Weight = weight;
        public double Sum;
    }

    private struct Sentence
    {
        public int Exclaims;
        public bool Question;
        public bool Sarcastic;
        public bool SarcasmEmoji;
        public double Sum;
    }

    /// <summary>One pass over the tokens with the grammar's state; then sums clauses and sentences.</summary>
    private ref struct Scorer
    {
        private readonly ReadOnlySpan<char> lower;
        private readonly List<Token> tokens;
        private readonly bool swedish;
        private readonly bool finnish;
        private readonly List<Contribution> contributions = new(16);
        private readonly List<Clause> clauses = new(8);
        private readonly List<Sentence> sentences = new(4);
        private readonly List<(int Touchpoint, int Clause)> mentions = new(4);
        private int critical;

        // Grammar state.
        private int sentenceWords;
        private double tailWeight = 1;
        private bool concessiveOpen;
        private int negationLeft;
        private bool negationEver;
        private bool negationCant;
        private bool negationUsed;
        private bool negationExpected;
        private int stillAt = -10;
        private int reservationClause = -1;
        private int wishClause = -1;
        private int negationClause;
        private double intensity = 1;
        private bool ihan;
        private int intensityLeft;
        private double capsBoost = 1;
        private bool quoteOpen;
        private int quoteStart;
        private int quoteWords;

        public Scorer(ReadOnlySpan<char> lower, List<Token> tokens, string language)
        {
            this.lower = lower;
            this.tokens = tokens;
            swedish = language == "sv";
            finnish = language == "fi";
            negationClause = -1;
            negationUsed = true;
            sentences.Add(default);
            clauses.Add(new Clause(0, 1));
        }

        private readonly int CurrentClause => clauses.Count - 1;

        private readonly int CurrentSentence => sentences.Count - 1;

        public SentimentResult Run(string id, string language)
        {
            for (var i = 0; i < tokens.Count; i++)
            {
                var t = tokens[i];
                switch (t.Kind)
                {
                    case TokenKind.Word:
                        Word(i, t);
                        break;
                    case TokenKind.Emoji:
                        AddContribution(t.Value, sarcasmCandidate: false);
                        if (t.Sarcasm)
                        {
                            var s = sentences[CurrentSentence];
                            s.SarcasmEmoji = true;
                            sentences[CurrentSentence] = s;
                        }

                        break;
                    case TokenKind.ClauseEnd:
                        EndNegation();
                        NewClause(concessiveOpen ? 1.3 : tailWeight);
                        concessiveOpen = false;
                        break;
                    case TokenKind.SentenceEnd:
                        EndSentence(t);
                        break;
                    case TokenKind.Quote:
                        Quote();
                        break;
                }
            }

            EndNegation();
            return Aggregate(id, language);
        }

        private void Word(int index, Token t)
        {
            var word = lower.Slice(t.Start, t.Length);
            sentenceWords++;
            if (quoteOpen)
            {
                quoteWords++;
            }

            var touch = Taxonomy.Touchpoint(word);
            if (touch >= 0)
            {
                mentions.Add((touch, CurrentClause));
            }

            var topic = Taxonomy.Critical(word);
            if (topic < 0 && index > 0 && tokens[index - 1].Kind == TokenKind.Word)
            {
                var prev = tokens[index - 1];
                topic = Taxonomy.CriticalPair(lower.Slice(prev.Start, prev.Length), word);
            }

            if (topic >= 0)
            {
                critical |= 1 << topic;
            }

            if (Phrase(index, word))
            {
                return;
            }

            // "the only minus is …", "ainoa miinus …", "a minor issue": what follows in the clause is a reservation.
            if (((word.SequenceEqual("only") && index >= 1 && (Is(index - 1, "the") || Is(index - 1, "my")))
                || word.StartsWith("ainoa") || word.SequenceEqual("ainut") || word.SequenceEqual("minor")))
            {
                reservationClause = CurrentClause;
                if (word.SequenceEqual("minor"))
                {
                    Tick();
                    return;
                }
            }

            if (!Lexicon.TryMatch(word, out var entry, out var stemLength))
            {
                // Finnish "epä-" turns a positive word around (epäsiisti, epäluotettava).
                if (word.Length > 6 && word.StartsWith("epä") && Lexicon.TryMatch(word[3..], out entry, out stemLength) && entry is { Role: WordRole.Sentiment, Value: > 0 })
                {
                    entry = entry with { Value = -entry.Value };
                    stemLength += 3;
                }
                else
                {
                    Tick();
                    return;
                }
            }

            if (entry.Role == WordRole.Negator && ((swedish && word.SequenceEqual("en")) || (finnish && word.SequenceEqual("no"))))
            {
                // Swedish "en" is an article and Finnish "no" means "well", not negations.
                Tick();
                return;
            }

            // "went as it should", "kuten pitääkin": what ought to happen did.
            if (entry.Value < 0 && (word.SequenceEqual("should") || word.StartsWith("pitä")) && index >= 2
                && (Is(index - 1, "as") || Is(index - 2, "as") || Is(index - 1, "kuten") || Is(index - 2, "kuten") || Is(index - 1, "kuin")))
            {
                entry = entry with { Value = 0.8 };
            }

            switch (entry.Role)
            {
                case WordRole.Negator:
                    Negator(index, t, word);
                    return;
                case WordRole.Intensifier:
                    Intensify(entry.Value, t.Caps, word.SequenceEqual("ihan"));
                    return;
                case WordRole.Booster when NextIsPolar(index):
                    Intensify(entry.Value > 0 ? 1.3 : 1.5, t.Caps, isIhan: false);
                    return;
                case WordRole.Booster:
                    Polar(entry.Value, t.Caps, index);
                    return;
                case WordRole.Contrast:
                    Contrast();
                    return;
                case WordRole.Concessive:
                    EndNegation();
                    if (word.SequenceEqual("huolimatta"))
                    {
                        // A postposition: "jonosta huolimatta" concedes what came before it.
                        var c = clauses[CurrentClause];
                        c.Weight *= 0.5;
                        clauses[CurrentClause] = c;
                        NewClause(1.3);
                    }
                    else
                    {
                        NewClause(0.5);
                        concessiveOpen = true;
                    }

                    return;
                case WordRole.Conditional:
                    // "ei voisi olla parempi", "couldn't be better": the negation reaches into the conditional.
                    if (!(negationLeft == NegationWindow && index >= 1 && tokens[index - 1].Kind == TokenKind.Word))
                    {
                        EndNegation();
                    }

                    NewClause(0.4);
                    return;
                case WordRole.ScopeBreak:
                    SarcasticThanks(index, word);
                    EndNegation();
                    if (word.SequenceEqual("ja") || word.SequenceEqual("and"))
                    {
                        ResetIntensity();
                    }

                    return;
                case WordRole.Filler:
                    return;
                case WordRole.Ever:
                    negationEver |= negationLeft > 0;
                    return;
                case WordRole.Still:
                    if (negationLeft == 0 && !NextIsPolar(index))
                    {
                        // "still waiting", "still in transit": in a review, what is still so is still wrong.
                        AddContribution(-0.4, sarcasmCandidate: false);
                    }

                    stillAt = index;
                    negationExpected |= negationLeft > 0;
                    return;
                case WordRole.Expected:
                    if (negationLeft > 0)
                    {
                        // Decided when the scope ends: "didn't arrive" complains, "didn't receive any problems" does not.
                        negationExpected = true;
                    }
                    else if (entry.Value != 0)
                    {
                        Polar(entry.Value, t.Caps, index);
                    }
                    else if (index >= 2 && (Is(index - 1, "have") || Is(index - 1, "been")) && PrecededByAny(index, 4, ShouldHave))
                    {
                        // "it should have arrived by Friday", "should have been delivered": what ought to have happened did not.
                        AddContribution(-0.6, sarcasmCandidate: false);
                    }

                    return;
                case WordRole.Degree:
                    if (negationLeft > 0 && negationEver)
                    {
                        // "en ole koskaan saanut näin hyvää palvelua": praise, not negation.
                        negationLeft = 0;
                        negationUsed = true;
                        Intensify(1.5, t.Caps, isIhan: false);
                    }
                    else
                    {
                        Intensify(1.3, t.Caps, isIhan: false);
                    }

                    return;
                case WordRole.Again:
                    if (negationLeft > 0)
                    {
                        negationLeft = 0;
                        negationUsed = true;
                        AddContribution(-1.3 * capsBoost * (t.Caps ? 1.3 : 1), sarcasmCandidate: false);
                        capsBoost = 1;
                    }
                    else if (entry.Value != 0)
                    {
                        AddContribution(entry.Value, sarcasmCandidate: false);
                    }
                    else if (word.SequenceEqual("again") && PrecededByAny(index, 3, ReturnVerbs))
                    {
                        // "would buy again", "will definitely order again".
                        AddContribution(1.2, sarcasmCandidate: false);
                    }

                    return;
                case WordRole.Sentiment:
                    if (entry.Value > 0 && Caritive(word[stemLength..]))
                    {
                        entry = entry with { Value = -entry.Value };
                    }

                    if (entry.Value > 0 && stemLength + 4 <= word.Length)
                    {
                        // Compound with the praise first: "huippupalvelu", "loistohotelli".
                        var tail = Taxonomy.Touchpoint(word[stemLength..]);
                        if (tail >= 0 && touch < 0)
                        {
                            mentions.Add((tail, CurrentClause));
                        }
                    }

                    Polar(entry.Value, t.Caps, index);
                    return;
                default:
                    Tick();
                    return;
            }
        }

        /// <summary>The Finnish caritive suffix (-ton/-tön/-maton) means "without": asiantuntematon, kohtuuton.</summary>
        private static bool Caritive(ReadOnlySpan<char> rest) =>
            rest.Contains("ton", StringComparison.Ordinal) || rest.Contains("tön", StringComparison.Ordinal)
            || rest.Contains("ttom", StringComparison.Ordinal) || rest.Contains("ttöm", StringComparison.Ordinal);

        private void Negator(int index, Token t, ReadOnlySpan<char> word)
        {
            // "Great service… not." / "hyvä palvelu… NOT": a bare "not" ending a sentence flips what came before.
            if (word.SequenceEqual("not") && (index + 1 >= tokens.Count || tokens[index + 1].Kind == TokenKind.SentenceEnd)
                && (sentenceWords == 1 || tokens[index - 1].Kind is TokenKind.ClauseEnd or TokenKind.SentenceEnd))
            {
                var target = sentenceWords == 1 && CurrentSentence > 0 ? CurrentSentence - 1 : CurrentSentence;
                var s = sentences[target];
                s.Sarcastic = true;
                sentences[target] = s;
                return;
            }

            // "thanks for nothing"
            if (word.SequenceEqual("nothing") && index >= 2 && Is(index - 1, "for") && (Is(index - 2, "thanks") || Is(index - 2, "thank")) && contributions.Count > 0)
            {
                var last = contributions[^1];
                last.Value = -1.3;
                contributions[^1] = last;
                return;
            }

            EndNegation();
            negationLeft = NegationWindow;
            negationEver = word.SequenceEqual("never");
            negationCant = word.StartsWith("can") || word.StartsWith("couldn");
            negationExpected = index - stillAt <= 2;
            negationUsed = false;
            negationClause = CurrentClause;
            if (t.Caps)
            {
                capsBoost = 1.3;
            }
        }

        private readonly bool Is(int index, string word) =>
            tokens[index].Kind == TokenKind.Word && lower.Slice(tokens[index].Start, tokens[index].Length).SequenceEqual(word);

        /// <summary>"kiitos vaan" / "kiitti vaan": thanks that are probably sarcastic; decided once we know the rest.</summary>
        private readonly void SarcasticThanks(int index, ReadOnlySpan<char> word)
        {
            if ((word.SequenceEqual("vaan") || word.SequenceEqual("vain")) && index > 0 && contributions.Count > 0
                && (Is(index - 1, "kiitos") || Is(index - 1, "kiitti") || Is(index - 1, "kiitoksia")))
            {
                var last = contributions[^1];
                last.SarcasmCandidate = true;
                contributions[^1] = last;
            }
        }

        private readonly bool NextIsPolar(int index)
        {
            if (index + 1 >= tokens.Count || tokens[index + 1].Kind != TokenKind.Word)
            {
                return false;
            }

            var next = lower.Slice(tokens[index + 1].Start, tokens[index + 1].Length);
            return Lexicon.TryMatch(next, out var e, out _) && e.Role is WordRole.Sentiment or WordRole.Booster or WordRole.Intensifier;
        }

        private void Intensify(double factor, bool caps, bool isIhan)
        {
            if (isIhan)
            {
                ihan = true;
            }
            else
            {
                intensity *= factor;
            }

            if (caps)
            {
                capsBoost = 1.3;
            }

            intensityLeft = 2;
        }

        private void Polar(double value, bool caps, int index)
        {
            var v = value;
            if (v > 0 && (wishClause == CurrentClause || (Comparative(index) && PrecededByAny(index, 3, Counterfactual))))
            {
                var c = clauses[CurrentClause];
                c.Weight = Math.Max(c.Weight, 1);
                clauses[CurrentClause] = c;
                if (negationLeft > 0)
                {
                    // "couldn't be better", "ei voisi olla parempi".
                    negationLeft = 0;
                    negationUsed = true;
                }
                else
                {
                    // "could be clearer", "toimitus voisi olla nopeampi": what is wished for was missing.
                    v = -0.6 * v;
                }
            }

            // After "didn't arrive" / "ei vastannut" the negation is about the awaited thing: a complaint that follows
            // ("for weeks", "viikkoon") is not turned around.
            if (negationLeft > 0 && !(negationExpected && v < 0))
            {
                negationUsed = true;
                var enoughFollows = negationCant && (FollowedBy(index, "enough") || FollowedBy(index, "tarpeeksi"));
                if (!enoughFollows)
                {
                    v = v > 0 ? -0.9 * v : -0.6 * v;
                }
            }

            v *= intensity;
            if (ihan)
            {
                v *= v > 0 ? 0.85 : 1.3;
            }

            v *= capsBoost * (caps ? 1.4 : 1);
            if (v < 0 && reservationClause == CurrentClause)
            {
                // "the only minus", "ainoa miinus", "a minor issue": a reservation inside praise.
                v *= 0.3;
            }

            var w = lower.Slice(tokens[index].Start, tokens[index].Length);
            contributions.Add(new Contribution(CurrentClause, v, quoteOpen, false, polite: w.StartsWith("thank") || w.StartsWith("kiit")));
            ResetIntensity();
            Tick(countsForIntensity: false);
        }

        private readonly bool FollowedBy(int index, string word)
        {
            for (var j = index + 1; j < tokens.Count && j <= index + 3; j++)
            {
                if (Is(j, word))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The word one or two places back (words only, within the clause).</summary>
        private readonly bool PrecededBy(int index, string word) =>
            (index >= 1 && Is(index - 1, word)) || (index >= 2 && tokens[index - 1].Kind == TokenKind.Word && Is(index - 2, word));

        private readonly bool PrecededByAny(int index, int distance, string[] words)
        {
            for (var j = index - 1; j >= 0 && j >= index - distance && tokens[j].Kind == TokenKind.Word; j--)
            {
                var w = lower.Slice(tokens[j].Start, tokens[j].Length);
                foreach (var candidate in words)
                {
                    if (w.StartsWith(candidate))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private readonly bool NextWordIs(int index, string word) => index + 1 < tokens.Count && Is(index + 1, word);

        /// <summary>
        /// Multiword expressions of customer reviews, decided on the word that completes them. Returns true when the
        /// word was consumed.
        /// </summary>
        private bool Phrase(int index, ReadOnlySpan<char> word)
        {
            // Star ratings said in words: "5 stars", "one star", "viisi tähteä". "1 star off" / "tähti pois" means four.
            if (index + 1 < tokens.Count && tokens[index + 1].Kind == TokenKind.Word)
            {
                var next = lower.Slice(tokens[index + 1].Start, tokens[index + 1].Length);
                if (next.StartsWith("star") || next.StartsWith("tähte") || next.StartsWith("tähti") || next.StartsWith("tähde"))
                {
                    var stars = StarCount(word);
                    if (stars > 0)
                    {
                        var deducted = FollowedBy(index + 1, "off") || FollowedBy(index + 1, "minus") || FollowedBy(index + 1, "away") || FollowedBy(index + 1, "less")
                            || FollowedBy(index + 1, "pois") || FollowedBy(index + 1, "miinus") || FollowedBy(index + 1, "vähemmän") || PrecededBy(index, "minus") || PrecededBy(index, "miinus");
                        Polar(deducted ? 0.6 : (stars - 3) * 0.75, tokens[index].Caps, index);
                        return true;
                    }
                }
            }

            // "as promised", "as expected", "kuten luvattiin", "sovitusti".
            if ((word.StartsWith("promise") || word.StartsWith("expected") || word.StartsWith("agreed") || word.StartsWith("described") || word.StartsWith("advertised") || word.StartsWith("ordered")
                || word.StartsWith("desired") || word.StartsWith("wished") || word.StartsWith("requested") || word.StartsWith("instructed"))
                && index >= 1 && Is(index - 1, "as"))
            {
                Polar(0.8, false, index);
                return true;
            }

            if ((word.StartsWith("luvat") || word.StartsWith("luvattiin") || word.StartsWith("sovit") || word.StartsWith("odotet")) && index >= 1 && Is(index - 1, "kuten"))
            {
                Polar(0.8, false, index);
                return true;
            }

            // "on time", "in time", "the same day".
            if (word.SequenceEqual("time") && index >= 1 && (Is(index - 1, "on") || (Is(index - 1, "in") && !(index >= 2 && Is(index - 2, "long")))))
            {
                Polar(0.8, false, index);
                return true;
            }

            if (word.SequenceEqual("day") && index >= 2 && Is(index - 1, "same") && Is(index - 2, "the"))
            {
                Polar(0.8, false, index);
                return true;
            }

            // "delivery took two weeks", "toimitus kesti viikon": a duration told as taking is a wait complained about.
            if ((word.SequenceEqual("took") || word.SequenceEqual("takes") || word.SequenceEqual("lasted") || word.SequenceEqual("kesti") || word.SequenceEqual("kestää")) && TakesLong(index))
            {
                AddContribution(-0.6, sarcasmCandidate: false);
                Tick();
                return true;
            }

            // "just what I wanted", "exactly the way I ordered it", "juuri sitä mitä halusin": the expectation was met.
            var met = MetExpectation(index, word);
            if (met != 0)
            {
                Polar(0.8 * met, false, index);
                return true;
            }

            // "everything went all right"
            if (word.SequenceEqual("right") && index >= 1 && Is(index - 1, "all"))
            {
                Polar(0.7, false, index);
                return true;
            }

            // "a week later than promised", "much longer than originally agreed", "kesti luvattua kauemmin": a broken
            // promise. "faster than expected" keeps its praise.
            if (BrokenPromise(index, word))
            {
                Polar(-0.8, false, index);
                return true;
            }

            // "I will continue to order", "keep buying here".
            if ((word.StartsWith("continu") || word.SequenceEqual("keep")) && FollowedByAny(index, 3, ReturnVerbs))
            {
                Polar(1.0, false, index);
                return true;
            }

            // "a full ten", "full marks", "täysi kymppi", "täydet pisteet".
            if (word is "ten" or "score" or "marks" or "points" or "kymppi" or "kympin" or "pisteet" && index >= 1
                && (Is(index - 1, "full") || Is(index - 1, "täysi") || Is(index - 1, "täydet") || Is(index - 1, "täyden")))
            {
                Polar(1.3, false, index);
                return true;
            }

            // "I would have liked faster delivery", "olisin toivonut …": a wish that was not met.
            if (word is "liked" or "wanted" or "hoped" or "preferred" or "expected" or "appreciated" or "wished" or "toivonut" or "halunnut" or "odottanut"
                && index >= 2 && ((Is(index - 1, "have") && (Is(index - 2, "would") || Is(index - 2, "i'd"))) || Is(index - 1, "olisin") || Is(index - 1, "olisimme") || Is(index - 2, "olisin") || Is(index - 2, "olisimme")))
            {
                var c = clauses[CurrentClause];
                c.Weight = Math.Max(c.Weight, 1);
                clauses[CurrentClause] = c;
                wishClause = CurrentClause;
                AddContribution(-0.8, sarcasmCandidate: false);
                return true;
            }

            // "the process went well until …": what follows "until" outweighs what came before.
            if ((word.SequenceEqual("until") || word.SequenceEqual("kunnes")) && sentenceWords > 3)
            {
                Contrast();
                return true;
            }

            // "no longer" is "not any more".
            if (word.SequenceEqual("longer") && index >= 1 && Is(index - 1, "no") && negationLeft > 0)
            {
                negationLeft = 0;
                negationUsed = true;
                AddContribution(-1.1, sarcasmCandidate: false);
                return true;
            }

            // "where is my order?": a question that is a complaint.
            if (word.SequenceEqual("where") && index + 2 < tokens.Count && (NextWordIs(index, "is") || NextWordIs(index, "are") || NextWordIs(index, "'s"))
                && (Is(index + 2, "my") || Is(index + 2, "our") || Is(index + 2, "the")))
            {
                AddContribution(-2.0, sarcasmCandidate: false);
                return true;
            }

            return false;
        }

        private readonly bool TakesLong(int index)
        {
            var unit = false;
            for (var j = index + 1; j < tokens.Count && j <= index + 6 && tokens[j].Kind == TokenKind.Word; j++)
            {
                var w = lower.Slice(tokens[j].Start, tokens[j].Length);
                if (w is "only" or "just" or "less" or "under" or "vain" or "vaan" or "vajaa" or "alle" or "hours" or "minutes" or "tuntia" or "minuuttia")
                {
                    return false;
                }

                unit |= w.StartsWith("day") || w.StartsWith("week") || w.StartsWith("month") || w is "forever" or "ages" or "long" or "päivä" or "päivää" or "päivän"
                    || w.StartsWith("viiko") || w.StartsWith("viikk") || w.StartsWith("kuukau") || w is "kauan" or "pitkään" or "ikuisuuden";
            }

            return unit;
        }

        /// <summary>+1 when an expectation was met ("just what I wanted"), -1 when contradicted ("other than what was ordered").</summary>
        private readonly int MetExpectation(int index, ReadOnlySpan<char> word)
        {
            // A wish met is praise on its own; an order or expectation met ("sitä mitä tilasin") is neutral unless
            // stressed ("juuri sitä mitä tilasin", "exactly what I ordered").
            var wishEn = word is "wanted" or "hoped" or "desired" or "wished" or "imagined";
            var wishFi = word.StartsWith("halus") || word is "toivoin" or "toivoimme";
            var english = wishEn || word is "expected" or "ordered" or "needed" or "asked";
            var finnish = wishFi || word.StartsWith("tilas") || word is "odotin" or "odotimme" or "tarvitsin" or "tarvitsimme" or "pyysin";
            if (!english && !finnish)
            {
                return 0;
            }

            for (var j = index - 1; j >= 0 && j >= index - 3 && tokens[j].Kind == TokenKind.Word; j--)
            {
                var w = lower.Slice(tokens[j].Start, tokens[j].Length);
                if (english ? w is "what" or "way" or "like" : w is "mitä" or "kuin")
                {
                    // "other than what was ordered", "different from what I wanted", "eri kuin mitä tilasin".
                    if (j >= 1 && (Is(j - 1, "than") || Is(j - 1, "from") || Is(j - 1, "other") || Is(j - 1, "kuin") || Is(j - 1, "eri") || Is(j - 1, "muuta")))
                    {
                        return -1;
                    }

                    return wishEn || wishFi || PrecededByAny(index, 5, Stress) ? 1 : 0;
                }
            }

            return 0;
        }

        private readonly bool BrokenPromise(int index, ReadOnlySpan<char> word)
        {
            if (word is "promised" or "estimated" or "expected" or "announced" or "agreed" or "stated" or "advertised" or "planned" or "indicated" or "reported" or "quoted")
            {
                var than = index >= 1 && Is(index - 1, "than") ? index - 1 : index >= 2 && Is(index - 2, "than") ? index - 2 : -1;
                if (than < 1 || tokens[than - 1].Kind != TokenKind.Word)
                {
                    return false;
                }

                // "faster than I expected" is praise: the comparative before "than" decides.
                var before = lower.Slice(tokens[than - 1].Start, tokens[than - 1].Length);
                return !(IsPraise(before) || (before.EndsWith("er") && (IsPraise(before[..^2]) || IsPraise(before[..^1]))));
            }

            if (word is "luvattua" or "arvioitua" or "ilmoitettua" or "odotettua" or "sovittua" && index + 1 < tokens.Count && tokens[index + 1].Kind == TokenKind.Word)
            {
                var next = lower.Slice(tokens[index + 1].Start, tokens[index + 1].Length);
                return next is "kauemmin" or "pidempään" or "myöhemmin" or "hitaammin" or "kauemman" or "pidemmän" or "myöhempään";
            }

            return false;
        }

        private static bool IsPraise(ReadOnlySpan<char> w) =>
            w.Length >= Lexicon.MinStem && Lexicon.TryMatch(w, out var e, out _) && e.Role is WordRole.Sentiment && e.Value > 0;

        private static readonly string[] Stress = ["just", "exactly", "precisely", "juuri", "täsmälleen", "nimenomaan"];

        private readonly bool FollowedByAny(int index, int distance, string[] words)
        {
            for (var j = index + 1; j < tokens.Count && j <= index + distance && tokens[j].Kind == TokenKind.Word; j++)
            {
                var w = lower.Slice(tokens[j].Start, tokens[j].Length);
                foreach (var candidate in words)
                {
                    if (w.StartsWith(candidate))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static int StarCount(ReadOnlySpan<char> word) => word switch
        {
            "1" or "one" or "yksi" or "yhden" or "yhtä" => 1,
            "2" or "two" or "kaksi" or "kahden" => 2,
            "3" or "three" or "kolme" or "kolmen" => 3,
            "4" or "four" or "neljä" or "neljän" => 4,
            "5" or "five" or "viisi" or "viiden" or "full" or "täydet" => 5,
            _ => 0,
        };

        private static readonly string[] ShouldHave = ["should", "ought"];

        private static readonly string[] Counterfactual = ["could", "should", "voisi", "pitäisi", "olisi"];

        /// <summary>A comparative of praise: better, faster, clearer, more …; parempi, nopeammin.</summary>
        private readonly bool Comparative(int index)
        {
            var w = lower.Slice(tokens[index].Start, tokens[index].Length);
            return w.EndsWith("er") || w.EndsWith("ier") || (index >= 1 && Is(index - 1, "more"))
                || w.Contains("mpi", StringComparison.Ordinal) || w.Contains("mpa", StringComparison.Ordinal) || w.Contains("mpä", StringComparison.Ordinal)
                || w.Contains("mmin", StringComparison.Ordinal);
        }

        private static readonly string[] ReturnVerbs = ["buy", "bought", "order", "shop", "use", "visit", "book", "come", "purchas", "recommend"];

        private void Tick(bool countsForIntensity = true)
        {
            if (negationLeft > 0 && --negationLeft == 0)
            {
                EndNegation();
            }

            if (countsForIntensity && intensityLeft > 0 && --intensityLeft == 0)
            {
                ResetIntensity();
            }
        }

        private void ResetIntensity()
        {
            intensity = 1;
            ihan = false;
            capsBoost = 1;
            intensityLeft = 0;
        }

        /// <summary>A negation that touched no sentiment word still says something went wrong ("ei vastannut", "didn't arrive").</summary>
        private void EndNegation()
        {
            if (!negationUsed && negationClause >= 0 && !sentences[clauses[negationClause].Sentence].Question)
            {
                contributions.Add(new Contribution(negationClause, negationExpected ? UnmetExpectation : UnmetNegation, false, false));
            }

            negationLeft = 0;
            negationUsed = true;
            negationExpected = false;
            negationClause = -1;
            negationEver = false;
            negationCant = false;
        }

        private void Contrast()
        {
            EndNegation();
            ResetIntensity();
            var sentence = CurrentSentence;
            var target = sentenceWords <= 1 && sentence > 0 ? sentence - 1 : sentence;
            for (var c = clauses.Count - 1; c >= 0 && clauses[c].Sentence >= target; c--)
            {
                if (clauses[c].Sentence == target)
                {
                    var clause = clauses[c];
                    clause.Weight *= 0.5;
                    clauses[c] = clause;
                }
            }

            tailWeight = 1.5;
            NewClause(1.5);
        }

        private void Quote()
        {
            if (!quoteOpen)
            {
                quoteOpen = true;
                quoteStart = contributions.Count;
                quoteWords = 0;
                return;
            }

            quoteOpen = false;
            if (quoteWords is > 0 and <= 3)
            {
                // Scare quotes: "ystävällinen" palvelu.
                for (var k = quoteStart; k < contributions.Count; k++)
                {
                    var c = contributions[k];
                    if (c.Value > 0)
                    {
                        c.Value = -c.Value;
                        contributions[k] = c;
                    }
                }
            }
        }

        private void NewClause(double weight)
        {
            clauses.Add(new Clause(CurrentSentence, weight));
        }

        private void EndSentence(Token t)
        {
            var s = sentences[CurrentSentence];
            s.Exclaims += t.Exclaims;
            s.Question |= t.Question;
            sentences[CurrentSentence] = s;
            EndNegation();
            ResetIntensity();

            // A sentence made only of "!!!" or an emoji belongs to the one before it.
            if (sentenceWords == 0 && CurrentSentence > 0 && t.Exclaims > 0)
            {
                var prev = sentences[CurrentSentence - 1];
                prev.Exclaims += t.Exclaims;
                sentences[CurrentSentence - 1] = prev;
            }

            sentences.Add(default);
            clauses.Add(new Clause(CurrentSentence, 1));
            sentenceWords = 0;
            tailWeight = 1;
            concessiveOpen = false;
        }

        private void AddContribution(double value, bool sarcasmCandidate)
        {
            contributions.Add(new Contribution(CurrentClause, value, quoteOpen, sarcasmCandidate));
        }

        private readonly SentimentResult Aggregate(string id, string language)
        {
            // Sarcasm emoji on a sentence without praise of its own looks back at the previous one.
            var sentenceSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sentences);
            var clauseSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(clauses);
            var items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(contributions);
            var otherNegative = 0.0;
            var plainPositive = 0.0;
            Span<bool> hasPraise = sentenceSpan.Length <= 256 ? stackalloc bool[sentenceSpan.Length] : new bool[sentenceSpan.Length];
            foreach (ref var c in items)
            {
                if (c.Value < 0)
                {
                    otherNegative -= c.Value;
                }
                else if (!c.SarcasmCandidate)
                {
                    hasPraise[clauseSpan[c.Clause].Sentence] = true;
                    if (!c.Polite)
                    {
                        plainPositive += c.Value;
                    }
                }
            }

            for (var s = sentenceSpan.Length - 1; s >= 0; s--)
            {
                if (sentenceSpan[s].SarcasmEmoji)
                {
                    var target = hasPraise[s] || s == 0 ? s : s - 1;
                    if (target < s && !hasPraise[target] && s >= 2 && hasPraise[s - 2])
                    {
                        target = s - 2;
                    }

                    sentenceSpan[target].Sarcastic = true;
                }
            }

            double pos = 0, neg = 0, rawPos = 0, rawNeg = 0;
            foreach (ref var c in items)
            {
                var v = c.Value;
                if (c.SarcasmCandidate && otherNegative > 0)
                {
                    v = -1.2;
                }
                else if (c.Polite && v > 0 && otherNegative > plainPositive)
                {
                    // "… still no package. Thank you." is courtesy, not praise.
                    v *= 0.25;
                }

                ref var clause = ref clauseSpan[c.Clause];
                ref var sentence = ref sentenceSpan[clause.Sentence];
                if (sentence.Sarcastic && v > 0)
                {
                    v = -v;
                }

                var w = clause.Weight * (1 + (0.2 * Math.Min(sentence.Exclaims, 3))) * (sentence.Question ? 0.5 : 1);
                var weighted = v * w * (v < 0 ? NegativeWeight : 1);
                clause.Sum += weighted;
                sentence.Sum += weighted;
                if (weighted > 0)
                {
                    pos += weighted;
                    rawPos += v;
                }
                else
                {
                    neg -= weighted;
                    rawNeg -= v;
                }
            }

            var total = pos - neg;
            var score = total / Math.Sqrt((total * total) + Alpha);
            var label = rawPos >= 0.5 && rawNeg >= 0.5 && Math.Min(rawPos, rawNeg) / Math.Max(rawPos, rawNeg) >= 0.3 ? SentimentLabel.Mixed
                : score >= 0.2 ? SentimentLabel.Positive
                : score <= -0.2 ? SentimentLabel.Negative
                : SentimentLabel.Neutral;

            return new SentimentResult(id, label, Math.Round(score, 3), language, Touchpoints(clauseSpan, sentenceSpan), CriticalTopics());
        }

        private readonly List<TouchpointSentiment> Touchpoints(Span<Clause> clauseSpan, Span<Sentence> sentenceSpan)
        {
            var result = new List<TouchpointSentiment>(mentions.Count);
            Span<int> positive = stackalloc int[Taxonomy.Touchpoints.Length];
            Span<int> negative = stackalloc int[Taxonomy.Touchpoints.Length];
            Span<bool> seen = stackalloc bool[Taxonomy.Touchpoints.Length];
            Span<int> order = stackalloc int[Taxonomy.Touchpoints.Length];
            var count = 0;
            foreach (var (tp, clause) in mentions)
            {
                var polarity = clauseSpan[clause].Sum;
                if (Math.Abs(polarity) < 0.1)
                {
                    polarity = sentenceSpan[clauseSpan[clause].Sentence].Sum;
                }

                if (polarity >= 0.1)
                {
                    positive[tp]++;
                }
                else if (polarity <= -0.1)
                {
                    negative[tp]++;
                }

                if (!seen[tp])
                {
                    seen[tp] = true;
                    order[count++] = tp;
                }
            }

            for (var k = 0; k < count; k++)
            {
                var tp = order[k];
                var label = positive[tp] > 0 && negative[tp] > 0 ? SentimentLabel.Mixed
                    : positive[tp] > 0 ? SentimentLabel.Positive
                    : negative[tp] > 0 ? SentimentLabel.Negative
                    : SentimentLabel.Neutral;
                result.Add(new TouchpointSentiment(Taxonomy.Touchpoints[tp], label));
            }

            return result;
        }

        private readonly List<string> CriticalTopics()
        {
            var result = new List<string>();
            for (var k = 0; k < Taxonomy.CriticalTopics.Length; k++)
            {
                if ((critical & (1 << k)) != 0)
                {
                    result.Add(Taxonomy.CriticalTopics[k]);
                }
            }

            return result;
        }
    }
}
