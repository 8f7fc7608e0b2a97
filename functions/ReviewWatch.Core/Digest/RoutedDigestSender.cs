using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using MimeKit;
using ReviewWatch.Alerts;
using ReviewWatch.Storage;

namespace ReviewWatch.Digest;

/// <summary>
/// Sends the digest on the business's alert routes: the full email over SMTP, a summary card with a link to the
/// digest page on Teams and Slack, a JSON event on the generic webhook. Each route is recorded as sent in the
/// Notifications table (partition <c>digest.{business}.{week}</c>), so a retry after one channel failed never
/// repeats the channels that already got it.
/// </summary>
public sealed class RoutedDigestSender(
    ReviewWatchStorage storage,
    AlertRouter router,
    IHttpClientFactory http,
    IOptions<AlertingOptions> alerting,
    TimeProvider time) : IDigestSender
{
    public string Channel => "channels";

    public async Task<string> SendAsync(DigestMessage message, CancellationToken cancellationToken = default)
    {
        var partition = $"digest.{message.Business.RowKey}.{message.Report.Week}";
        var sent = new List<string>();
        var failures = new List<Exception>();
        foreach (var route in router.AllRoutes(message.Business).Where(r => r.Channel != "outbox"))
        {
            if (await storage.Notifications.GetOrDefaultAsync<NotificationEntity>(partition, route.Key, cancellationToken) is { Status: "sent" })
            {
                continue;
            }

            try
            {
                var target = route.Channel switch
                {
                    "email" => await EmailAsync(message, route.Target, cancellationToken),
                    "teams" => await WebhookPost.SendAsync(http, route.Target, TeamsCard(message).ToJsonString(), null, cancellationToken),
                    "slack" => await WebhookPost.SendAsync(http, route.Target, SlackMessage(message).ToJsonString(), null, cancellationToken),
                    "webhook" => await PostWebhookAsync(route.Target, message, cancellationToken),
                    _ => null,
                };
                if (target is null)
                {
                    continue;
                }

                await storage.Notifications.UpsertEntityAsync(
                    new NotificationEntity { PartitionKey = partition, RowKey = route.Key, Status = "sent", SentAt = time.GetUtcNow(), Target = target, Attempts = 1 },
                    TableUpdateMode.Replace,
                    cancellationToken);
                sent.Add(route.Channel);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add(new InvalidOperationException($"{route.Channel}: {ex.Message}", ex));
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"The digest reached {sent.Count} channel(s); {failures.Count} failed and will be retried", failures);
        }

        return sent.Count == 0 ? "no channels configured" : string.Join(",", sent);
    }

    private async Task<string> EmailAsync(DigestMessage message, string to, CancellationToken cancellationToken)
    {
        var o = alerting.Value;
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(o.FromAddress));
        mail.To.Add(new MailboxAddress(message.Business.OwnerName, to));
        mail.Subject = message.Subject;
        mail.MessageId = $"digest.{message.Business.RowKey}.{message.Report.Week}@reviewwatch";
        mail.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();
        await SmtpNotifier.SendAsync(mail, o, cancellationToken);
        return to;
    }

    private Task<string> PostWebhookAsync(string url, DigestMessage message, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["v"] = 1,
            ["event"] = "digest.ready",
            ["businessId"] = message.Business.RowKey,
            ["week"] = message.Report.Week,
            ["summary"] = message.Summary,
            ["link"] = message.Link,
        }.ToJsonString();
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WebhookPost.SendAsync(http, url, body, new Dictionary<string, string>
        {
            ["X-ReviewWatch-Timestamp"] = timestamp,
            ["X-ReviewWatch-Signature"] = WebhookNotifier.Sign(alerting.Value.Webhook.Secret, timestamp, body),
            ["X-ReviewWatch-Delivery"] = $"digest.{message.Business.RowKey}.{message.Report.Week}",
        }, cancellationToken);
    }

    /// <summary>The Teams summary: the digest's headline lines and a button to the page. Text goes in TextRuns (no markdown).</summary>
    public static JsonObject TeamsCard(DigestMessage message)
    {
        var fi = message.Business.Language == "fi";
        var lines = new JsonArray(message.Summary.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => (JsonNode?)new JsonObject { ["type"] = "TextRun", ["text"] = l + "\n" }).ToArray());
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["size"] = "Medium", ["weight"] = "Bolder", ["wrap"] = true, ["text"] = message.Subject },
                new JsonObject { ["type"] = "RichTextBlock", ["inlines"] = lines }),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = fi ? "Avaa viikkokooste" : "Open the digest", ["url"] = message.Link }),
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card }),
        };
    }

    /// <summary>The Slack summary in Block Kit: plain_text only, with a button to the page.</summary>
    public static JsonObject SlackMessage(DigestMessage message)
    {
        var fi = message.Business.Language == "fi";
        var summary = message.Summary.Length > 2900 ? message.Summary[..2900] + "…" : message.Summary;
        return new JsonObject
        {
            ["text"] = Alerts.SlackMessage.Escape(message.Subject),
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = message.Subject } },
                new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = summary } },
                new JsonObject
                {
                    ["type"] = "actions",
                    ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = fi ? "Avaa viikkokooste" : "Open the digest" }, ["url"] = message.Link }),
                }),
        };
    }
}
