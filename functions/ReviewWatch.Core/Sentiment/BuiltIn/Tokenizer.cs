namespace ReviewWatch.Sentiment.BuiltIn;

internal enum TokenKind : byte
{
    Word,
    Emoji,
    SentenceEnd,
    ClauseEnd,
    Quote,
}

/// <summary>One token over the lower-cased buffer. Sentence ends carry their "!" count and whether they ask or trail off.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length, bool Caps = false, double Value = 0, int Exclaims = 0, bool Question = false, bool Ellipsis = false, bool Sarcasm = false);

/// <summary>
/// Splits text into words, emoji/emoticons and punctuation that bounds clauses and sentences. Works on any
/// UTF-16 input, including lone surrogates and control characters (they are skipped).
/// </summary>
internal static class Tokenizer
{
    private static readonly Dictionary<int, double> EmojiWeights = new()
    {
        [0x1F600] = 1.0, [0x1F601] = 1.0, [0x1F602] = 0.4, [0x1F603] = 1.0, [0x1F604] = 1.0, [0x1F605] = 0.3,
        [0x1F606] = 0.9, [0x1F609] = 0.6, [0x1F60A] = 1.1, [0x1F60B] = 1.2, [0x1F60C] = 0.6, [0x1F60D] = 1.5,
        [0x1F60E] = 0.8, [0x1F618] = 1.0, [0x1F642] = 0.7, [0x1F917] = 1.0, [0x1F929] = 1.5, [0x1F970] = 1.5,
        [0x1F973] = 1.2, [0x1F44D] = 1.2, [0x1F44C] = 1.0, [0x1F44F] = 1.0, [0x1F64F] = 0.8, [0x1F64C] = 1.0,
        [0x1F389] = 1.0, [0x1F38A] = 1.0, [0x2764] = 1.3, [0x2665] = 1.2, [0x1F495] = 1.3, [0x1F496] = 1.3,
        [0x1F497] = 1.3, [0x1F498] = 1.2, [0x1F499] = 1.2, [0x1F49A] = 1.2, [0x1F49B] = 1.2, [0x1F49C] = 1.2,
        [0x1F9E1] = 1.2, [0x1F90D] = 1.2, [0x1F49E] = 1.3, [0x1F493] = 1.2, [0x2B50] = 1.0, [0x1F31F] = 1.0,
        [0x2728] = 0.6, [0x1F4AF] = 1.2, [0x1F525] = 0.8, [0x263A] = 1.0, [0x2705] = 0.6, [0x1F4AA] = 0.8,
        [0x1F60F] = 0.2, [0x1F614] = -1.0, [0x1F923] = 0.4,
        [0x1F44E] = -1.5, [0x1F620] = -1.5, [0x1F621] = -1.7, [0x1F92C] = -1.8, [0x1F624] = -1.3, [0x1F61E] = -1.2,
        [0x1F61F] = -1.0, [0x1F622] = -1.2, [0x1F62D] = -1.2, [0x1F62B] = -1.2, [0x1F629] = -1.2, [0x1F612] = -1.0,
        [0x1F644] = -0.8, [0x1F643] = -0.3, [0x1F615] = -0.8, [0x2639] = -1.2, [0x1F641] = -1.0, [0x1F92E] = -1.8,
        [0x1F922] = -1.6, [0x1F4A9] = -1.5, [0x1F926] = -1.0, [0x1F625] = -0.9, [0x1F630] = -0.9, [0x1F631] = -1.0,
        [0x1F616] = -1.0, [0x1F623] = -1.0, [0x1F611] = -0.5, [0x1F610] = -0.3, [0x1F494] = -1.3, [0x274C] = -0.8,
        [0x1F6AB] = -0.8, [0x1F912] = -0.8, [0x1F62C] = -0.4,
    };

    /// <summary>Eye-roll and friends: they turn the praise around them into sarcasm.</summary>
    private static bool IsSarcasmEmoji(int codePoint) => codePoint is 0x1F644 or 0x1F612 or 0x1F643;

    /// <summary>Tokenizes <paramref name="text"/>; <paramref name="lower"/> receives its lower-cased copy (same length).</summary>
    public static void Tokenize(ReadOnlySpan<char> text, Span<char> lower, List<Token> tokens)
    {
        text.ToLowerInvariant(lower);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                i = ReadWord(text, lower, i, tokens);
                continue;
            }

            if (TryEmoticon(text, i, out var emoticonLength, out var emoticonValue))
            {
                tokens.Add(new Token(TokenKind.Emoji, i, emoticonLength, Value: emoticonValue));
                i += emoticonLength;
                continue;
            }

