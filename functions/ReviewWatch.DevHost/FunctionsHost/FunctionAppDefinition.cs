using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>One binding from a function.json.</summary>
public sealed record BindingDefinition(string Name, string Type, string Direction, JsonObject Raw)
{
    public string? Get(string key) => Raw.TryGetPropertyValue(key, out var v) && v is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    public bool GetBool(string key, bool fallback) => Raw.TryGetPropertyValue(key, out var v) && v is JsonValue value && value.TryGetValue<bool>(out var b) ? b : fallback;

    public IReadOnlyList<string> GetList(string key) => Raw.TryGetPropertyValue(key, out var v) && v is JsonArray array
        ? array.Select(x => x?.GetValue<string>() ?? string.Empty).Where(x => x.Length > 0).ToList()
        : [];
}

/// <summary>A function: its folder name and its bindings.</summary>
public sealed record FunctionDefinition(string Name, IReadOnlyList<BindingDefinition> Bindings)
{
    public BindingDefinition Trigger => Bindings.Single(b => b.Direction == "in" && b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));

    public IEnumerable<BindingDefinition> Outputs => Bindings.Where(b => b.Direction == "out");

    /// <summary>Exactly an httpTrigger and an http output: the only shape the host forwards raw.</summary>
    public bool IsForwardable => Bindings.Count == 2
        && Bindings.Any(b => b.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
        && Bindings.Any(b => b.Type.Equals("http", StringComparison.OrdinalIgnoreCase) && b.Direction == "out");
}

/// <summary>The queue extension settings from host.json (defaults as the Functions host documents them).</summary>
public sealed record QueueSettings(int MaxDequeueCount, TimeSpan VisibilityTimeout, int BatchSize, int NewBatchThreshold, TimeSpan MaxPollingInterval);

/// <summary>
/// The function app as the Functions host sees it: host.json at the root and one folder per function holding a
/// function.json. The dev host reads exactly these files, so what runs locally is what deploys.
/// </summary>
public sealed class FunctionAppDefinition
{
    private FunctionAppDefinition(string root, JsonObject host, IReadOnlyList<FunctionDefinition> functions)
    {
        Root = root;
        Host = host;
        Functions = functions;
    }

    public string Root { get; }
    public JsonObject Host { get; }
    public IReadOnlyList<FunctionDefinition> Functions { get; }

    public string ExecutablePath
    {
        get
        {
            var path = Host["customHandler"]?["description"]?["defaultExecutablePath"]?.GetValue<string>()
                ?? throw new InvalidDataException("host.json has no customHandler.description.defaultExecutablePath");
            var candidate = Path.Combine(Root, path);
            return File.Exists(candidate) ? candidate : path; // like the host: a relative file, else a command on PATH
        }
    }

    public IReadOnlyList<string> Arguments => Host["customHandler"]?["description"]?["arguments"] is JsonArray a
        ? a.Select(x => x!.GetValue<string>()).ToList()
        : [];

    public string WorkingDirectory
    {
        get
        {
            var wd = Host["customHandler"]?["description"]?["workingDirectory"]?.GetValue<string>();
            return string.IsNullOrEmpty(wd) ? Root : Path.Combine(Root, wd);
        }
    }

    public bool EnableForwardingHttpRequest => Host["customHandler"]?["enableForwardingHttpRequest"]?.GetValue<bool>() ?? false;

    public string RoutePrefix => Host["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";

    /// <summary>
    /// host.json's functionTimeout: how long an invocation may run before the host gives up on it and restarts the
    /// worker. Absent means 30 minutes (the Premium and Dedicated plans' default); "-1" means no limit.
    /// </summary>
    public TimeSpan FunctionTimeout
    {
        get
        {
            var text = Host["functionTimeout"]?.GetValue<string>();
            return text is "-1" ? Timeout.InfiniteTimeSpan : ParseSpan(text, TimeSpan.FromMinutes(30));
        }
    }

    public QueueSettings Queues
    {
        get
        {
            var q = Host["extensions"]?["queues"];
            return new QueueSettings(
                q?["maxDequeueCount"]?.GetValue<int>() ?? 5,
                ParseSpan(q?["visibilityTimeout"]?.GetValue<string>(), TimeSpan.Zero),
                q?["batchSize"]?.GetValue<int>() ?? 16,
                q?["newBatchThreshold"]?.GetValue<int>() ?? 8,
                ParseSpan(q?["maxPollingInterval"]?.GetValue<string>(), TimeSpan.FromMinutes(1)));
        }
    }

    public static FunctionAppDefinition Load(string root)
    {
        root = Path.GetFullPath(root);
        var hostPath = Path.Combine(root, "host.json");
        if (!File.Exists(hostPath))
        {
            throw new FileNotFoundException($"No host.json in {root}: point --app-root at the built function app.", hostPath);
        }

        var host = ParseObject(hostPath);
        var functions = new List<FunctionDefinition>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var fj = Path.Combine(dir, "function.json");
            if (!File.Exists(fj))
            {
                continue;
            }

            var doc = ParseObject(fj);
            if (doc["disabled"]?.GetValue<bool>() == true)
            {
                continue;
            }

            var bindings = (doc["bindings"] as JsonArray ?? [])
                .OfType<JsonObject>()
                .Select(b => new BindingDefinition(
                    b["name"]?.GetValue<string>() ?? string.Empty,
                    b["type"]?.GetValue<string>() ?? string.Empty,
                    b["direction"]?.GetValue<string>() ?? "in",
                    b))
                .ToList();
            functions.Add(new FunctionDefinition(Path.GetFileName(dir), bindings));
        }

        return new FunctionAppDefinition(root, host, functions);
    }

    private static JsonObject ParseObject(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
        ?? throw new InvalidDataException($"{path} is not a JSON object");

    private static TimeSpan ParseSpan(string? text, TimeSpan fallback) =>
        TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) ? span : fallback;
}

/// <summary>Expands %SETTING% references the way the host does for binding properties.</summary>
public static partial class SettingExpander
{
    public static string Expand(string value, IReadOnlyDictionary<string, string> settings) =>
        Reference().Replace(value, m =>
            settings.TryGetValue(m.Groups[1].Value, out var v) ? v
            : Environment.GetEnvironmentVariable(m.Groups[1].Value)
              ?? throw new InvalidOperationException($"A binding refers to setting '%{m.Groups[1].Value}%', which is not set."));

    [System.Text.RegularExpressions.GeneratedRegex("%([A-Za-z0-9_:.\\-]+)%")]
    private static partial System.Text.RegularExpressions.Regex Reference();
}
