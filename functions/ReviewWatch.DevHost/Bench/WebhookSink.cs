using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ReviewWatch.Alerts;

namespace ReviewWatch.DevHost.Bench;

/// <summary>One POST the sink took: its <c>X-ReviewWatch-Delivery</c> id, the case it is about, when it arrived.</summary>
public sealed record WebhookDelivery(string Id, string CaseId, DateTimeOffset ReceivedAt);

/// <summary>
/// The owner's webhook endpoint in the benches (a receiver as the README describes one: it checks the signature
/// and the timestamp), counting every delivery. It is how the benches count alerts actually sent: the outbox names a
/// file by case and severity, so an alert sent twice leaves one file, and a Notifications row is one per alert
/// whatever happened to it; only the receiving end sees a second send. Answers 204 at once, never fails on purpose.
/// </summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    private readonly ConcurrentQueue<string> _rejected = new();

    private WebhookSink(WebApplication app, string secret)
    {
        _app = app;
        Secret = secret;
    }

    /// <summary>Where the handlers post (<c>Alerting__Webhook__Url</c>).</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>The signing key the handlers are given (<c>Alerting__Webhook__Secret</c>).</summary>
    public string Secret { get; }

    /// <summary>Every <c>case.opened</c> alert received, in order of arrival.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries => [.. _deliveries];

    /// <summary>Posts that were not a signed, well-formed alert, with why (each is a violation).</summary>
    public IReadOnlyList<string> Rejected => [.. _rejected];

    public static async Task<WebhookSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var sink = new WebhookSink(app, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        app.MapPost("/hooks/alerts", sink.ReceiveAsync);
        await app.StartAsync();
        sink.Url = app.Urls.First().TrimEnd('/') + "/hooks/alerts";
        return sink;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var id = request.Headers["X-ReviewWatch-Delivery"].ToString();
        var timestamp = request.Headers["X-ReviewWatch-Timestamp"].ToString();
        var signature = request.Headers["X-ReviewWatch-Signature"].ToString();
        if (!WebhookNotifier.Verify(Secret, timestamp, body, signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)))
        {
            _rejected.Enqueue($"delivery '{id}': bad signature or timestamp");
            return Results.Unauthorized();
        }

        string? caseId, kind;
        try
        {
            using var json = JsonDocument.Parse(body);
            kind = json.RootElement.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            caseId = json.RootElement.TryGetProperty("caseId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        }
        catch (JsonException ex)
        {
            _rejected.Enqueue($"delivery '{id}': body is not JSON ({ex.Message})");
            return Results.BadRequest();
        }

        if (kind != "case.opened")
        {
            // A digest or an overdue reminder: real posts, but not the new-case alerts the invariants count.
            return Results.NoContent();
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(caseId) || !id.StartsWith(caseId + ".", StringComparison.Ordinal))
        {
            _rejected.Enqueue(string.Create(CultureInfo.InvariantCulture, $"delivery '{id}' for case '{caseId}': the delivery id does not name the case"));
            return Results.BadRequest();
        }

        _deliveries.Enqueue(new WebhookDelivery(id, caseId, DateTimeOffset.UtcNow));
        return Results.NoContent();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
