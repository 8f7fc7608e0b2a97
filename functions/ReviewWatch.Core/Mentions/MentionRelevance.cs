namespace ReviewWatch.Mentions;

/// <summary>Why an item was not kept; each is counted per business and source.</summary>
public static class DropReasons
{
    /// <summary>None of the business's names, handles or hashtags occur (a feed or search returned something else).</summary>
    public const string NoTerm = "no-term";

    /// <summary>An exclusion occurs.</summary>
    public const string Excluded = "excluded";

    /// <summary>The name is ambiguous and no co-term, handle or hashtag occurs with it.</summary>
    public const string AmbiguousWithoutCoTerm = "ambiguous-no-coterm";

    /// <summary>The business's own account posted it.</summary>
    public const string OwnPost = "own-post";
}

/// <summary>
/// Decides whether an item is about the business. Terms match case-insensitively at the start of a word, so
/// "Kanelitupa" matches "Kanelitupaan" (Finnish endings); consonant-gradation forms ("Kanelituvassa") need their own
/// search term. Handles and hashtags are literal.
/// </summary>
public static class MentionRelevance
{
    /// <summary>Null when the item is kept, else the drop reason.</summary>
    public static string? DropReason(MentionConfig config, MentionItem item)
    {
        var author = item.Author.Trim().TrimStart('@');
        if (author.Length > 0 && config.Handles.Any(h => string.Equals(h.Trim().TrimStart('@'), author, StringComparison.OrdinalIgnoreCase)))
        {
            return DropReasons.OwnPost;
        }

        var text = $"{item.Title}\n{item.Text}".ToLowerInvariant();
        var byName = config.SearchTerms.Any(t => ContainsWord(text, t));
        var byAccount = config.Handles.Any(h => ContainsHandle(text, h)) || config.Hashtags.Any(h => ContainsHashtag(text, h));
        if (!byName && !byAccount)
        {
            return DropReasons.NoTerm;
        }

        if (config.Exclusions.Any(x => ContainsWord(text, x)))
        {
            return DropReasons.Excluded;
        }

        if (config.Ambiguous && !byAccount && !config.CoTerms.Any(c => ContainsWord(text, c)))
        {
            return DropReasons.AmbiguousWithoutCoTerm;
        }

        return null;
    }

    /// <summary>True when <paramref name="term"/> occurs in <paramref name="lowerText"/> starting at a word boundary.</summary>
    public static bool ContainsWord(string lowerText, string term)
    {
        var t = term.Trim().ToLowerInvariant();
        if (t.Length == 0)
        {
            return false;
        }

        for (var i = lowerText.IndexOf(t, StringComparison.Ordinal); i >= 0; i = lowerText.IndexOf(t, i + 1, StringComparison.Ordinal))
        {
            if (i == 0 || !char.IsLetterOrDigit(lowerText[i - 1]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsHandle(string lowerText, string handle)
    {
        var h = handle.Trim().TrimStart('@').ToLowerInvariant();
        return h.Length > 0 && lowerText.Contains("@" + h, StringComparison.Ordinal);
    }

    private static bool ContainsHashtag(string lowerText, string hashtag)
    {
        var h = "#" + hashtag.Trim().TrimStart('#').ToLowerInvariant();
        var i = lowerText.IndexOf(h, StringComparison.Ordinal);
        while (i >= 0)
        {
            var end = i + h.Length;
            if (end == lowerText.Length || !char.IsLetterOrDigit(lowerText[end]))
            {
                return true;
            }

            i = lowerText.IndexOf(h, end, StringComparison.Ordinal);
        }

        return false;
    }
}
