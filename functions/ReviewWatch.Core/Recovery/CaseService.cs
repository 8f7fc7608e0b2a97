using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ReviewWatch.Storage;

namespace ReviewWatch.Recovery;

/// <summary>Thrown when a case changed under the caller (lost an ETag race) or its state forbids the change.</summary>
public sealed class CaseConflictException(string message) : Exception(message);

/// <summary>Reads cases and applies staff actions with optimistic concurrency and an audit event per change.</summary>
public sealed class CaseService(ReviewWatchStorage storage, TimeProvider time)
{
    public async Task<IReadOnlyList<RecoveryCase>> ListAsync(IEnumerable<string> businessIds, string? statusFilter, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var results = new List<RecoveryCase>();
        foreach (var businessId in businessIds)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {businessId}");
            await foreach (var c in storage.Cases.QueryAsync<RecoveryCase>(filter, cancellationToken: cancellationToken))
            {
                if (Matches(c, statusFilter))
                {
                    results.Add(c);
                }
            }
        }

        return results.OrderBy(c => c.DueAt).ThenBy(c => c.CaseId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Finds a case among the given businesses; null when it is not there (or not the caller's).</summary>
    public async Task<RecoveryCase?> FindAsync(IEnumerable<string> businessIds, string caseId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        foreach (var businessId in businessIds)
        {
            var found = await storage.Cases.GetOrDefaultAsync<RecoveryCase>(businessId, caseId, cancellationToken);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// The case's history, oldest first. Its first entry, "created", is the case row itself: opening a case writes no
    /// event row (one storage request less per alert, and no case can lack it after a crash). Older data that has a
    /// stored "created" event shows that one instead.
    /// </summary>
    public async Task<IReadOnlyList<CaseEventEntity>> EventsAsync(RecoveryCase recoveryCase, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {recoveryCase.CaseId}");
        var events = new List<CaseEventEntity>();
        await foreach (var e in storage.CaseEvents.QueryAsync<CaseEventEntity>(filter, cancellationToken: cancellationToken))
        {
            events.Add(e);
        }

        if (!events.Any(e => e.Type == "created"))
        {
            events.Add(CreatedEvent(recoveryCase));
        }

        return events.OrderBy(e => e.At).ThenBy(e => e.Type == "created" ? 0 : 1).ToList();
    }

    /// <summary>The "created" entry of a case's history, made from the case row.</summary>
    public static CaseEventEntity CreatedEvent(RecoveryCase recoveryCase) => new()
    {
        PartitionKey = recoveryCase.CaseId,
        RowKey = "0000000000000000000-created",
        Type = "created",
        Actor = "system",
        At = recoveryCase.CreatedAt,
        Details = $"severity {(recoveryCase.OpenedSeverity.Length > 0 ? recoveryCase.OpenedSeverity : recoveryCase.Severity)}",
    };

    /// <summary>Applies <paramref name="change"/> to the stored case and saves it only if nobody changed it since it was read.</summary>
    /// <param name="change">Applies the change (through the case's own transition methods) and returns the audit details.</param>
    public async Task<RecoveryCase> ChangeAsync(RecoveryCase current, string actor, string eventType, Func<RecoveryCase, DateTimeOffset, string> change, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        string details;
        try
        {
            details = change(current, now);
        }
        catch (InvalidCaseTransitionException ex)
        {
            throw new CaseConflictException(ex.Message);
        }

        try
        {
            var response = await storage.Cases.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Replace, cancellationToken);
            current.ETag = response.Headers.ETag ?? current.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw new CaseConflictException($"Case {current.CaseId} was changed by someone else; reload it and try again.");
        }

        await AddEventAsync(current.CaseId, eventType, actor, details, now, cancellationToken: cancellationToken);
        return current;
    }

    public Task AddEventAsync(string caseId, string type, string actor, string details, DateTimeOffset at, string? rowKey = null, CancellationToken cancellationToken = default)
    {
        var entity = new CaseEventEntity
        {
            PartitionKey = caseId,
            RowKey = rowKey ?? $"{at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..28],
            Type = type,
            Actor = actor,
            At = at,
            Details = details,
        };
        return storage.CaseEvents.TryAddAsync(entity, cancellationToken);
    }

    private static bool Matches(RecoveryCase c, string? filter) => filter switch
    {
        null or "" or "all" => true,
        "open" => CaseStatus.IsOpen(c.Status),
        "closed" => !CaseStatus.IsOpen(c.Status),
        _ => string.Equals(c.Status, filter, StringComparison.OrdinalIgnoreCase),
    };
}
