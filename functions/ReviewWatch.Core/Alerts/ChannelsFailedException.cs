namespace ReviewWatch.Alerts;

/// <summary>
/// One or more of an alert's channels failed to send it (the others sent it once and are not repeated). A channel is
/// an outside service (SMTP, Teams, Slack, a webhook, the outbox's disk), so trying again later may get through.
/// </summary>
public sealed class ChannelsFailedException(string message, IEnumerable<Exception> failures) : AggregateException(message, failures);
