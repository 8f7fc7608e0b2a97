namespace ReviewWatch.Alerts;

/// <summary>
/// How alerts reach people. App settings: <c>Alerting__PublicBaseUrl=https://reviewwatch.example.com</c> (the base
/// of deep links into the response queue), <c>Alerting__OutboxPath=outbox</c> (where the local outbox channel writes
/// .eml files), <c>Alerting__FromAddress=reviewwatch@localhost</c>.
/// </summary>
public sealed class AlertingOptions
{
    public const string Section = "Alerting";

    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    public string OutboxPath { get; set; } = "outbox";

    public string FromAddress { get; set; } = "reviewwatch@localhost";

    /// <summary>
    /// A channel claim older than this is taken over (its sender is presumed dead). Channels time out well inside
    /// it, so a live sender always finishes first. App setting: <c>Alerting__SendLease=00:00:30</c>.
    /// </summary>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromSeconds(30);

    public string CaseLink(string caseId) => $"{PublicBaseUrl.TrimEnd('/')}/ui/cases/{Uri.EscapeDataString(caseId)}";
}
