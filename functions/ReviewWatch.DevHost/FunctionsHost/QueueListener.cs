using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>
/// A queue trigger, as the Functions queue extension runs it: polls with backoff up to maxPollingInterval, takes
/// up to batchSize messages (hidden 10 minutes while they run), base64-decodes each (a message that is not
/// base64 goes straight to &lt;queue&gt;-poison, unread, as the extension does), invokes the handler, writes
/// outputs and deletes on success; on failure makes it visible again after visibilityTimeout, and after
/// maxDequeueCount attempts moves the original text to &lt;queue&gt;-poison.
/// </summary>
public sealed class QueueListener(
    FunctionDefinition function,
    QueueSettings settings,
    StorageConnections connections,
    Invoker invoker,
    OutputWriter outputs,
    ILogger logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReceiveGraceOnStop = TimeSpan.FromSeconds(3);

    public async Task RunAsync(CancellationToken stopping)
    {
        var trigger = function.Trigger;
        var queueName = connections.Expand(trigger.Get("queueName") ?? throw new InvalidDataException($"{function.Name}: queueTrigger has no queueName"));
        var queue = connections.Queue(trigger.Get("connection"), queueName, base64: false);
        var poison = connections.Queue(trigger.Get("connection"), queueName + "-poison", base64: false);
        await CreateWithRetryAsync(queue, stopping);

        // Stopping is graceful, as in the Functions host: no new batch is taken, but a receive in flight is never
        // abandoned (the messages it leased would hide for the whole 10-minute lease) and the batch in hand is
        // finished, within a drain timeout after which its invocations are cancelled and their messages released.
        using var drain = new CancellationTokenSource();
        using var drainOnStop = stopping.Register(() => drain.CancelAfter(DrainTimeout));
        var delay = MinPoll;
        while (!stopping.IsCancellationRequested)
        {
            QueueMessage[] batch;
            try
            {
                // A receive in flight when stopping gets a short grace to bring back what it leased; when storage
                // is gone too (Ctrl+C stops Azurite with us), nothing was leased and waiting longer only delays exit.
                using var receiveTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using var graceOnStop = stopping.Register(() => receiveTimeout.CancelAfter(ReceiveGraceOnStop));
                batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, Lease, receiveTimeout.Token)).Value;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Polling queue {Queue} failed: {Error}", queueName, ex.Message);
                batch = [];
            }

            if (batch.Length == 0)
            {
                try
                {
                    await Task.Delay(delay, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(settings.MaxPollingInterval.Ticks, MinPoll.Ticks)));
                continue;
            }

            delay = MinPoll;
            try
            {
                await Task.WhenAll(batch.Select(m => ProcessAsync(queue, poison, m, drain.Token)));
            }
            catch (Exception ex) when (!drain.IsCancellationRequested)
            {
                // Whatever went wrong with this batch, keep polling: its messages reappear after their lease.
                logger.LogError(ex, "Processing a batch from {Queue} failed", queueName);
            }
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stopping)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        }
        catch (FormatException)
        {
            logger.LogError(
                "Message {MessageId} on queue {Queue} is not base64 (the trigger expects base64-encoded messages); moving it to {Poison} unread",
                message.MessageId, queue.Name, poison.Name);
            await MoveToPoisonAsync(queue, poison, message, stopping);
            return;
        }

        var trigger = function.Trigger;
        var data = new JsonObject { [trigger.Name] = Invoker.Encode(text) };
        var metadata = new JsonObject
        {
            ["DequeueCount"] = message.DequeueCount.ToString(CultureInfo.InvariantCulture),
            ["ExpirationTime"] = Iso(message.ExpiresOn),
            ["Id"] = Invoker.Encode(message.MessageId),
            ["InsertionTime"] = Iso(message.InsertedOn),
            ["NextVisibleTime"] = Iso(message.NextVisibleOn),
            ["PopReceipt"] = Invoker.Encode(message.PopReceipt),
        };
        PromoteProperties(text, metadata);

        InvocationOutcome outcome;
        try
        {
            outcome = await invoker.InvokeAsync(function.Name, data, metadata, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down mid-invocation: release the message now rather than after its 10-minute lease.
            await ReleaseAsync(queue, message);
            return;
        }

        try
        {
            if (outcome.Succeeded)
            {
                await WithStorageRetryAsync(() => outputs.WriteAsync(function, outcome.Outputs, stopping), stopping);
                await WithStorageRetryAsync(() => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stopping), stopping);
                return;
            }

            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                logger.LogError(
                    "Message {MessageId} has reached MaxDequeueCount of {Max}. Moving message to queue '{Poison}'. Last failure: {Reason}",
                    message.MessageId, settings.MaxDequeueCount, poison.Name, Reason(outcome));
                await MoveToPoisonAsync(queue, poison, message, stopping);
            }
            else
            {
                await WithStorageRetryAsync(() => queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: stopping), stopping);
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 404)
        {
            // Our lease ran out and another instance took the message: it is theirs now.
            logger.LogWarning("Message {MessageId} on {Queue} was taken over by another instance", message.MessageId, queue.Name);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Storage stayed unreachable: the message reappears when its lease ends and runs again (idempotently).
            // Never let this escape: it would end this trigger's polling loop for good.
            logger.LogError("Completing message {MessageId} on {Queue} failed ({Error}); it reappears after its lease", message.MessageId, queue.Name, ex.Message);
        }
    }

    /// <summary>Retries a storage call through a short outage (an Azurite or network blip) for about 30 seconds.</summary>
    private static async Task WithStorageRetryAsync(Func<Task> action, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action();
                return;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 0 or >= 500 && attempt < 10)
            {
            }
            catch (AggregateException) when (attempt < 10)
            {
            }
            catch (HttpRequestException) when (attempt < 10)
            {
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), stopping);
        }
    }

    private async Task ReleaseAsync(QueueClient queue, QueueMessage message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: timeout.Token);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or OperationCanceledException)
        {
            logger.LogWarning("Could not release message {MessageId} on shutdown; it reappears after its lease", message.MessageId);
        }
    }

    private static async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        // Step by step, each retried on its own: a retried send after a failed delete would poison the message twice.
        await WithStorageRetryAsync(() => poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken), cancellationToken);
        await WithStorageRetryAsync(() => poison.SendMessageAsync(message.MessageText, cancellationToken), cancellationToken); // the original text, unchanged
        await WithStorageRetryAsync(() => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken), cancellationToken);
    }

    /// <summary>Top-level properties of a JSON object message are promoted into Metadata, double-encoded, like the host.</summary>
    private static void PromoteProperties(string text, JsonObject metadata)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject obj)
            {
                foreach (var (key, value) in obj)
                {
                    if (value is JsonValue && !metadata.ContainsKey(key) && key != "sys")
                    {
                        var raw = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                        metadata[key] = Invoker.Encode(raw);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing to promote.
        }
    }

    private static string Reason(InvocationOutcome outcome)
    {
        var body = outcome.RawBody;
        return body.Length > 300 ? body[..300] + "…" : body;
    }

    private static string Iso(DateTimeOffset? value) => (value ?? DateTimeOffset.UtcNow).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    private async Task CreateWithRetryAsync(QueueClient queue, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stopping);
                return;
            }
            catch (Azure.RequestFailedException ex) when (attempt < 20)
            {
                logger.LogWarning("Creating queue {Queue} failed ({Error}); retrying", queue.Name, ex.Message);
                await Task.Delay(500, stopping);
            }
        }
    }
}
