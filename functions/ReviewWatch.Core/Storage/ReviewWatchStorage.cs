using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace ReviewWatch.Storage;

/// <summary>
/// The tables and queues ReviewWatch uses, created on first use. Queue clients use base64 message encoding,
/// which is what the Functions queue trigger expects (a plain-text message would be poisoned unread).
/// </summary>
public sealed class ReviewWatchStorage
{
    public const string PollQueueName = "poll-requests";
    public const string AlertQueueName = "alerts";

    private readonly TableServiceClient _tables;
    private readonly QueueServiceClient _queues;
    private readonly string _prefix;
    private readonly object _gate = new();
    private Task? _creation;

    public ReviewWatchStorage(TableServiceClient tables, QueueServiceClient queues, string tablePrefix = "")
    {
        _tables = tables;
        _queues = queues;
        _prefix = tablePrefix;
        Businesses = Table("Businesses");
        Locations = Table("Locations");
        Reviews = Table("Reviews");
        Cases = Table("Cases");
        CaseEvents = Table("CaseEvents");
        Notifications = Table("Notifications");
        Digests = Table("Digests");
        ChannelHealth = Table("ChannelHealth");
        Users = Table("Users");
        DataProtectionKeys = Table("DataProtectionKeys");
        Mentions = Table("Mentions");
        MentionHashes = Table("MentionHashes");
        MentionCursors = Table("MentionCursors");
        MentionCounters = Table("MentionCounters");
        PollQueue = _queues.GetQueueClient(PollQueueName);
        AlertQueue = _queues.GetQueueClient(AlertQueueName);
    }

    public TableClient Businesses { get; }
    public TableClient Locations { get; }
    public TableClient Reviews { get; }
    public TableClient Cases { get; }
    public TableClient CaseEvents { get; }
    public TableClient Notifications { get; }
    public TableClient Digests { get; }
    public TableClient ChannelHealth { get; }
    public TableClient Users { get; }
    public TableClient DataProtectionKeys { get; }
    /// <summary>Mentions: PartitionKey businessId, RowKey hash of the canonical URL.</summary>
    public TableClient Mentions { get; }
    /// <summary>MentionHashes: PartitionKey businessId, RowKey content hash → the mention that first had that text.</summary>
    public TableClient MentionHashes { get; }
    /// <summary>MentionCursors: PartitionKey "mentions", RowKey {businessId}-{source}-{scope}.</summary>
    public TableClient MentionCursors { get; }
    /// <summary>MentionCounters: PartitionKey businessId, RowKey {source}-{reason}: items the relevance filter dropped.</summary>
    public TableClient MentionCounters { get; }
    public QueueClient PollQueue { get; }
    public QueueClient AlertQueue { get; }

    /// <summary>Builds clients from a connection string (Azurite locally) or an account name (managed identity).</summary>
    public static ReviewWatchStorage Create(string? connectionString, string? accountName, TokenCredential? credential, string tablePrefix = "")
    {
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new ReviewWatchStorage(new TableServiceClient(connectionString), new QueueServiceClient(connectionString, queueOptions), tablePrefix);
        }

        if (string.IsNullOrWhiteSpace(accountName) || credential is null)
        {
            throw new InvalidOperationException("Set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__accountName (managed identity).");
        }

