namespace ReviewWatch.Alerts;

/// <summary>
/// Another instance holds the claim of an alert's notification on a channel (it is sending it, or it died doing so),
/// and the claim is not yet old enough to take over. The alert is tried again once the claim has expired.
/// </summary>
public sealed class ClaimHeldElsewhereException(string notificationKey, DateTimeOffset expiresAt)
    : Exception($"notification {notificationKey} is being sent by another instance (its claim expires at {expiresAt:O})")
{
    /// <summary>When the claim may be taken over if it is still not marked sent.</summary>
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
}
