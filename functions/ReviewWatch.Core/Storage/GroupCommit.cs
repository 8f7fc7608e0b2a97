using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace ReviewWatch.Storage;

/// <summary>
/// Replaces rows of one table as soon as each is handed in, in as few requests as possible (a group commit): a row
/// handed in while a write is in flight waits for it, then goes in one batch transaction per partition with every
/// other row that arrived meanwhile. Each caller's task completes when its own row is stored, so a caller never goes
/// on before its write is durable, and no write waits longer than one request already in flight.
/// Written here because neither the Azure SDK nor any package we use batches independent writes this way.
/// </summary>
public sealed class GroupCommit(TableClient table, ILogger logger, CancellationToken cancellationToken)
{
    private readonly Lock _gate = new();
    private List<(ITableEntity Row, TaskCompletionSource Done)> _waiting = [];
    private bool _writing;

    /// <summary>Replaces <paramref name="row"/> (unconditionally); completes when it is stored, or fails with its own error.</summary>
    public Task ReplaceAsync(ITableEntity row)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Add((row, done));
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = WriteWaitingAsync();
        }

        return done.Task;
    }

    /// <summary>Writes whatever is waiting until nothing is; never throws (each row's outcome goes to its caller).</summary>
    private async Task WriteWaitingAsync()
    {
        while (true)
        {
            List<(ITableEntity Row, TaskCompletionSource Done)> rows;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }

                rows = _waiting;
                _waiting = [];
            }

            foreach (var chunk in rows.GroupBy(r => r.Row.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)))
            {
                try
                {
                    if (chunk.Length == 1)
                    {
                        await table.UpdateEntityAsync(chunk[0].Row, ETag.All, TableUpdateMode.Replace, cancellationToken);
                    }
                    else
                    {
                        await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateReplace, r.Row, ETag.All)), cancellationToken);
                    }

                    foreach (var (_, done) in chunk)
                    {
                        done.TrySetResult();
                    }
                }
                catch (TableTransactionFailedException ex)
                {
                    // One row the transaction could not write (gone: 404) fails them all: write each on its own.
                    logger.LogWarning("Writing {Count} rows of {Table} in one transaction failed ({Error}); writing them one by one", chunk.Length, table.Name, ex.Message);
                    foreach (var (row, done) in chunk)
                    {
                        try
                        {
                            await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, cancellationToken);
                            done.TrySetResult();
                        }
                        catch (Exception rowEx)
                        {
                            done.TrySetException(rowEx);
                        }
                    }
                }
                catch (Exception ex)
                {
                    foreach (var (_, done) in chunk)
                    {
                        done.TrySetException(ex);
                    }
                }
            }
        }
    }
}
