using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReviewWatch.Storage;

namespace ReviewWatch.Alerts;

/// <summary>
/// Where one business's alerts go: a channel (outbox, email, teams, slack, webhook), its target (address or URL),
/// the lowest severity it wants, and optionally only some locations. Stored on the business as JSON.
/// </summary>
public sealed record AlertRoute(string Channel, string Target = "", string MinSeverity = "medium", IReadOnlyList<string>? Locations = null)
{
    [JsonIgnore]
    public string TargetHash => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Target)))[..8].ToLowerInvariant();

    /// <summary>Route key for channel health: channel plus a hash of the target (URLs carry secrets).</summary>
    [JsonIgnore]
    public string Key => string.IsNullOrEmpty(Target) ? Channel : $"{Channel}-{TargetHash}";

    public bool Accepts(string severity, string locationId) =>
        SeverityRank(severity) >= SeverityRank(MinSeverity)
        && (Locations is null || Locations.Count == 0 || Locations.Contains(locationId));

    public static int SeverityRank(string severity) => severity switch
    {
        "critical" => 3,
        "high" => 2,
        "medium" => 1,
        _ => 0,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<AlertRoute>))]
internal sealed partial class AlertRouteJsonContext : JsonSerializerContext;

/// <summary>Picks the routes for an alert: the business's own, or the app-wide defaults from settings.</summary>
public sealed class AlertRouter(Microsoft.Extensions.Options.IOptions<AlertingOptions> options)
{
    public IReadOnlyList<AlertRoute> RoutesFor(BusinessEntity business, string locationId, string severity) =>
        AllRoutes(business).Where(r => r.Accepts(severity, locationId)).ToList();

    public IReadOnlyList<AlertRoute> AllRoutes(BusinessEntity business)
    {
        var o = options.Value;
        var routes = new List<AlertRoute>();
        if (o.Outbox.Enabled)
        {
            routes.Add(new AlertRoute("outbox"));
        }

        var own = Parse(business.AlertRoutes);
        if (own.Count > 0)
        {
            routes.AddRange(own.Where(r => r.Channel != "outbox"));
            return routes;
        }

        if (o.Smtp.IsConfigured && !string.IsNullOrWhiteSpace(business.OwnerEmail))
        {
            routes.Add(new AlertRoute("email", business.OwnerEmail));
        }

        if (Configured(o.Teams.WebhookUrl))
        {
            routes.Add(new AlertRoute("teams", o.Teams.WebhookUrl, o.Teams.MinSeverity));
        }

        if (Configured(o.Slack.WebhookUrl))
        {
            routes.Add(new AlertRoute("slack", o.Slack.WebhookUrl, o.Slack.MinSeverity));
        }

        if (Configured(o.Webhook.Url))
        {
            routes.Add(new AlertRoute("webhook", o.Webhook.Url, o.Webhook.MinSeverity));
        }

        return routes;
    }

    public static IReadOnlyList<AlertRoute> Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(json, AlertRouteJsonContext.Default.ListAlertRoute) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>An unresolved Key Vault reference is not a configured value.</summary>
    public static bool Configured(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);
}
