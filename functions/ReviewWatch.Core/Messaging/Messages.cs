using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Messaging;

/// <summary>Asks for one location to be polled now. Queue: poll-requests. Version 1.</summary>
/// <param name="RequestedAt">
/// When the request was made (the requester's clock, as the poller's: both are this app). A Google poll that started
/// after it has already fetched everything the request asked for, so the request is skipped instead of calling Google
/// again; absent (older messages, hand-written ones) means always poll.
/// </param>
/// <param name="Retry">
/// How many times this request has been handed on to a new message because its poll kept failing through every attempt
/// the host allows one message (a Google or storage outage); 0, and not written, for a first request.
/// </param>
public sealed record PollRequest(int V, string BusinessId, string LocationId, string Reason = "schedule", DateTimeOffset? RequestedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Retry = 0);

/// <summary>Tells the dispatcher a flagged item needs a case and an alert. Queue: alerts. Version 1.</summary>
/// <param name="ItemKind">"review" or "mention".</param>
/// <param name="ItemPartition">The item's table partition (locationId for reviews, businessId for mentions).</param>
/// <param name="ItemKey">The item's row key.</param>
/// <param name="Item">
/// What the case is opened from, as the poll stored it (reviews only), so the dispatcher need not read the item
/// back; absent (mentions, older messages, an item too large to carry) means the dispatcher reads it.
/// </param>
/// <param name="Retry">
/// How many times the dispatcher has handed this alert on to a new message because a channel kept failing through
/// every attempt the host allows one message (see <c>AlertDispatcher</c>); 0, and not written, for a first message.
/// </param>
public sealed record AlertMessage(int V, string BusinessId, string ItemKind, string ItemPartition, string ItemKey, string Severity, AlertSnapshot? Item = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Retry = 0)
{
    /// <summary>Which alert this is, whatever it carries: the same item at the same severity is the same alert.</summary>
    [JsonIgnore]
    public (string Kind, string Partition, string Key, string Severity) Identity => (ItemKind, ItemPartition, ItemKey, Severity);
}

/// <summary>The fields of a flagged item a case is opened from (see <see cref="AlertMessage.Item"/>).</summary>
public sealed record AlertSnapshot(string Text, string Author, int Rating, string Language, string Touchpoints, DateTimeOffset CreatedAt);

/// <summary>
/// Several alerts of one business in one message. Queue: alerts. Version 1. A poll that flags many items sends them
/// together, so the queue holds one message per poll and business rather than one per item: every message costs a
/// send, a receive and a delete, and Azurite's queue slows down as it deepens. A batch of one is written as a plain
/// <see cref="AlertMessage"/>; the dispatcher reads both shapes.
/// </summary>
public sealed record AlertBatch(int V, string BusinessId, IReadOnlyList<AlertRef> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Retry = 0);

/// <summary>One item of an <see cref="AlertBatch"/>; the fields mean what they mean in <see cref="AlertMessage"/>.</summary>
public sealed record AlertRef(string ItemKind, string ItemPartition, string ItemKey, string Severity, AlertSnapshot? Item = null);

/// <summary>Thrown when a queue message can never be processed: it is logged and left to go to the poison queue.</summary>
public sealed class InvalidMessageException(string message, Exception? inner = null) : Exception(message, inner);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(AlertMessage))]
[JsonSerializable(typeof(AlertBatch))]
[JsonSerializable(typeof(AlertRef))]
[JsonSerializable(typeof(AlertEnvelope))]
public sealed partial class MessageJsonContext : JsonSerializerContext;

/// <summary>Reads and writes the versioned queue messages; every failure is an <see cref="InvalidMessageException"/> naming why.</summary>
public static class MessageCodec
{
    public const int CurrentVersion = 1;

    public static string Write(PollRequest message) => JsonSerializer.Serialize(message, MessageJsonContext.Default.PollRequest);

    public static string Write(AlertMessage message) => JsonSerializer.Serialize(message, MessageJsonContext.Default.AlertMessage);

    /// <summary>The most items one alert message carries; a reader refuses more.</summary>
    public const int MaxAlertsPerMessage = 25;

    /// <summary>
    /// The most UTF-8 bytes of JSON one alert message is packed to: a queue message holds 64 KiB, and the host writes
    /// it base64-encoded (4 bytes for every 3), which leaves 48 KiB; this keeps a margin under that.
    /// </summary>
    public const int MaxAlertMessageBytes = 45_000;

    /// <summary>An item whose snapshot alone is larger than this goes without it (the dispatcher reads the item).</summary>
    public const int MaxSnapshotBytes = 12_000;

    /// <summary>
    /// Packs alerts into as few messages as possible: per business, up to <see cref="MaxAlertsPerMessage"/> items and
    /// <see cref="MaxAlertMessageBytes"/> each, every item with its snapshot unless that alone is too large.
    /// </summary>
    public static IEnumerable<string> WriteAlerts(IEnumerable<AlertMessage> alerts)
    {
        foreach (var business in alerts.GroupBy(a => (a.BusinessId, a.Retry)))
        {
            var chunk = new List<AlertRef>();
            var size = 0;
            foreach (var alert in business)
            {
                var item = new AlertRef(alert.ItemKind, alert.ItemPartition, alert.ItemKey, alert.Severity, alert.Item);
                var itemSize = Utf8Size(item);
                if (item.Item is not null && itemSize > MaxSnapshotBytes)
                {
                    item = item with { Item = null };
                    itemSize = Utf8Size(item);
                }

                if (chunk.Count == MaxAlertsPerMessage || (chunk.Count > 0 && size + itemSize > MaxAlertMessageBytes - 200))
                {
                    yield return WriteChunk(business.Key.BusinessId, business.Key.Retry, chunk);
                    chunk = [];
                    size = 0;
                }

                chunk.Add(item);
                size += itemSize + 1;
            }

            if (chunk.Count > 0)
            {
                yield return WriteChunk(business.Key.BusinessId, business.Key.Retry, chunk);
            }
        }
    }

