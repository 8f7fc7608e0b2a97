using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Alerts;

/// <summary>Everything a channel needs to tell the owner about one flagged item.</summary>
public sealed record Alert(
    BusinessEntity Business,
    LocationEntity? Location,
    RecoveryCase Case,
    string Link,
    IReadOnlyList<string> Touchpoints);

/// <summary>One way of reaching the owner (outbox, email, Teams, Slack, webhook).</summary>
public interface INotifier
{
    /// <summary>The channel's stable name, part of each notification's idempotency key.</summary>
    string Channel { get; }

    /// <summary>Delivers the alert. Must be safe to call again for the same alert after a crash.</summary>
    Task<string> SendAsync(Alert alert, CancellationToken cancellationToken = default);
}
