using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Businesses;
using ReviewWatch.Messaging;
using ReviewWatch.Storage;

namespace ReviewWatch.Google;

/// <summary>The poll requests one scheduler tick queues, and how many locations still had one waiting.</summary>
public sealed record PollSchedule(IReadOnlyList<PollRequest> Requests, int StillWaiting);

/// <summary>
/// Decides which locations <c>ScheduleReviewPolls</c> asks to poll. A Google location whose last requested poll has
/// not started yet (its cursor's <c>LastPollRequestedAt</c> is newer than <c>LastPollStartedAt</c>) is not asked again:
/// when polls run slower than the schedule (Google slow or failing, a backlog after an outage) the queue then holds at
/// most one scheduled request per location instead of growing by every location at every tick. A request older than
/// <see cref="GoogleOptions.PollRequestExpiry"/> counts as lost (the host died before queueing it) and is asked again.
/// Locations never polled, and other sources, are always asked. Pushes queue their own polls and are not held back.
/// </summary>
public sealed class PollScheduler(BusinessDirectory directory, GoogleStore store, IOptions<GoogleOptions> options, TimeProvider time, ILogger<PollScheduler> logger)
{
    public async Task<PollSchedule> ScheduleAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var locations = await directory.ListLocationsAsync(cancellationToken: cancellationToken);
        var cursors = locations.Any(l => l.Source == "google") ? await store.ListCursorsAsync(cancellationToken) : [];
        var due = new List<LocationEntity>();
        var waiting = 0;
        foreach (var location in locations)
        {
            if (location.Source == "google" && cursors.GetValueOrDefault(location.LocationId) is { LastPollRequestedAt: DateTimeOffset asked } cursor
                && (cursor.LastPollStartedAt is not DateTimeOffset started || asked > started)
                && now - asked < options.Value.PollRequestExpiry && asked <= now)
            {
                waiting++;
                continue;
            }

            due.Add(location);
        }

        var marked = due.Where(l => l.Source == "google" && cursors.ContainsKey(l.LocationId)).Select(l => l.LocationId);
        if (!await store.MarkPollRequestedAsync(marked, now, cancellationToken))
        {
            logger.LogWarning("Could not record every poll request on its cursor; those locations may be asked twice");
        }

        return new PollSchedule([.. due.Select(l => new PollRequest(MessageCodec.CurrentVersion, l.BusinessId, l.LocationId, "schedule", now))], waiting);
    }
}
