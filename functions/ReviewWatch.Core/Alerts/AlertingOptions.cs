namespace ReviewWatch.Alerts;

/// <summary>
/// How alerts reach people. App settings (sections joined with __):
/// <c>Alerting__PublicBaseUrl</c> (base of deep links), <c>Alerting__OutboxPath</c>, <c>Alerting__FromAddress</c>,
/// <c>Alerting__Smtp__Host</c>/<c>Port</c>/<c>UseStartTls</c>/<c>User</c>/<c>Password</c>,
/// <c>Alerting__Teams__WebhookUrl</c>, <c>Alerting__Slack__WebhookUrl</c>, <c>Alerting__Webhook__Url</c>/<c>Secret</c>.
/// A business's own routes (BusinessEntity.AlertRoutes) replace the app-wide Teams/Slack/webhook/email defaults.
/// </summary>
public sealed class AlertingOptions
{
    public const string Section = "Alerting";

    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    public string FromAddress { get; set; } = "reviewwatch@localhost";

    /// <summary>
    /// A channel claim older than this is taken over (its sender is presumed dead). Channels time out well inside
    /// it, so a live sender always finishes first. App setting: <c>Alerting__SendLease=00:00:30</c>.
    /// </summary>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an alert still failing after every attempt of its queue message waits before it is tried again; each
    /// later retry waits twice as long, at most an hour. App setting: <c>Alerting__FirstRetryDelay=00:01:00</c>.
    /// </summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every channel call gives up after this (kept well under <see cref="SendLease"/>).</summary>
    public TimeSpan ChannelTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public string OutboxPath { get => Outbox.Path; set => Outbox.Path = value; }

    public OutboxChannelOptions Outbox { get; set; } = new();

    public SmtpChannelOptions Smtp { get; set; } = new();

    public WebhookChannelOptions Teams { get; set; } = new() { MinSeverity = "high" };

    public WebhookChannelOptions Slack { get; set; } = new() { MinSeverity = "high" };

    public WebhookChannelOptions Webhook { get; set; } = new();

    public string CaseLink(string caseId) => $"{PublicBaseUrl.TrimEnd('/')}/ui/cases/{Uri.EscapeDataString(caseId)}";
}

public sealed class OutboxChannelOptions
{
    /// <summary>The local .eml outbox; on by default so a fresh install alerts somewhere with no setup.</summary>
    public bool Enabled { get; set; } = true;

    public string Path { get; set; } = "outbox";
}

public sealed class SmtpChannelOptions
{
    public string Host { get; set; } = string.Empty;
    public int Port { get; set; } = 587;
    /// <summary>Upgrade with STARTTLS when the server offers it (always in production; local sinks have none).</summary>
    public bool UseStartTls { get; set; } = true;
    public string User { get; set; } = string.Empty;
    public string Password { get; set; } = string.Empty;

    public bool IsConfigured => AlertRouter.Configured(Host);
}

public sealed class WebhookChannelOptions
{
    public string WebhookUrl { get; set; } = string.Empty;
    public string Url { get => WebhookUrl; set => WebhookUrl = value; }
    /// <summary>HMAC-SHA256 key for the generic webhook's signature header.</summary>
    public string Secret { get; set; } = string.Empty;
    public string MinSeverity { get; set; } = "medium";
}
