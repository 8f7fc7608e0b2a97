using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReviewWatch.Sentiment.Fake;

/// <summary>A fault the fake serves instead of an answer: a status (429 with Retry-After, 500, 503), or a stall.</summary>
public enum LanguageFault
{
    None,
    TooManyRequests,
    ServerError,
    Unavailable,

    /// <summary>Holds the request longer than the client's timeout, then drops the connection.</summary>
    Timeout,
}

/// <summary>
/// An in-process stand-in for Azure AI Language's synchronous <c>POST /language/:analyze-text</c> (Kestrel on
/// 127.0.0.1, port 0), serving the documented JSON shapes for SentimentAnalysis (with opinion-mining targets) and
/// LanguageDetection. Scores come from the built-in analyzer, so verdicts are deterministic. Used by
/// <c>./reviewwatch bench chaos</c> and the reliability tests; never registered in the app. Faults are injectable.
/// </summary>
public sealed class FakeLanguageApi : IAsyncDisposable
{
    public const string ApiKey = "fake-language-key";

    private readonly WebApplication _app;
    private int _calls;
    private int _faults;

    private FakeLanguageApi(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Per call number (1-based), the fault to serve instead of an answer.</summary>
    public Func<int, LanguageFault>? Fault { get; set; }

    /// <summary>How long a <see cref="LanguageFault.Timeout"/> holds the request before dropping it.</summary>
    public TimeSpan Stall { get; set; } = TimeSpan.FromSeconds(3);

    public int Calls => Volatile.Read(ref _calls);
    public int Faults => Volatile.Read(ref _faults);

    /// <summary>App settings that run the analyzer as <c>azure</c> against this fake (client timeout below <see cref="Stall"/>).</summary>
    public Dictionary<string, string> Settings() => new()
    {
        ["Sentiment__Analyzer"] = "azure",
        ["Sentiment__Azure__Endpoint"] = Endpoint.ToString(),
        ["Sentiment__Azure__ApiKey"] = ApiKey,
        ["Sentiment__Azure__TimeoutSeconds"] = Math.Max(0.5, Stall.TotalSeconds - 1).ToString(CultureInfo.InvariantCulture),
        ["Sentiment__Azure__RetryDelaySeconds"] = "0.2",
    };

    public static async Task<FakeLanguageApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeLanguageApi(app);
        app.MapPost("/language/:analyze-text", fake.HandleAsync);
        await app.StartAsync();
        fake.Endpoint = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var call = Interlocked.Increment(ref _calls);
        if (context.Request.Headers["Ocp-Apim-Subscription-Key"] != ApiKey)
        {
            await Error(context, 401, "Unauthorized", "Access denied due to invalid subscription key.");
            return;
        }

        switch (Fault?.Invoke(call) ?? LanguageFault.None)
        {
            case LanguageFault.TooManyRequests:
                Interlocked.Increment(ref _faults);
                context.Response.Headers.RetryAfter = "1";
                await Error(context, 429, "TooManyRequests", "Rate limit is exceeded. Try again in 1 seconds.");
                return;
            case LanguageFault.ServerError:
                Interlocked.Increment(ref _faults);
                await Error(context, 500, "InternalServerError", "Internal server error.");
                return;
            case LanguageFault.Unavailable:
                Interlocked.Increment(ref _faults);
                await Error(context, 503, "ServiceUnavailable", "The service is temporarily unavailable.");
                return;
            case LanguageFault.Timeout:
                Interlocked.Increment(ref _faults);
                try
                {
                    await Task.Delay(Stall, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }

                context.Abort();
                return;
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await Error(context, 400, "InvalidRequest", $"Invalid request body: {ex.Message}");
            return;
        }

        var kind = body?["kind"]?.GetValue<string>();
        var docs = (body?["analysisInput"]?["documents"] as JsonArray ?? [])
            .Select(d => (Id: d?["id"]?.GetValue<string>() ?? string.Empty, Text: d?["text"]?.GetValue<string>() ?? string.Empty, Language: d?["language"]?.GetValue<string>()))
            .ToList();
        if (kind == "SentimentAnalysis" && docs.Count > 10)
        {
            await Error(context, 400, "InvalidArgument", "Batch request contains too many records. Max 10 records are permitted.");
            return;
        }

        var result = kind switch
        {
            "SentimentAnalysis" => Sentiment(docs),
            "LanguageDetection" => Detection(docs),
            _ => null,
        };
        if (result is null)
        {
            await Error(context, 400, "InvalidArgument", $"Unknown kind '{kind}'.");
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(result.ToJsonString(), context.RequestAborted);
    }

    private static JsonObject Detection(List<(string Id, string Text, string? Language)> docs)
    {
        var documents = new JsonArray();
        foreach (var (id, text, _) in docs)
        {
            var iso = LexiconAnalyzer.DetectLanguage(text) is "fi" ? "fi" : "en";
            documents.Add(new JsonObject
            {
                ["id"] = id,
                ["detectedLanguage"] = new JsonObject { ["name"] = iso == "fi" ? "Finnish" : "English", ["iso6391Name"] = iso, ["confidenceScore"] = 0.95 },
                ["warnings"] = new JsonArray(),
            });
        }

        return Results("LanguageDetectionResults", documents);
    }

    private static JsonObject Sentiment(List<(string Id, string Text, string? Language)> docs)
    {
        var documents = new JsonArray();
        foreach (var (id, text, language) in docs)
        {
            var verdict = LexiconAnalyzer.Analyze(new SentimentInput(id, text, language));
            var label = verdict.Label switch
            {
                SentimentLabel.Positive => "positive",
                SentimentLabel.Negative => "negative",
                SentimentLabel.Mixed => "mixed",
                _ => "neutral",
            };
            var positive = Math.Round(Math.Clamp((1 + verdict.Score) / 2, 0, 1), 2);
            var negative = Math.Round(1 - positive, 2);
            var scores = new JsonObject { ["positive"] = positive, ["neutral"] = 0.0, ["negative"] = negative };
            var targets = new JsonArray(verdict.Touchpoints.Select(t => (JsonNode)new JsonObject
            {
                ["text"] = t.Name,
                ["sentiment"] = t.Label == SentimentLabel.Negative ? "negative" : t.Label == SentimentLabel.Positive ? "positive" : "mixed",
                ["confidenceScores"] = new JsonObject { ["positive"] = positive, ["negative"] = negative },
                ["offset"] = 0,
                ["length"] = t.Name.Length,
                ["relations"] = new JsonArray(),
            }).ToArray());
            documents.Add(new JsonObject
            {
                ["id"] = id,
                ["sentiment"] = label,
                ["confidenceScores"] = scores,
                ["sentences"] = new JsonArray(new JsonObject
                {
                    ["text"] = text,
                    ["sentiment"] = label,
                    ["confidenceScores"] = scores.DeepClone(),
                    ["offset"] = 0,
                    ["length"] = text.Length,
                    ["targets"] = targets,
                    ["assessments"] = new JsonArray(),
                }),
                ["warnings"] = new JsonArray(),
            });
        }

        return Results("SentimentAnalysisResults", documents);
    }

    private static JsonObject Results(string kind, JsonArray documents) => new()
    {
        ["kind"] = kind,
        ["results"] = new JsonObject { ["documents"] = documents, ["errors"] = new JsonArray(), ["modelVersion"] = "2025-01-01" },
    };

    private static async Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
