using System.Text.Json;

namespace ReviewWatch.DevHost.Local;

/// <summary>Reads the "Values" of a local.settings.json file, as func start does.</summary>
public static class LocalSettings
{
    public static Dictionary<string, string> Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (doc.RootElement.TryGetProperty("Values", out var v))
        {
            foreach (var p in v.EnumerateObject())
            {
                values[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? string.Empty : p.Value.GetRawText();
            }
        }

        return values;
    }
}
