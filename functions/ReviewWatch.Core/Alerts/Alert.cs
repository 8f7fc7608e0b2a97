using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Alerts;

/// <summary>Why the owner is told: a new flagged item, or a case that passed its reply due time.</summary>
public enum AlertKind
{
    NewItem,
    Overdue,
}

/// <summary>Everything a channel needs to tell the owner about one flagged item.</summary>
public sealed record Alert(
    BusinessEntity Business,
    LocationEntity? Location,
    RecoveryCase Case,
    string Link,
    IReadOnlyList<string> Touchpoints,
    AlertKind Kind = AlertKind.NewItem)
{
    /// <summary>The idempotency key of this alert on one route: once per item and severity (and per breach when overdue).</summary>
    public string NotificationKey(AlertRoute route)
    {
        var what = Kind == AlertKind.Overdue ? $"overdue-{Case.DueAt.UtcTicks}" : Case.Severity;
        return string.IsNullOrEmpty(route.Target) ? $"{route.Channel}-{what}" : $"{route.Channel}-{what}-{route.TargetHash}";
    }
}

/// <summary>One way of reaching the owner (outbox, email, Teams, Slack, webhook).</summary>
public interface INotifier
{
    /// <summary>The channel's stable name, part of each notification's idempotency key.</summary>
    string Channel { get; }

    /// <summary>
    /// Delivers the alert to <paramref name="target"/> (an address or URL; empty for the outbox). Throws with a
    /// readable reason on failure. Must be safe to call again for the same alert after a crash.
    /// </summary>
    Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default);
}
