using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ReviewWatch.Mentions;

/// <summary>Canonical URLs, content hashes and HTML-to-text: what dedupe compares.</summary>
public static partial class MentionText
{
    // Click and campaign tracking that says nothing about which post it is.
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "igsh", "si", "ref", "ref_src", "ref_url", "share_id", "_ga", "yclid", "twclid",
    };

    /// <summary>
    /// The URL dedupe compares: lower-case scheme and host, no default port, no fragment, no tracking parameters
    /// (utm_*, fbclid, …), no trailing slash; a Google Alerts redirect (google.com/url?url=…) is unwrapped first.
    /// </summary>
    public static string CanonicalUrl(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return url.Trim();
        }

        var query = ParseQuery(uri.Query);
        if (uri.Host.EndsWith("google.com", StringComparison.OrdinalIgnoreCase) && uri.AbsolutePath == "/url"
            && query.FirstOrDefault(kv => kv.Key is "url" or "q").Value is { Length: > 0 } target
            && Uri.TryCreate(target, UriKind.Absolute, out var inner) && inner.Scheme is "http" or "https")
        {
            return CanonicalUrl(target);
        }

        var kept = query.Where(kv => !kv.Key.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) && !TrackingParameters.Contains(kv.Key)).ToList();
        var path = uri.AbsolutePath.Length > 1 ? uri.AbsolutePath.TrimEnd('/') : string.Empty;
        var sb = new StringBuilder();
        sb.Append(uri.Scheme.ToLowerInvariant()).Append("://").Append(uri.IdnHost.ToLowerInvariant());
        if (!uri.IsDefaultPort)
        {
            sb.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
        }

        sb.Append(path);
        if (kept.Count > 0)
        {
            sb.Append('?').Append(string.Join('&', kept.Select(kv => kv.Value.Length == 0 ? Uri.EscapeDataString(kv.Key) : $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}")));
        }

        return sb.ToString();
    }

    /// <summary>The Mentions table's RowKey for a canonical URL.</summary>
    public static string KeyFor(string canonicalUrl) => Hash(canonicalUrl, 32);

    /// <summary>
    /// The text dedupe compares: lower case, no URLs, mentions or hashtag signs, letters and digits only, single
    /// spaces. Empty when the text is too short to tell two people's posts apart.
    /// </summary>
    public static string Normalise(string text)
    {
        var lower = UrlPattern().Replace(text.ToLowerInvariant(), " ");
        var sb = new StringBuilder(lower.Length);
        foreach (var c in lower.Normalize(NormalizationForm.FormC))
        {
            sb.Append(char.IsLetterOrDigit(c) ? c : ' ');
        }

        return Spaces().Replace(sb.ToString(), " ").Trim();
    }

    public static string ContentHash(string normalisedText) => Hash(normalisedText, 32);

    /// <summary>HTML (Mastodon content, feed summaries) to plain text: tags dropped, breaks and paragraphs as spaces, entities decoded.</summary>
    public static string HtmlToText(string html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return string.Empty;
        }

        var spaced = BlockTags().Replace(html, " ");
        var stripped = Tags().Replace(spaced, string.Empty);
        return Spaces().Replace(WebUtility.HtmlDecode(stripped), " ").Trim();
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0].Replace('+', ' ')), p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty))
            .ToList();

    private static string Hash(string text, int length) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length].ToLowerInvariant();

    [GeneratedRegex(@"https?://\S+", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"<\s*(br|/p|p|/div|div|/li|li)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BlockTags();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tags();
}
