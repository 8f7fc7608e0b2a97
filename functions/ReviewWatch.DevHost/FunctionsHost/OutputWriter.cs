using System.Text.Json.Nodes;
using Azure.Storage.Queues;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>Writes a successful invocation's queue outputs: a string is one message, an array one per element.</summary>
public sealed class OutputWriter(StorageConnections connections, ILogger logger)
{
    // Queues this writer has created: creating is one request per invocation otherwise. A queue deleted meanwhile
    // answers 404 to the send, and is created again then.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _created = new(StringComparer.Ordinal);

    public async Task WriteAsync(FunctionDefinition function, JsonObject? outputs, CancellationToken cancellationToken)
    {
        if (outputs is null)
        {
            return;
        }

        foreach (var binding in function.Outputs.Where(b => b.Type.Equals("queue", StringComparison.OrdinalIgnoreCase)))
        {
            if (!TryGet(outputs, binding.Name, out var value) || value is null)
            {
                continue;
            }

            var queue = connections.Queue(binding.Get("connection"), connections.Expand(binding.Get("queueName") ?? string.Empty), base64: true);
            if (!_created.ContainsKey(queue.Uri.AbsoluteUri))
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                _created[queue.Uri.AbsoluteUri] = true;
            }

            var messages = value is JsonArray array ? array.Select(Text) : [Text(value)];
            foreach (var message in messages)
            {
                if (message is not null)
                {
                    try
                    {
                        await queue.SendMessageAsync(message, cancellationToken);
                    }
                    catch (Azure.RequestFailedException ex) when (ex.Status == 404)
                    {
                        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                        await queue.SendMessageAsync(message, cancellationToken);
                    }
                }
            }

            logger.LogDebug("Wrote output {Binding} to queue {Queue}", binding.Name, queue.Name);
        }
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>Output names are matched case-insensitively, as the host does (Newtonsoft).</summary>
    internal static bool TryGet(JsonObject obj, string name, out JsonNode? value)
    {
        foreach (var (key, node) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = node;
                return true;
            }
        }

        value = null;
        return false;
    }
}

/// <summary>Resolves a binding's "connection" setting to storage clients, and %SETTING% references.</summary>
public sealed class StorageConnections(IReadOnlyDictionary<string, string> settings)
{
    public IReadOnlyDictionary<string, string> Settings => settings;

    public string Expand(string value) => SettingExpander.Expand(value, settings);

    public string ConnectionString(string? connection)
    {
        var name = string.IsNullOrEmpty(connection) ? "AzureWebJobsStorage" : connection;
        return settings.TryGetValue(name, out var cs) && !string.IsNullOrEmpty(cs) ? cs
            : settings.TryGetValue("AzureWebJobs" + name, out var prefixed) ? prefixed
            : throw new InvalidOperationException($"Storage connection '{name}' is not set.");
    }

    public QueueClient Queue(string? connection, string queueName, bool base64) =>
        new(ConnectionString(connection), queueName, new QueueClientOptions { MessageEncoding = base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None });
}
