using System.Globalization;
using System.Text.Json;

namespace ReviewWatch.Functions.Invocation;

/// <summary>Thrown when the host's request itself is malformed (answered with 400 naming the problem).</summary>
public sealed class BadInvocationException(string message) : Exception(message);

/// <summary>
/// The Functions host's invocation payload, <c>{"Data":{...},"Metadata":{...}}</c>, read tolerantly: the host
/// JSON-encodes primitives into strings (a queue message arrives as <c>"\"{...}\""</c>, DequeueCount as
/// <c>"1"</c>, Id as <c>"\"guid\""</c>), while documentation samples show them plain. Both are accepted.
/// </summary>
public sealed class InvocationRequest
{
    private readonly JsonElement _data;
    private readonly JsonElement _metadata;

    private InvocationRequest(JsonElement data, JsonElement metadata, string functionName)
    {
        _data = data;
        _metadata = metadata;
        FunctionName = functionName;
    }

    public string FunctionName { get; }

    public static async Task<InvocationRequest> ReadAsync(HttpRequest request, string functionName, CancellationToken cancellationToken)
    {
        // System.Text.Json checks UTF-8 inside string values only when they are read, which would surface later as
        // an unhandled InvalidOperationException: check the whole body up front.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            throw new BadInvocationException("the invocation body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new BadInvocationException($"the invocation body is not JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BadInvocationException($"the invocation body must be an object with Data and Metadata, got {root.ValueKind}");
            }

            var data = Property(root, "Data");
            var metadata = Property(root, "Metadata");
            if (data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
            {
                throw new BadInvocationException($"Data must be an object, got {data.ValueKind}");
            }

            // A missing Data or Metadata is an Undefined element, which cannot be cloned (it throws): keep it as is.
            return new InvocationRequest(Clone(data), Clone(metadata), functionName);
        }
    }

    private static JsonElement Clone(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? default : element.Clone();

    /// <summary>The text of a queue message bound as <paramref name="name"/>, unwrapped from the host's encoding.</summary>
    public string GetMessageText(string name)
    {
        var value = Property(_data, name);
        return value.ValueKind switch
        {
            JsonValueKind.String => UnwrapString(value.GetString()!),
            JsonValueKind.Undefined or JsonValueKind.Null => throw new BadInvocationException($"Data has no '{name}' binding"),
            _ => value.GetRawText(), // an object or array delivered as-is
        };
    }

    /// <summary>An object-valued binding (a timer's info, an HTTP request), parsed from a string if the host sent one.</summary>
    public JsonElement GetObject(string name)
    {
        var value = Property(_data, name);
        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var doc = JsonDocument.Parse(UnwrapString(value.GetString()!));
                return doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new BadInvocationException($"Data.{name} is a string that is not a JSON object: {ex.Message}");
            }
        }

        return value.ValueKind == JsonValueKind.Object ? value
            : throw new BadInvocationException($"Data.{name} must be an object, got {value.ValueKind}");
    }

    public string? GetMetadataString(string name)
    {
        var value = Property(_metadata, name);
        return value.ValueKind switch
        {
            JsonValueKind.String => UnwrapString(value.GetString()!),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
    }

    public int DequeueCount => int.TryParse(GetMetadataString("DequeueCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;

    public string MessageId => GetMetadataString("Id") ?? "(unknown)";

    /// <summary>Undoes one level of JSON string encoding when the text is itself a JSON string literal.</summary>
    internal static string UnwrapString(string text)
    {
        var current = text;
        // The host encodes once; documentation samples not at all. Undo at most twice to be safe.
        for (var i = 0; i < 2; i++)
        {
            if (current.Length >= 2 && current[0] == '"' && current[^1] == '"')
            {
                try
                {
                    current = JsonSerializer.Deserialize<string>(current) ?? current;
                    continue;
                }
                catch (JsonException)
                {
                    return current;
                }
            }

            break;
        }

        return current;
    }

    /// <summary>Case-insensitive property lookup (the host's serializer is case-insensitive too).</summary>
    private static JsonElement Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return default;
    }
}
