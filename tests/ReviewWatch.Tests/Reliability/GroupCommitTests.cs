using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Reliability;

/// <summary><see cref="GroupCommit"/> against real (Azurite) storage: every row stored, in fewer requests than rows, each caller told its own outcome.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class GroupCommitTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly RequestCounter _requests = new();
    private TableClient _table = null!;

    public async Task InitializeAsync()
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        _table = new TableClient(azurite.ConnectionString, "groupcommit" + Guid.NewGuid().ToString("N")[..8], options);
        await _table.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _table.DeleteAsync();

    [Fact]
    public async Task Rows_handed_in_while_a_write_is_in_flight_go_together_and_every_caller_learns_its_row_is_stored()
    {
        var rows = Enumerable.Range(0, 60).Select(i => new TableEntity(i % 2 == 0 ? "a" : "b", $"row{i:D2}") { ["Status"] = "sending" }).ToList();
        foreach (var chunk in rows.GroupBy(r => r.PartitionKey))
        {
            await _table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        }

        var before = _requests.Count;
        var commit = new GroupCommit(_table, NullLogger.Instance, CancellationToken.None);

        await Task.WhenAll(rows.Select(r => commit.ReplaceAsync(new TableEntity(r.PartitionKey, r.RowKey) { ["Status"] = "sent" })));

        var stored = await _table.QueryAsync<TableEntity>().ToListAsync();
        Assert.Equal(60, stored.Count);
        Assert.All(stored, r => Assert.Equal("sent", r.GetString("Status")));
        // The first row goes alone; the 59 handed in while it was in flight go as one transaction per partition.
        Assert.InRange(_requests.Count - before, 2, 10);
    }

    [Fact]
    public async Task A_row_that_cannot_be_written_fails_only_its_own_caller()
    {
        await _table.AddEntityAsync(new TableEntity("a", "first") { ["Status"] = "sending" });
        await _table.AddEntityAsync(new TableEntity("a", "kept") { ["Status"] = "sending" });
        var commit = new GroupCommit(_table, NullLogger.Instance, CancellationToken.None);

        var first = commit.ReplaceAsync(new TableEntity("a", "first") { ["Status"] = "sent" });
        var gone = commit.ReplaceAsync(new TableEntity("a", "gone") { ["Status"] = "sent" });
        var kept = commit.ReplaceAsync(new TableEntity("a", "kept") { ["Status"] = "sent" });

        await first;
        await kept;
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => gone);
        Assert.Equal(404, error.Status);
        Assert.Equal("sent", (await _table.GetEntityAsync<TableEntity>("a", "kept")).Value.GetString("Status"));
        Assert.False((await _table.GetEntityIfExistsAsync<TableEntity>("a", "gone")).HasValue);
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
