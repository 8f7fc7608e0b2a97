using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Storage;

namespace ReviewWatch.Digest;

/// <summary>Runs the weekly digest: builds, stores once per business and ISO week, and delivers to the outbox.</summary>
public sealed class DigestService(
    ReviewWatchStorage storage,
    BusinessDirectory directory,
    DigestBuilder builder,
    IOptions<AlertingOptions> alerting,
    TimeProvider time,
    ILogger<DigestService> logger)
{
    /// <summary>Stores and sends last week's digest for every business that has none yet. Returns how many were new.</summary>
    public async Task<int> RunWeeklyAsync(CancellationToken cancellationToken = default)
    {
        var created = 0;
        foreach (var business in await directory.ListBusinessesAsync(cancellationToken))
        {
            var week = IsoWeek.LastCompleted(time.GetUtcNow(), TimeZones.Find(business.TimeZone));
            var report = await builder.BuildAsync(business, week, cancellationToken);
            var entity = new DigestEntity
            {
                PartitionKey = business.RowKey,
                RowKey = week.ToString(),
                Json = DigestBuilder.ToJson(report),
                Html = DigestBuilder.ToHtml(report),
                CreatedAt = time.GetUtcNow(),
            };
            if (!await storage.Digests.TryAddAsync(entity, cancellationToken))
            {
                continue; // this week's digest exists: another instance or an earlier run made it
            }

            created++;
            await WriteOutboxAsync(business, report, entity.Html, cancellationToken);
            logger.LogInformation("Stored the {Week} digest of {BusinessId}", week, business.RowKey);
        }

        return created;
    }

    private async Task WriteOutboxAsync(BusinessEntity business, DigestReport report, string html, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(alerting.Value.FromAddress));
        message.To.Add(new MailboxAddress(business.OwnerName, string.IsNullOrWhiteSpace(business.OwnerEmail) ? alerting.Value.FromAddress : business.OwnerEmail));
        message.Subject = (business.Language == "fi" ? "Viikkokooste " : "Weekly digest ") + $"{report.Week} – {business.Name}";
        message.MessageId = $"digest.{business.RowKey}.{report.Week}@reviewwatch";
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = $"{message.Subject}\n\nNew reviews: {report.NewReviews}\nAverage: {report.AverageRating}\nNegative: {report.Negatives}\nOpen cases: {report.OpenCases}\n" }.ToMessageBody();
        await OutboxNotifier.WriteAsync(message, alerting.Value.OutboxPath, $"digest-{business.RowKey}-{report.Week}.eml", cancellationToken);
    }
}
