using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using MailKit.Net.Smtp;
using MailKit.Security;
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
                    "teams" => await PostAsync(route.Target, TeamsCard(message).ToJsonString(), cancellationToken),
                    "slack" => await PostAsync(route.Target, SlackMessage(message).ToJsonString(), cancellationToken),
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
        using var client = new SmtpClient { Timeout = (int)o.ChannelTimeout.TotalMilliseconds };
        await client.ConnectAsync(o.Smtp.Host, o.Smtp.Port, o.Smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, cancellationToken);
        if (AlertRouter.Configured(o.Smtp.User))
        {
            await client.AuthenticateAsync(o.Smtp.User, o.Smtp.Password, cancellationToken);
        }

        await client.SendAsync(mail, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
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
        return PostAsync(url, body, cancellationToken, new Dictionary<string, string>
        {
            ["X-ReviewWatch-Timestamp"] = timestamp,
            ["X-ReviewWatch-Signature"] = WebhookNotifier.Sign(alerting.Value.Webhook.Secret, timestamp, body),
            ["X-ReviewWatch-Delivery"] = $"digest.{message.Business.RowKey}.{message.Report.Week}",
        });
    }

    private async Task<string> PostAsync(string url, string json, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var client = http.CreateClient(TeamsNotifier.HttpClientName);
        using var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{request.RequestUri!.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        return request.RequestUri!.Host;
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