        return new ReviewWatchStorage(
            new TableServiceClient(new Uri($"https://{accountName}.table.core.windows.net"), credential),
            new QueueServiceClient(new Uri($"https://{accountName}.queue.core.windows.net"), credential, queueOptions),
            tablePrefix);
    }

    /// <summary>Creates the tables and queues once per process; a failed attempt is retried on the next call.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                _creation = CreateAllAsync(cancellationToken);
            }

            return _creation;
        }
    }

    /// <summary>
    /// One cheap round trip to each service the app depends on (a point read of a row that need not exist, the alert
    /// queue's properties); throws if either is unreachable. For health checks: <see cref="EnsureCreatedAsync"/>
    /// remembers its success and so says nothing about storage now.
    /// </summary>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        await Businesses.GetEntityIfExistsAsync<TableEntity>("health", "probe", select: ["PartitionKey"], cancellationToken);
        await AlertQueue.GetPropertiesAsync(cancellationToken);
    }

    private async Task CreateAllAsync(CancellationToken cancellationToken)
    {
        foreach (var table in new[] { Businesses, Locations, Reviews, Cases, CaseEvents, Notifications, Digests, ChannelHealth, Users, DataProtectionKeys, Mentions, MentionHashes, MentionCursors, MentionCounters })
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var queue in new[] { PollQueue, AlertQueue })
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    private TableClient Table(string name) => _tables.GetTableClient(_prefix + name);
}

/// <summary>Small helpers over <see cref="TableClient"/> for the idempotent writes everything here relies on.</summary>
public static class TableClientExtensions
{
    /// <summary>Inserts the entity unless a row with its keys exists. Returns false when it already existed.</summary>
    public static async Task<bool> TryAddAsync<T>(this TableClient table, T entity, CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        try
        {
            var response = await table.AddEntityAsync(entity, cancellationToken);
            entity.ETag = response.Headers.ETag ?? entity.ETag;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The most actions one batch transaction may hold (the service's limit).</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>
    /// Inserts <paramref name="rows"/> (duplicates by key dropped) in one batch transaction per partition and
    /// <see cref="MaxTransactionActions"/> rows. A transaction that fails writes nothing (all or nothing; usually one
    /// of its rows exists already, 409): its rows are left out of the result, for the caller to decide one by one,
    /// and their count is the second value. The rows inserted get their new ETags.
    /// </summary>
    public static async Task<(List<T> Added, int NotAdded)> TryAddBatchesAsync<T>(this TableClient table, IEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : class, ITableEntity
    {
        var added = new List<T>();
        var notAdded = 0;
        var chunks = rows
            .GroupBy(r => r.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.DistinctBy(r => r.RowKey, StringComparer.Ordinal).Chunk(MaxTransactionActions));
        foreach (var chunk in chunks)
        {
            try
            {
                var response = await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
                for (var i = 0; i < chunk.Length; i++)
                {
                    chunk[i].ETag = response.Value[i].Headers.ETag ?? chunk[i].ETag;
                }

                added.AddRange(chunk);
            }
            catch (TableTransactionFailedException)
            {
                notAdded += chunk.Length;
            }
        }

        return (added, notAdded);
    }

    /// <summary>How many point reads <see cref="GetManyAsync"/> keeps in flight.</summary>
    private const int PointReadsInFlight = 16;

    /// <summary>
    /// The stored rows of one partition among <paramref name="rowKeys"/>, read with point reads, a few in flight at once.
    /// Rows that do not exist are simply absent from the result. Point reads, not one query with the keys OR-ed
    /// together: the table service serves a point read directly, but scans the whole partition for an OR of row keys
    /// (Azure's table design guide), and Azurite scans the whole table, which at 50,000 reviews made these queries
    /// most of its work.
    /// </summary>
    public static async Task<Dictionary<string, T>> GetManyAsync<T>(this TableClient table, string partitionKey, IEnumerable<string> rowKeys, CancellationToken cancellationToken = default)
        where T : class, ITableEntity, new()
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, T>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            rowKeys.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = PointReadsInFlight, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                if (await table.GetOrDefaultAsync<T>(partitionKey, key, ct) is { } row)
                {
                    found[key] = row;
                }
            });
        return new Dictionary<string, T>(found, StringComparer.Ordinal);
    }

    public static async Task<T?> GetOrDefaultAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
        where T : class, ITableEntity, new()
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Keys may not hold / \ # ? or control characters; Google ids normally don't, but never trust that.</summary>
    public static string SafeKey(string value)
    {
        var chars = value.Select(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? '_' : c).ToArray();
        return new string(chars);
    }
}
