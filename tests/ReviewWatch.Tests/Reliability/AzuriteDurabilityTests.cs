using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using ReviewWatch.DevHost.Local;

namespace ReviewWatch.Tests.Reliability;

/// <summary>
/// <c>./reviewwatch run --persist</c> brings Azurite back after it dies. Killed with SIGKILL, it must come back with
/// what it had acknowledged: Azurite on its own saves its databases only every 5 s, so writes from the last seconds
/// (a case opened, its alert already sent) vanished. tools/azurite-eager-save.cjs saves them within ~50 ms.
/// </summary>
public sealed class AzuriteDurabilityTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rw-durable-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_persisted_Azurite_killed_with_SIGKILL_comes_back_with_the_rows_and_messages_it_acknowledged()
    {
        var rows = new List<string>();
        var messages = new List<string>();
        var azurite = await AzuriteServer.StartAsync(_folder);
        try
        {
            // Two rounds, each: writes spread over a second, the last one 300 ms before the kill. Azurite's own 5 s
            // autosave would lose the newest of them unless it happened to save in those 300 ms.
            for (var round = 0; round < 2; round++)
            {
                var table = new TableClient(azurite.ConnectionString, "Durability");
                var queue = new QueueClient(azurite.ConnectionString, "durability");
                await table.CreateIfNotExistsAsync();
                await queue.CreateIfNotExistsAsync();
                for (var i = 0; i < 10; i++)
                {
                    var key = $"{round}-{i}";
                    await table.AddEntityAsync(new TableEntity("p", key) { ["Text"] = "acknowledged " + key });
                    rows.Add(key);
                    await Task.Delay(100);
                }

                await queue.SendMessageAsync("message " + round);
                messages.Add("message " + round);
                await Task.Delay(300);

                await KillAsync(azurite);
                azurite = await AzuriteServer.StartAsync(_folder);

                var stored = new List<string>();
                await foreach (var e in new TableClient(azurite.ConnectionString, "Durability").QueryAsync<TableEntity>())
                {
                    stored.Add(e.RowKey);
                }

                Assert.Equal(rows, stored.Order(StringComparer.Ordinal));
                var peeked = await new QueueClient(azurite.ConnectionString, "durability").PeekMessagesAsync(32);
                Assert.Equal(messages, peeked.Value.Select(m => m.Body.ToString()));
            }
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>SIGKILL to Azurite itself (not its supervisor), as `kill -9` of the node process would.</summary>
    private static async Task KillAsync(AzuriteServer azurite)
    {
        var ids = azurite.ProcessIds();
        Assert.True(ids.Count == 2, "expected the supervisor and Azurite");
        using (var node = Process.GetProcessById(ids[1]))
        {
            node.Kill();
        }

        await azurite.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); // the supervisor follows it
        await azurite.DisposeAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
