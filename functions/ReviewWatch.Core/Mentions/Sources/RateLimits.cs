using System.Globalization;
using System.Net;

namespace ReviewWatch.Mentions.Sources;

/// <summary>How an API tells when its rate-limit window ends.</summary>
public enum ResetStyle
{
    /// <summary>Seconds from now (Reddit's X-Ratelimit-Reset).</summary>
    SecondsFromNow,

    /// <summary>Unix seconds (Bluesky's RateLimit-Reset).</summary>
    UnixSeconds,

    /// <summary>An ISO 8601 timestamp (Mastodon's X-RateLimit-Reset).</summary>
    Timestamp,
}

/// <summary>Reads an API's rate-limit headers into "may we go on, and if not, from when".</summary>
public static class RateLimits
{
    /// <summary>
    /// When the source may be asked again, or null while budget remains. A 429 always gives a time: Retry-After,
    /// else the reset header, else <paramref name="fallback"/>. A success with nothing remaining gives the reset time.
    /// </summary>
    public static DateTimeOffset? NotBefore(HttpResponseMessage response, string remainingHeader, string resetHeader, ResetStyle style, DateTimeOffset now, TimeSpan fallback)
    {
        var reset = Reset(response, resetHeader, style, now);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta)
            {
                return now + delta;
            }

            if (retryAfter?.Date is DateTimeOffset date)
            {
                return date;
            }

            return reset is { } r && r > now ? r : now + fallback;
        }

        if (Header(response, remainingHeader) is { } remainingText
            && double.TryParse(remainingText, NumberStyles.Float, CultureInfo.InvariantCulture, out var remaining)
            && remaining < 1)
        {
            return reset is { } r && r > now ? r : now + fallback;
        }

        return null;
    }

    private static DateTimeOffset? Reset(HttpResponseMessage response, string header, ResetStyle style, DateTimeOffset now)
    {
        var text = Header(response, header);
        if (text is null)
        {
            return null;
        }

        return style switch
        {
            ResetStyle.SecondsFromNow when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => now + TimeSpan.FromSeconds(Math.Max(0, s)),
            ResetStyle.UnixSeconds when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var u) => DateTimeOffset.FromUnixTimeSeconds(u),
            ResetStyle.Timestamp when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
            _ => null,
        };
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;
}
