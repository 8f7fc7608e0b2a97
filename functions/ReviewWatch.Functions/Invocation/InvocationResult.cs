using System.Text.Json.Nodes;

namespace ReviewWatch.Functions.Invocation;

/// <summary>The handler's answer to the host: <c>{"Outputs":{...},"Logs":[...],"ReturnValue":null}</c>.</summary>
public sealed class InvocationResult
{
    public JsonObject Outputs { get; } = [];

    public List<string> Logs { get; } = [];

    /// <summary>Sets a queue output to one message per element; messages are JSON objects (never bare base64-looking strings).</summary>
    public InvocationResult Queue(string binding, IEnumerable<string> messages)
    {
        var array = new JsonArray(messages.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
        if (array.Count > 0)
        {
            Outputs[binding] = array;
        }

        return this;
    }

    public InvocationResult Log(string line)
    {
        Logs.Add(line);
        return this;
    }

    public IResult ToHttpResult() => Results.Json(new JsonObject
    {
        [nameof(Outputs)] = Outputs.DeepClone(),
        [nameof(Logs)] = new JsonArray(Logs.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        ["ReturnValue"] = null,
    });
}
