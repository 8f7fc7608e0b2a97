using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Mentions;

/// <summary>
/// One business's mention monitoring, stored as JSON on <c>BusinessEntity.MentionSettings</c> and seeded from the
/// business file's <c>"mentions"</c> object:
/// <code>
/// {"searchTerms":["Kanelitupa"],"ambiguous":true,"coTerms":["Kallio","korvapuusti"],"handles":["kanelitupa.bsky.social"],
///  "hashtags":["kanelitupa"],"exclusions":["resepti"],"rss":{"enabled":true,"feeds":["mentions-feed.xml"]},
///  "reddit":{"enabled":false},"bluesky":{"enabled":false},"mastodon":{"enabled":false,"instances":["https://mastodon.social"]}}
/// </code>
/// </summary>
public sealed record MentionConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>The names people use for the business; matched at the start of a word, so Finnish endings still match.</summary>
    public IReadOnlyList<string> SearchTerms { get; init; } = [];

    /// <summary>The name is also an ordinary word or another business's name: a co-term (or handle/hashtag) must occur too.</summary>
    public bool Ambiguous { get; init; }

    /// <summary>Cities, districts, products: words that make an ambiguous name count.</summary>
    public IReadOnlyList<string> CoTerms { get; init; } = [];

    /// <summary>The business's own accounts (<c>kanelitupa.bsky.social</c>, <c>@kanelitupa@mastodon.social</c>); posts by them are not mentions.</summary>
    public IReadOnlyList<string> Handles { get; init; } = [];

    /// <summary>Hashtags without the '#'.</summary>
    public IReadOnlyList<string> Hashtags { get; init; } = [];

    /// <summary>Words or phrases that make an item irrelevant (a recipe, a namesake elsewhere).</summary>
    public IReadOnlyList<string> Exclusions { get; init; } = [];

    public RssSettings Rss { get; init; } = new();
    public SourceSwitch Reddit { get; init; } = new();
    public SourceSwitch Bluesky { get; init; } = new();
    public MastodonSettings Mastodon { get; init; } = new();

    public bool IsOn(string source) => Enabled && source switch
    {
        "rss" => Rss.Enabled && Rss.Feeds.Count > 0,
        "reddit" => Reddit.Enabled,
        "bluesky" => Bluesky.Enabled,
        "mastodon" => Mastodon.Enabled && Mastodon.Instances.Count > 0,
        _ => false,
    };

    /// <summary>Search terms, handles and hashtags as queries (what the search APIs are asked for).</summary>
    public IReadOnlyList<string> Queries() =>
        [.. SearchTerms.Where(t => t.Trim().Length > 0).Select(t => t.Trim()), .. Hashtags.Where(h => h.Trim().Length > 0).Select(h => "#" + h.Trim().TrimStart('#'))];

    /// <summary>A feed given as a relative path in a seed file points next to that file.</summary>
    public MentionConfig WithFeedsRelativeTo(string folder) => this with
    {
        Rss = Rss with
        {
            Feeds = [.. Rss.Feeds.Select(f => Uri.TryCreate(f, UriKind.Absolute, out var u) && u.Scheme != "file" ? f : Path.IsPathRooted(f) || f.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? f : Path.GetFullPath(Path.Combine(folder, f)))],
        },
    };

    public static MentionConfig? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        return JsonSerializer.Deserialize(json, MentionConfigJsonContext.Default.MentionConfig);
    }

    public string ToJson() => JsonSerializer.Serialize(this, MentionConfigJsonContext.Default.MentionConfig);
}

public sealed record SourceSwitch
{
    public bool Enabled { get; init; }
}

/// <summary>RSS/Atom feeds: http(s) URLs, <c>file://</c> URLs or paths (relative ones resolved against the seed file).</summary>
public sealed record RssSettings
{
    public bool Enabled { get; init; }
    public IReadOnlyList<string> Feeds { get; init; } = [];
}

/// <summary>Mastodon: the instances to search (each its own API and rate limit).</summary>
public sealed record MastodonSettings
{
    public bool Enabled { get; init; }
    public IReadOnlyList<string> Instances { get; init; } = [];
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, ReadCommentHandling = JsonCommentHandling.Skip, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MentionConfig))]
public sealed partial class MentionConfigJsonContext : JsonSerializerContext;
