using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;

namespace ReviewWatch.Mentions.Sources;

/// <summary>
/// RSS 2.0 and Atom feeds: Google Alerts delivered as a feed, news and blog feeds. A feed is read with
/// <see cref="SyndicationFeed"/>; when that refuses the whole document (one entry with a bad date or broken markup),
/// each entry is parsed on its own, so the good entries still arrive and the bad ones are logged with the reason.
/// Feeds are http(s) URLs, <c>file://</c> URLs or local paths.
/// </summary>
public sealed partial class RssMentionSource(HttpClient http, TimeProvider time, ILogger<RssMentionSource> logger) : IMentionSource
{
    public string Name => "rss";

    public IReadOnlyList<MentionScope> ScopesFor(MentionConfig config) =>
        [.. config.Rss.Feeds.Where(f => f.Trim().Length > 0).Select(f => new MentionScope("feed-" + MentionText.KeyFor(f.Trim())[..12], f.Trim()))];

    public async Task<MentionFetchResult> FetchAsync(MentionConfig config, MentionScope scope, string? cursor, CancellationToken cancellationToken = default)
    {
        var xml = await LoadAsync(scope.Target, cancellationToken);
        var now = time.GetUtcNow();
        var (items, bad) = Parse(xml, now);
        foreach (var reason in bad)
        {
            logger.LogWarning("Feed {Feed}: skipped a malformed entry: {Reason}", scope.Target, reason);
        }

        var newest = items.Count == 0 ? null : items.Max(i => i.PublishedAt).ToString("O", CultureInfo.InvariantCulture);
        return new MentionFetchResult(items, newest ?? cursor);
    }

    /// <summary>The feed's entries, and a reason for each entry that could not be used.</summary>
    public static (List<MentionItem> Items, List<string> Bad) Parse(string xml, DateTimeOffset now)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            var feed = SyndicationFeed.Load(reader);
            var items = new List<MentionItem>();
            var bad = new List<string>();
            foreach (var entry in feed.Items)
            {
                var link = entry.Links.FirstOrDefault(l => string.IsNullOrEmpty(l.RelationshipType) || l.RelationshipType == "alternate")?.Uri?.ToString()
                    ?? (Uri.TryCreate(entry.Id, UriKind.Absolute, out var idUri) ? idUri.ToString() : null);
                var summary = entry.Summary?.Text ?? (entry.Content as TextSyndicationContent)?.Text ?? string.Empty;
                var published = entry.PublishDate != default ? entry.PublishDate : entry.LastUpdatedTime != default ? entry.LastUpdatedTime : now;
                var author = entry.Authors.FirstOrDefault() is { } a ? a.Name ?? a.Email ?? string.Empty : string.Empty;
                Add(items, bad, entry.Id, link, entry.Title?.Text, summary, author, published);
            }

            return (items, bad);
        }
        catch (Exception ex) when (ex is XmlException or FormatException or ArgumentException or InvalidOperationException)
        {
            return ParseEntryByEntry(xml, now, ex.Message);
        }
    }

    private static (List<MentionItem> Items, List<string> Bad) ParseEntryByEntry(string xml, DateTimeOffset now, string why)
    {
        var items = new List<MentionItem>();
        var bad = new List<string>();
        // The entries lose their document's namespace declarations when cut out: carry them over on a wrapper.
        var firstEntry = EntryPattern().Match(xml);
        var head = firstEntry.Success ? xml[..firstEntry.Index] : xml;
        var declarations = string.Join(' ', NamespacePattern().Matches(head).Select(m => m.Value).Where(d => !d.StartsWith("xmlns=", StringComparison.Ordinal)).Distinct());
        foreach (Match m in EntryPattern().Matches(xml))
        {
            XElement entry;
            try
            {
                entry = XElement.Parse($"<wrapper {declarations}>{m.Value}</wrapper>").Elements().First();
            }
            catch (XmlException ex)
            {
                bad.Add($"not well-formed ({ex.Message}) near \"{Preview(m.Value)}\"");
                continue;
            }

            string? Child(params string[] names) => entry.Elements().FirstOrDefault(e => names.Contains(e.Name.LocalName))?.Value.Trim();
            var link = entry.Elements().Where(e => e.Name.LocalName == "link")
                .Select(e => e.Attribute("href") is { } href && (e.Attribute("rel")?.Value ?? "alternate") == "alternate" ? href.Value : e.Value.Trim())
                .FirstOrDefault(l => l.Length > 0);
            var id = Child("guid", "id");
            link ??= Uri.TryCreate(id, UriKind.Absolute, out var idUri) && idUri.Scheme is "http" or "https" ? id : null;
            var dateText = Child("pubDate", "published", "updated", "date");
            var published = ParseDate(dateText) ?? now;
            var author = entry.Elements().FirstOrDefault(e => e.Name.LocalName is "author" or "creator") is { } au
                ? au.Elements().FirstOrDefault(e => e.Name.LocalName == "name")?.Value ?? au.Value
                : string.Empty;
            Add(items, bad, id, link, Child("title"), Child("description", "summary", "encoded", "content") ?? string.Empty, author.Trim(), published);
        }

        if (items.Count == 0 && bad.Count == 0)
        {
            bad.Add($"no entries could be read: {why}");
        }

        return (items, bad);
    }

    private static void Add(List<MentionItem> items, List<string> bad, string? id, string? link, string? title, string summary, string author, DateTimeOffset published)
    {
        var cleanTitle = MentionText.HtmlToText(title ?? string.Empty);
        if (string.IsNullOrWhiteSpace(link) || !Uri.TryCreate(link, UriKind.Absolute, out _))
        {
            bad.Add($"no link in \"{Preview(cleanTitle)}\"");
            return;
        }

        var text = MentionText.HtmlToText(summary);
        if (cleanTitle.Length == 0 && text.Length == 0)
        {
            bad.Add($"no title or text at {link}");
            return;
        }

        items.Add(new MentionItem("rss", string.IsNullOrEmpty(id) ? link : id, link, author, cleanTitle, text, published));
    }

    private static DateTimeOffset? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // RFC 822 with a numeric zone ("+0200") is what DateTimeOffset does not read on its own.
        var normalised = Rfc822Zone().Replace(text.Trim(), "$1$2:$3");
        return DateTimeOffset.TryParse(normalised, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
    }

    private async Task<string> LoadAsync(string feed, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(feed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            using var response = await http.GetAsync(uri, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new MentionSourceException(Name, (int)response.StatusCode, $"rss: {feed} answered {(int)response.StatusCode}");
            }

            return await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var path = uri is { IsFile: true } ? uri.LocalPath : feed;
        if (!File.Exists(path))
        {
            throw new MentionSourceException(Name, 404, $"rss: no feed file at {path}");
        }

        return await File.ReadAllTextAsync(path, cancellationToken);
    }

    private static string Preview(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length > 60 ? flat[..60] + "…" : flat;
    }

    [GeneratedRegex(@"<(item|entry)\b[^>]*>.*?</\1>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex EntryPattern();

    [GeneratedRegex(@"xmlns(:\w+)?=""[^""]*""", RegexOptions.CultureInvariant)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"(\s)([+-]\d{2})(\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc822Zone();
}
