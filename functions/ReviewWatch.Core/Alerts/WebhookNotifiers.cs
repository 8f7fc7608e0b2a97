using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ReviewWatch.Alerts;

/// <summary>
/// Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a message with an
/// Adaptive Card. Review text goes in a TextRun, which Teams never parses as markdown, so it shows as written.
/// </summary>
public sealed class TeamsNotifier(IHttpClientFactory http) : INotifier
{
    public const string HttpClientName = "alert-webhooks";

    public string Channel => "teams";

    public Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default) =>
        WebhookPost.SendAsync(http, target, TeamsCard.Build(alert).ToJsonString(), null, cancellationToken);
}

/// <summary>Slack through an incoming webhook, with Block Kit; review text is a plain_text block (never mrkdwn).</summary>
public sealed class SlackNotifier(IHttpClientFactory http) : INotifier
{
    public string Channel => "slack";

    public Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default) =>
        WebhookPost.SendAsync(http, target, SlackMessage.Build(alert).ToJsonString(), null, cancellationToken);
}

/// <summary>
/// A generic JSON webhook, signed: <c>X-ReviewWatch-Timestamp</c> (Unix seconds) and
/// <c>X-ReviewWatch-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))</c>. Receivers recompute the
/// HMAC over the raw body, compare in constant time and reject timestamps older than five minutes.
/// <c>X-ReviewWatch-Delivery</c> is stable per alert, for receivers to drop a redelivery.
/// </summary>
public sealed class WebhookNotifier(IHttpClientFactory http, IOptions<AlertingOptions> options, TimeProvider time) : INotifier
{
    public string Channel => "webhook";

    public Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default)
    {
        var body = WebhookPayload.Build(alert).ToJsonString();
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>
        {
            ["X-ReviewWatch-Timestamp"] = timestamp,
            ["X-ReviewWatch-Signature"] = Sign(options.Value.Webhook.Secret, timestamp, body),
            ["X-ReviewWatch-Delivery"] = $"{alert.Case.CaseId}.{alert.NotificationKey(new AlertRoute(Channel))}",
        };
        return WebhookPost.SendAsync(http, target, body, headers, cancellationToken);
    }

    public static string Sign(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return "sha256=" + Convert.ToHexString(mac).ToLowerInvariant();
    }

    /// <summary>What a receiver does: recompute and compare in constant time, within the allowed clock skew.</summary>
    public static bool Verify(string secret, string timestamp, string body, string signature, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix)
            || (now - DateTimeOffset.FromUnixTimeSeconds(unix)).Duration() > tolerance)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}

internal static class WebhookPost
{
    public static async Task<string> SendAsync(IHttpClientFactory factory, string url, string json, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw new InvalidOperationException("The webhook URL is not an absolute http(s) URL.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var client = factory.CreateClient(TeamsNotifier.HttpClientName);
        using var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            // Never echo the URL: webhook URLs carry their secret.
            throw new HttpRequestException($"{uri.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(text)}", null, response.StatusCode);
        }

        return $"{uri.Host} {(int)response.StatusCode}";
    }

    private static string Truncate(string s) => s.Length > 200 ? s[..200] + "…" : s;
}

