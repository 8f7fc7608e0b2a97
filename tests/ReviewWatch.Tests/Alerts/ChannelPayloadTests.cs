using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using ReviewWatch.Alerts;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Alerts;

/// <summary>What each channel sends, as the owner would read it, in Finnish and English; and untrusted text stays text.</summary>
public sealed class ChannelPayloadTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("fi")]
    [InlineData("en")]
    public void Teams_card_matches_its_snapshot(string language) =>
        Snapshot.Match("Alerts", $"teams-{language}", TeamsCard.Build(AlertTestData.Alert(language)).ToJsonString(Indented));

    [Theory]
    [InlineData("fi")]
    [InlineData("en")]
    public void Slack_message_matches_its_snapshot(string language) =>
        Snapshot.Match("Alerts", $"slack-{language}", SlackMessage.Build(AlertTestData.Alert(language)).ToJsonString(Indented));

    [Theory]
    [InlineData("fi")]
    [InlineData("en")]
    public void Webhook_body_matches_its_snapshot(string language) =>
        Snapshot.Match("Alerts", $"webhook-{language}", WebhookPayload.Build(AlertTestData.Alert(language)).ToJsonString(Indented));

    [Theory]
    [InlineData("fi")]
    [InlineData("en")]
    public void Email_text_and_html_match_their_snapshots(string language)
    {
        var alert = AlertTestData.Alert(language);

        Snapshot.Match("Alerts", $"email-{language}.text", AlertContent.Subject(alert) + "\n---\n" + AlertContent.Text(alert));
        Snapshot.Match("Alerts", $"email-{language}.html", AlertContent.Html(alert));
    }

    [Fact]
    public void Overdue_alerts_say_the_reply_is_late()
    {
        var alert = AlertTestData.Alert("en", kind: AlertKind.Overdue);

        Assert.StartsWith("[HIGH] Reply overdue", AlertContent.Subject(alert), StringComparison.Ordinal);
        Assert.Contains("overdue", alert.NotificationKey(new AlertRoute("email", "x@y")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    public void Hostile_review_text_is_encoded_in_the_email_and_plain_in_Teams_and_Slack(string hostile)
    {
        var alert = AlertTestData.Alert("en", hostile);

        var html = AlertContent.Html(alert);
        Assert.DoesNotContain(hostile, html, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(hostile), html, StringComparison.Ordinal);

        // Teams: the text sits in a TextRun (never markdown), Slack: in plain_text blocks (never mrkdwn).
        var teams = TeamsCard.Build(alert);
        var run = teams["attachments"]![0]!["content"]!["body"]![2]!["inlines"]![0]!;
        Assert.Equal("TextRun", run["type"]!.GetValue<string>());
        Assert.Equal(hostile, run["text"]!.GetValue<string>());
        var slack = SlackMessage.Build(alert);
        var section = slack["blocks"]![2]!["text"]!;
        Assert.Equal("plain_text", section["type"]!.GetValue<string>());
        Assert.Equal(hostile, section["text"]!.GetValue<string>());
        Assert.DoesNotContain("mrkdwn", slack.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_signature_verifies_and_a_tampered_body_or_stale_timestamp_does_not()
    {
        var body = WebhookPayload.Build(AlertTestData.Alert()).ToJsonString();
        var now = AlertTestData.Now;
        var ts = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = WebhookNotifier.Sign("s3cret", ts, body);

        Assert.StartsWith("sha256=", signature, StringComparison.Ordinal);
        Assert.True(WebhookNotifier.Verify("s3cret", ts, body, signature, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookNotifier.Verify("s3cret", ts, body + " ", signature, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookNotifier.Verify("other", ts, body, signature, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookNotifier.Verify("s3cret", ts, body, signature, now.AddMinutes(6), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Email_goes_to_a_real_SMTP_server_with_HTML_and_plain_text_parts()
    {
        await using var smtp = await SmtpSink.StartAsync();
        var options = Options.Create(new AlertingOptions { FromAddress = "alerts@reviewwatch.example", Smtp = { Host = "127.0.0.1", Port = smtp.Port, UseStartTls = false } });
        var notifier = new SmtpNotifier(options);

        await notifier.SendAsync(AlertTestData.Alert("fi", "<b>Huono</b> palvelu"), "olli@kahvila.example");

        var message = Assert.Single(smtp.Messages());
        Assert.Equal("olli@kahvila.example", ((MailboxAddress)message.To[0]).Address);
        Assert.Equal("[KORKEA] Uusi negatiivinen arvio 1★ – Kahvila Keskusta", message.Subject);
        Assert.Contains("&lt;b&gt;Huono&lt;/b&gt; palvelu", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<b>Huono</b> palvelu", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("http://localhost:7071/ui/cases/c-0123456789abcdef", message.TextBody, StringComparison.Ordinal);
        Assert.Equal("c-0123456789abcdef.high@reviewwatch", message.MessageId);
    }

    [Fact]
    public async Task Email_authenticates_when_a_user_is_configured_and_fails_loudly_on_bad_credentials()
    {
        await using var smtp = await SmtpSink.StartAsync(credentials: "alerts:right");
        var good = new SmtpNotifier(Options.Create(new AlertingOptions { Smtp = { Host = "127.0.0.1", Port = smtp.Port, UseStartTls = false, User = "alerts", Password = "right" } }));
        var bad = new SmtpNotifier(Options.Create(new AlertingOptions { Smtp = { Host = "127.0.0.1", Port = smtp.Port, UseStartTls = false, User = "alerts", Password = "wrong" } }));

        await good.SendAsync(AlertTestData.Alert(), "olli@kahvila.example");
        await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => bad.SendAsync(AlertTestData.Alert(), "olli@kahvila.example"));

        Assert.Single(smtp.Messages());
    }
}

/// <summary>The outbox holds only complete messages, whatever happened to earlier writers.</summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task Partials_never_sit_beside_alerts_and_a_killed_writers_leftovers_are_swept()
    {
        var outbox = Path.Combine(Path.GetTempPath(), "rw-outbox-" + Guid.NewGuid().ToString("N")[..8]);
        var partial = Path.Combine(outbox, ".partial");
        Directory.CreateDirectory(partial);
        var stale = Path.Combine(partial, "c-dead-high.eml.0badf00d");
        await File.WriteAllTextAsync(stale, "half a message");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddMinutes(-11));
        var fresh = Path.Combine(partial, "c-live-high.eml.0c0ffee0");
        await File.WriteAllTextAsync(fresh, "being written right now");

        var path = await OutboxNotifier.WriteAsync(EmailMessages.Build(AlertTestData.Alert(), "alerts@example.com"), outbox, "c-0123456789abcdef-high.eml", CancellationToken.None);

        Assert.Equal([path], Directory.GetFiles(outbox));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh)); // another writer's partial in progress is left alone
        Assert.Equal("[KORKEA] Uusi negatiivinen arvio 1★ – Kahvila Keskusta", MimeMessage.Load(path).Subject);
    }
}