    private static string WriteChunk(string businessId, int retry, IReadOnlyList<AlertRef> chunk) =>
        chunk.Count == 1
            ? Write(new AlertMessage(CurrentVersion, businessId, chunk[0].ItemKind, chunk[0].ItemPartition, chunk[0].ItemKey, chunk[0].Severity, chunk[0].Item, retry))
            : JsonSerializer.Serialize(new AlertBatch(CurrentVersion, businessId, chunk, retry), MessageJsonContext.Default.AlertBatch);

    private static int Utf8Size(AlertRef item) => JsonSerializer.SerializeToUtf8Bytes(item, MessageJsonContext.Default.AlertRef).Length;

    /// <summary>Reads an alert message of either shape (one item, or an <see cref="AlertBatch"/>) as its items.</summary>
    public static IReadOnlyList<AlertMessage> ReadAlerts(string text)
    {
        var envelope = Read(text, MessageJsonContext.Default.AlertEnvelope);
        if (envelope.Retry < 0)
        {
            throw new InvalidMessageException($"'retry' must not be negative, not {envelope.Retry}");
        }

        if (envelope.Items is null)
        {
            return [SingleAlert(envelope)];
        }

        Require(envelope.BusinessId, "businessId");

        if (envelope.Items.Count == 0 || envelope.Items.Count > MaxAlertsPerMessage)
        {
            throw new InvalidMessageException($"'items' must hold 1 to {MaxAlertsPerMessage} alerts, not {envelope.Items.Count}");
        }

        var alerts = new List<AlertMessage>(envelope.Items.Count);
        for (var i = 0; i < envelope.Items.Count; i++)
        {
            var item = envelope.Items[i] ?? throw new InvalidMessageException($"items[{i}] is null");
            Require(item.ItemKind, $"items[{i}].itemKind");
            Require(item.ItemPartition, $"items[{i}].itemPartition");
            Require(item.ItemKey, $"items[{i}].itemKey");
            alerts.Add(new AlertMessage(envelope.V, envelope.BusinessId!, item.ItemKind, item.ItemPartition, item.ItemKey, item.Severity ?? string.Empty, Checked(item.Item, item.Severity, $"items[{i}]"), envelope.Retry));
        }

        return alerts;
    }

    public static PollRequest ReadPollRequest(string text)
    {
        var message = Read(text, MessageJsonContext.Default.PollRequest);
        Require(message.BusinessId, "businessId");
        Require(message.LocationId, "locationId");
        return message;
    }

    public static AlertMessage ReadAlert(string text) => SingleAlert(Read(text, MessageJsonContext.Default.AlertEnvelope));

    /// <summary>The one alert of a message without <c>items</c>, its required fields checked.</summary>
    private static AlertMessage SingleAlert(AlertEnvelope envelope)
    {
        Require(envelope.BusinessId, "businessId");
        Require(envelope.ItemKind, "itemKind");
        Require(envelope.ItemPartition, "itemPartition");
        Require(envelope.ItemKey, "itemKey");
        return new AlertMessage(envelope.V, envelope.BusinessId!, envelope.ItemKind!, envelope.ItemPartition!, envelope.ItemKey!, envelope.Severity!, Checked(envelope.Item, envelope.Severity, "the message"), envelope.Retry);
    }

    /// <summary>
    /// A snapshot's text fields present (JSON null is not a string) and its alert's severity one a case can have (the
    /// case takes it from the message), or the message is refused naming what is wrong.
    /// </summary>
    private static AlertSnapshot? Checked(AlertSnapshot? item, string? severity, string where)
    {
        if (item is null)
        {
            return null;
        }

        if (item.Text is null || item.Author is null || item.Language is null || item.Touchpoints is null)
        {
            throw new InvalidMessageException($"the item of {where} must carry text, author, language and touchpoints as strings");
        }

        if (severity is not ("medium" or "high" or "critical"))
        {
            throw new InvalidMessageException($"{where} carries its item, so its severity must be medium, high or critical, not '{severity}'");
        }

        return item;
    }

    private static T Read<T>(string text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        T? message;
        try
        {
            message = JsonSerializer.Deserialize(text, type);
        }
        catch (JsonException ex)
        {
            throw new InvalidMessageException($"not valid JSON for {typeof(T).Name}: {ex.Message}", ex);
        }

        if (message is null)
        {
            throw new InvalidMessageException($"expected a {typeof(T).Name} object, got null");
        }

        var version = message switch
        {
            PollRequest p => p.V,
            AlertEnvelope e => e.V,
            _ => CurrentVersion,
        };
        if (version != CurrentVersion)
        {
            throw new InvalidMessageException($"unsupported message version {version} (expected {CurrentVersion})");
        }

        return message;
    }

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidMessageException($"missing required field '{name}'");
        }
    }
}

/// <summary>How alert messages are read: the fields of both shapes (<see cref="AlertMessage"/>, <see cref="AlertBatch"/>), all optional until checked.</summary>
public sealed record AlertEnvelope(int V, string? BusinessId, string? ItemKind, string? ItemPartition, string? ItemKey, string? Severity, IReadOnlyList<AlertRef?>? Items, AlertSnapshot? Item = null, int Retry = 0);