/// <summary>The Adaptive Card Teams shows.</summary>
public static class TeamsCard
{
    public static JsonObject Build(Alert alert)
    {
        var fi = alert.Business.Language == "fi";
        var c = alert.Case;
        var facts = new JsonArray(
            Fact(fi ? "Arvostelija" : "Reviewer", c.ReviewerName.Length > 0 ? Plain(c.ReviewerName) : fi ? "nimetön" : "anonymous"),
            Fact(fi ? "Tähdet" : "Rating", c.Rating > 0 ? $"{c.Rating}/5" : "–"),
            Fact(fi ? "Vakavuus" : "Severity", AlertContent.SeverityWord(c.Severity, fi)),
            Fact(fi ? "Kohteet" : "Touchpoints", alert.Touchpoints.Count > 0 ? AlertContent.TouchpointWords(alert.Touchpoints, fi) : "–"),
            Fact(fi ? "Vastattava viimeistään" : "Reply due", AlertContent.FormatDue(alert)));
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["size"] = "Medium", ["weight"] = "Bolder", ["wrap"] = true, ["text"] = AlertContent.Subject(alert) },
                new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
                new JsonObject
                {
                    ["type"] = "RichTextBlock",
                    ["inlines"] = new JsonArray(new JsonObject { ["type"] = "TextRun", ["text"] = c.ItemText.Length > 0 ? c.ItemText : fi ? "(pelkkä tähtiarvio)" : "(rating only)", ["italic"] = true }),
                }),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = fi ? "Avaa tapaus" : "Open the case", ["url"] = alert.Link }),
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card }),
        };
    }

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };

    /// <summary>FactSet values render markdown; defuse its control characters in text a reviewer wrote (their name).</summary>
    private static string Plain(string s) => s.Replace("*", "∗", StringComparison.Ordinal).Replace("_", " ", StringComparison.Ordinal).Replace("[", "(", StringComparison.Ordinal).Replace("]", ")", StringComparison.Ordinal).Replace("<", "‹", StringComparison.Ordinal).Replace(">", "›", StringComparison.Ordinal);
}

/// <summary>The Slack Block Kit message.</summary>
public static class SlackMessage
{
    public static JsonObject Build(Alert alert)
    {
        var fi = alert.Business.Language == "fi";
        var c = alert.Case;
        return new JsonObject
        {
            ["text"] = Escape(AlertContent.Subject(alert)),
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "header", ["text"] = PlainText(AlertContent.Subject(alert)) },
                new JsonObject
                {
                    ["type"] = "section",
                    ["fields"] = new JsonArray(
                        PlainText($"{(fi ? "Arvostelija" : "Reviewer")}: {(c.ReviewerName.Length > 0 ? c.ReviewerName : fi ? "nimetön" : "anonymous")}"),
                        PlainText($"{(fi ? "Tähdet" : "Rating")}: {(c.Rating > 0 ? $"{c.Rating}/5" : "–")}"),
                        PlainText($"{(fi ? "Vakavuus" : "Severity")}: {AlertContent.SeverityWord(c.Severity, fi)}"),
                        PlainText($"{(fi ? "Vastattava viimeistään" : "Reply due")}: {AlertContent.FormatDue(alert)}"),
                        PlainText($"{(fi ? "Kohteet" : "Touchpoints")}: {(alert.Touchpoints.Count > 0 ? AlertContent.TouchpointWords(alert.Touchpoints, fi) : "–")}")),
                },
                new JsonObject { ["type"] = "section", ["text"] = PlainText(c.ItemText.Length > 0 ? c.ItemText : fi ? "(pelkkä tähtiarvio)" : "(rating only)") },
                new JsonObject
                {
                    ["type"] = "actions",
                    ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = PlainText(fi ? "Avaa tapaus" : "Open the case"), ["url"] = alert.Link, ["style"] = "primary" }),
                }),
        };
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text.Length > 3000 ? text[..2997] + "…" : text, ["emoji"] = true };

    /// <summary>Slack's documented escaping for the notification fallback text (&amp;, &lt;, &gt;).</summary>
    public static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

/// <summary>The generic webhook's JSON body.</summary>
public static class WebhookPayload
{
    public static JsonObject Build(Alert alert)
    {
        var c = alert.Case;
        return new JsonObject
        {
            ["v"] = 1,
            ["event"] = alert.Kind == AlertKind.Overdue ? "case.overdue" : "case.opened",
            ["businessId"] = c.BusinessId,
            ["locationId"] = c.LocationId,
            ["caseId"] = c.CaseId,
            ["severity"] = c.Severity,
            ["status"] = c.Status,
            ["dueAt"] = c.DueAt.ToString("O", CultureInfo.InvariantCulture),
            ["link"] = alert.Link,
            ["item"] = new JsonObject
            {
                ["kind"] = c.ItemKind,
                ["rating"] = c.Rating > 0 ? c.Rating : null,
                ["text"] = c.ItemText,
                ["reviewer"] = c.ReviewerName,
                ["language"] = c.Language,
                ["touchpoints"] = new JsonArray(alert.Touchpoints.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            },
        };
    }
}
