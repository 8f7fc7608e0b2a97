using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Messaging;

/// <summary>Asks for one location to be polled now. Queue: poll-requests. Version 1.</summary>
public sealed record PollRequest(int V, string BusinessId, string LocationId, string Reason = "schedule");

/// <summary>Tells the dispatcher a flagged item needs a case and an alert. Queue: alerts. Version 1.</summary>
/// <param name="ItemKind">"review" or "mention".</param>
/// <param name="ItemPartition">The item's table partition (locationId for reviews, businessId for mentions).</param>
/// <param name="ItemKey">The item's row key.</param>
public sealed record AlertMessage(int V, string BusinessId, string ItemKind, string ItemPartition, string ItemKey, string Severity);

/// <summary>Thrown when a queue message can never be processed: it is logged and left to go to the poison queue.</summary>
public sealed class InvalidMessageException(string message, Exception? inner = null) : Exception(message, inner);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PollRequest))]
[JsonSerializable(typeof(AlertMessage))]
public sealed partial class MessageJsonContext : JsonSerializerContext;

/// <summary>Reads and writes the versioned queue messages; every failure is an <see cref="InvalidMessageException"/> naming why.</summary>
public static class MessageCodec
{
    public const int CurrentVersion = 1;

    public static string Write(PollRequest message) => JsonSerializer.Serialize(message, MessageJsonContext.Default.PollRequest);

    public static string Write(AlertMessage message) => JsonSerializer.Serialize(message, MessageJsonContext.Default.AlertMessage);

    public static PollRequest ReadPollRequest(string text)
    {
        var message = Read(text, MessageJsonContext.Default.PollRequest);
        Require(message.BusinessId, "businessId");
        Require(message.LocationId, "locationId");
        return message;
    }

    public static AlertMessage ReadAlert(string text)
    {
        var message = Read(text, MessageJsonContext.Default.AlertMessage);
        Require(message.BusinessId, "businessId");
        Require(message.ItemKind, "itemKind");
        Require(message.ItemPartition, "itemPartition");
        Require(message.ItemKey, "itemKey");
        return message;
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
            AlertMessage a => a.V,
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
