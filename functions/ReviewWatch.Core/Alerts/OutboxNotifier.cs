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

    /// <summary>
    /// Writes a message into the outbox atomically: it is written under <c>.partial/</c> and then moved in, so the
    /// outbox only ever holds complete messages, even when the process is killed mid-write. Partials left by a killed
    /// writer are swept once they are ten minutes old.
    /// </summary>
    public static async Task<string> WriteAsync(MimeMessage message, string outboxPath, string fileName, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(outboxPath);
        var partial = Path.Combine(folder, ".partial");
        Directory.CreateDirectory(partial);
        SweepStalePartials(partial);
        var path = Path.Combine(folder, fileName);
        var temp = Path.Combine(partial, fileName + "." + Guid.NewGuid().ToString("N")[..8]);
        await message.WriteToAsync(temp, cancellationToken);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static void SweepStalePartials(string partial)
    {
        foreach (var file in Directory.EnumerateFiles(partial))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-10))
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // Another writer is on it; the next write sweeps again.
            }
        }
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
