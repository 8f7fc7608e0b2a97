using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ReviewWatch.Alerts;

/// <summary>
/// The channel that works locally with no setup: each alert becomes an .eml file (HTML and plain-text parts) in
/// the outbox folder, named by case and severity so a replay overwrites rather than duplicates, plus a log line
/// with the deep link. Open the files with any mail client.
/// </summary>
public sealed class OutboxNotifier(IOptions<AlertingOptions> options, ILogger<OutboxNotifier> logger) : INotifier
{
    public string Channel => "outbox";

    public async Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default)
    {
        var message = EmailMessages.Build(alert, options.Value.FromAddress);
        var name = alert.Kind == AlertKind.Overdue ? $"{alert.Case.CaseId}-overdue-{alert.Case.DueAt.UtcTicks}.eml" : $"{alert.Case.CaseId}-{alert.Case.Severity}.eml";
        var path = await WriteAsync(message, options.Value.OutboxPath, name, cancellationToken);
        logger.LogInformation(
            "Alert for case {CaseId} ({Severity}) written to {Path}; open the case at {Link}",
            alert.Case.CaseId, alert.Case.Severity, path, alert.Link);
        return path;
    }

    /// <summary>Writes a message into the outbox atomically (temp file + rename): a crash never leaves half a file.</summary>
    public static async Task<string> WriteAsync(MimeMessage message, string outboxPath, string fileName, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(outboxPath);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        await message.WriteToAsync(temp, cancellationToken);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}

/// <summary>Builds the alert email shared by the outbox and SMTP channels.</summary>
public static class EmailMessages
{
    public static MimeMessage Build(Alert alert, string from, string? to = null)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        to = !string.IsNullOrWhiteSpace(to) ? to : string.IsNullOrWhiteSpace(alert.Business.OwnerEmail) ? from : alert.Business.OwnerEmail;
        message.To.Add(new MailboxAddress(alert.Business.OwnerName, to));
        message.Subject = AlertContent.Subject(alert);
        // A stable Message-ID lets mail clients and servers drop a replayed copy of the same alert.
        message.MessageId = alert.Kind == AlertKind.Overdue
            ? $"{alert.Case.CaseId}.overdue.{alert.Case.DueAt.UtcTicks}@reviewwatch"
            : $"{alert.Case.CaseId}.{alert.Case.Severity}@reviewwatch";
        var body = new BodyBuilder { TextBody = AlertContent.Text(alert), HtmlBody = AlertContent.Html(alert) };
        message.Body = body.ToMessageBody();
        return message;
    }
}
