using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using ReviewWatch.Alerts;
using ReviewWatch.Storage;

namespace ReviewWatch.Digest;

/// <summary>A rendered digest ready for a channel: email channels use Html/Text, chat channels Summary and Link.</summary>
public sealed record DigestMessage(BusinessEntity Business, DigestReport Report, string Subject, string Html, string Text, string Summary, string Link);

/// <summary>
/// One way a digest reaches the owner: the local outbox, and the business's alert routes (email in full; Teams,
/// Slack and webhooks as a summary linking to the digest page). Must be safe to call again for the same business and week.
/// </summary>
public interface IDigestSender
{
    string Channel { get; }

    /// <summary>Delivers the digest; returns where it went (a path, a message id).</summary>
    Task<string> SendAsync(DigestMessage message, CancellationToken cancellationToken = default);
}

/// <summary>Writes the digest as an .eml (HTML + plain text) into the alert outbox, named by business and week.</summary>
public sealed class OutboxDigestSender(IOptions<AlertingOptions> alerting, ILogger<OutboxDigestSender> logger) : IDigestSender
{
    public string Channel => "outbox";

    public async Task<string> SendAsync(DigestMessage message, CancellationToken cancellationToken = default)
    {
        var options = alerting.Value;
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(options.FromAddress));
        var to = string.IsNullOrWhiteSpace(message.Business.OwnerEmail) ? options.FromAddress : message.Business.OwnerEmail;
        mail.To.Add(new MailboxAddress(message.Business.OwnerName, to));
        mail.Subject = message.Subject;
        // Stable per business and week, so a resend after a crash is recognisably the same message.
        mail.MessageId = $"digest.{message.Business.RowKey}.{message.Report.Week}@reviewwatch";
        mail.Body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html }.ToMessageBody();
        var path = await OutboxNotifier.WriteAsync(mail, options.OutboxPath, $"digest-{message.Business.RowKey}-{message.Report.Week}.eml", cancellationToken);
        logger.LogInformation("Digest {Week} of {BusinessId} written to {Path}", message.Report.Week, message.Business.RowKey, path);
        return path;
    }
}