            switch (c)
            {
                case '.' or '…':
                    {
                        var start = i;
                        var dots = 0;
                        while (i < text.Length && (text[i] == '.' || text[i] == '…'))
                        {
                            dots += text[i] == '…' ? 3 : 1;
                            i++;
                        }

                        // "1.5" and "e.g." are not sentence ends.
                        if (dots == 1 && i < text.Length && char.IsLetterOrDigit(text[i]))
                        {
                            continue;
                        }

                        tokens.Add(new Token(TokenKind.SentenceEnd, start, i - start, Ellipsis: dots > 1));
                        continue;
                    }

                case '!' or '?':
                    {
                        var start = i;
                        var bangs = 0;
                        var question = false;
                        while (i < text.Length && text[i] is '!' or '?')
                        {
                            bangs += text[i] == '!' ? 1 : 0;
                            question |= text[i] == '?';
                            i++;
                        }

                        tokens.Add(new Token(TokenKind.SentenceEnd, start, i - start, Exclaims: bangs, Question: question && bangs == 0));
                        continue;
                    }

                case '\n':
                    tokens.Add(new Token(TokenKind.SentenceEnd, i, 1));
                    i++;
                    continue;

                case ',' or ';' or ':' or '(' or ')' or '–' or '—' or '/':
                    tokens.Add(new Token(TokenKind.ClauseEnd, i, 1));
                    i++;
                    continue;

                case '-' when i > 0 && char.IsWhiteSpace(text[i - 1]):
                    tokens.Add(new Token(TokenKind.ClauseEnd, i, 1));
                    i++;
                    continue;

                case '"' or '“' or '”' or '„' or '«' or '»':
                    tokens.Add(new Token(TokenKind.Quote, i, 1));
                    i++;
                    continue;

                default:
                    break;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                if (EmojiWeights.TryGetValue(codePoint, out var w))
                {
                    tokens.Add(new Token(TokenKind.Emoji, i, 2, Value: w, Sarcasm: IsSarcasmEmoji(codePoint)));
                }

                i += 2;
                continue;
            }

            if (c >= 0x2600 && EmojiWeights.TryGetValue(c, out var bmp))
            {
                tokens.Add(new Token(TokenKind.Emoji, i, 1, Value: bmp));
            }

            i++;
        }
    }

    private static int ReadWord(ReadOnlySpan<char> text, Span<char> lower, int start, List<Token> tokens)
    {
        var i = start;
        var letters = 0;
        var upper = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                if (char.IsLetter(c))
                {
                    letters++;
                    upper += char.IsUpper(c) ? 1 : 0;
                }

                i++;
            }
            else if ((c is '\'' or '’' or '-' or '´') && i + 1 < text.Length && char.IsLetter(text[i + 1]))
            {
                // Apostrophes inside words (don't, wasn’t) are normalised so the lexicon has one spelling.
                lower[i] = c == '-' ? '-' : '\'';
                i++;
            }
            else
            {
                break;
            }
        }

        tokens.Add(new Token(TokenKind.Word, start, i - start, Caps: letters >= 2 && upper == letters));
        return i;
    }

    private static bool TryEmoticon(ReadOnlySpan<char> text, int i, out int length, out double value)
    {
        length = 0;
        value = 0;
        var c = text[i];
        if (c == '<' && i + 1 < text.Length && text[i + 1] == '3')
        {
            (length, value) = (2, 1.2);
            return true;
        }

        if (c == '^' && i + 1 < text.Length && (text[i + 1] == '^' || (text[i + 1] == '_' && i + 2 < text.Length && text[i + 2] == '^')))
        {
            (length, value) = (text[i + 1] == '^' ? 2 : 3, 0.9);
            return true;
        }

        if (c is not (':' or ';' or '='))
        {
            return false;
        }

        var j = i + 1;
        if (j < text.Length && text[j] is '-' or '\'' or 'o')
        {
            j++;
        }

        if (j >= text.Length)
        {
            return false;
        }

        // Not "://" in a URL, nor a colon before a word ("Hinta: 5 €", ":D" is fine because D ends the token).
        var mouth = text[j];
        var next = j + 1 < text.Length ? text[j + 1] : ' ';
        if (char.IsLetterOrDigit(next) || next == '/')
        {
            return false;
        }

        value = mouth switch
        {
            ')' or ']' or '}' or 'D' or '3' or '*' => 1.0,
            'P' or 'p' => 0.6,
            '(' or '[' or '{' => text[j - 1] == '\'' ? -1.3 : -1.1,
            '/' or '\\' or '|' or 'S' or 's' => -0.6,
            _ => 0,
        };
        if (value == 0)
        {
            return false;
        }

        length = j + 1 - i;
        return true;
    }
}
