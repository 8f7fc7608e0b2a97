using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

/// <summary>
/// An in-process stand-in for Azure AI Language (Kestrel on 127.0.0.1, port 0) serving the documented JSON shapes.
/// Each test owns one. Requests are recorded; a queue of canned failures can be served first (429, 503, 400).
/// </summary>
public sealed class FakeLanguageService : IAsyncDisposable
{
    private readonly WebApplication app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Responses to send before the normal ones: (status, Retry-After seconds or null, body).</summary>
    public ConcurrentQueue<(int Status, string? RetryAfter, string Body)> Failures { get; } = new();

    /// <summary>Ids (as sent) the service rejects with a per-document error.</summary>
    public HashSet<string> RejectTexts { get; } = [];

    public Uri Endpoint { get; private set; } = null!;

    public sealed record RecordedRequest(string Kind, string ApiVersion, string? Key, string? Authorization, IReadOnlyList<(string Id, string Text, string? Language)> Documents, bool OpinionMining);

    private FakeLanguageService(WebApplication app) => this.app = app;

    public static async Task<FakeLanguageService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeLanguageService(app);
        app.MapPost("/language/:analyze-text", fake.HandleAsync);
        await app.StartAsync();
        fake.Endpoint = new Uri(app.Urls.First());
        return fake;
    }

    public int SentimentRequests => Requests.Count(r => r.Kind == "SentimentAnalysis");

    private async Task HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        var kind = root.GetProperty("kind").GetString()!;
        var docs = root.GetProperty("analysisInput").GetProperty("documents").EnumerateArray()
            .Select(d => (d.GetProperty("id").GetString()!, d.GetProperty("text").GetString()!, d.TryGetProperty("language", out var l) ? l.GetString() : null))
            .ToList();
        var opinion = root.TryGetProperty("parameters", out var p) && p.TryGetProperty("opinionMining", out var o) && o.GetBoolean();
        Requests.Enqueue(new RecordedRequest(kind, context.Request.Query["api-version"].ToString(), context.Request.Headers["Ocp-Apim-Subscription-Key"].FirstOrDefault(), context.Request.Headers.Authorization.FirstOrDefault(), docs, opinion));

        if (Failures.TryDequeue(out var failure))
        {
            context.Response.StatusCode = failure.Status;
            if (failure.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = failure.RetryAfter;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(failure.Body);
            return;
        }

        if (kind == "SentimentAnalysis" && docs.Count > 10)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("""{"error":{"code":"InvalidArgument","message":"Batch request contains too many records. Max 10 records are permitted.","innererror":{"code":"InvalidDocumentBatch","message":"Batch request contains too many records."}}}""");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(kind == "LanguageDetection" ? Detection(docs) : Sentiment(docs));
    }

    private static string Detection(List<(string Id, string Text, string? Language)> docs)
    {
        var items = docs.Select(d =>
        {
            var fi = d.Text.Contains('ä', StringComparison.Ordinal) || d.Text.Contains(" oli ", StringComparison.Ordinal);
            return $$$$"""{"id":"{{{{d.Id}}}}","detectedLanguage":{"name":"{{{{(fi ? "Finnish" : "English")}}}}","iso6391Name":"{{{{(fi ? "fi" : "en")}}}}","confidenceScore":0.99},"warnings":[]}""";
        });
        return $$$$"""{"kind":"LanguageDetectionResults","results":{"documents":[{{{{string.Join(',', items)}}}}],"errors":[],"modelVersion":"2024-11-01"}}""";
    }

    private string Sentiment(List<(string Id, string Text, string? Language)> docs)
    {
        var ok = new List<string>();
        var errors = new List<string>();
        foreach (var (id, text, _) in docs)
        {
            if (RejectTexts.Contains(text) || new System.Globalization.StringInfo(text).LengthInTextElements > 5120)
            {
                errors.Add($$$$"""{"id":"{{{{id}}}}","error":{"code":"InvalidArgument","message":"Invalid document in request.","innererror":{"code":"InvalidDocument","message":"A document within the request was too large or unsupported."}}}""");
                continue;
            }

            // Mixed: positive food, negative service, with opinion-mining targets, as in the documented example.
            ok.Add($$$$"""
                {"id":"{{{{id}}}}","sentiment":"mixed","confidenceScores":{"positive":0.47,"neutral":0.0,"negative":0.52},
                 "sentences":[
                   {"text":"Ruoka oli hyvää","sentiment":"positive","confidenceScores":{"positive":0.98,"neutral":0.01,"negative":0.01},"offset":0,"length":15,
                    "targets":[{"text":"ruoka","sentiment":"positive","confidenceScores":{"positive":0.99,"negative":0.01},"offset":0,"length":5,"relations":[{"relationType":"assessment","ref":"#/documents/0/sentences/0/assessments/0"}]}],
                    "assessments":[{"text":"hyvää","sentiment":"positive","confidenceScores":{"positive":0.99,"negative":0.01},"offset":10,"length":5,"isNegated":false}]},
                   {"text":"mutta palvelu hidasta.","sentiment":"negative","confidenceScores":{"positive":0.01,"neutral":0.01,"negative":0.98},"offset":16,"length":22,
                    "targets":[{"text":"palvelu","sentiment":"negative","confidenceScores":{"positive":0.0,"negative":1.0},"offset":22,"length":7,"relations":[{"relationType":"assessment","ref":"#/documents/0/sentences/1/assessments/0"}]}],
                    "assessments":[{"text":"hidasta","sentiment":"negative","confidenceScores":{"positive":0.0,"negative":1.0},"offset":30,"length":7,"isNegated":false}]}],
                 "warnings":[]}
                """);
        }

        return $$$$"""{"kind":"SentimentAnalysisResults","results":{"documents":[{{{{string.Join(',', ok)}}}}],"errors":[{{{{string.Join(',', errors)}}}}],"modelVersion":"2025-01-01"}}""";
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A credential that hands out a fixed token and counts how often it was asked.</summary>
public sealed class FakeCredential : TokenCredential
{
    public int Calls { get; private set; }

    public string? LastScope { get; private set; }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Calls++;
        LastScope = requestContext.Scopes.FirstOrDefault();
        return new AccessToken("fake-token", DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
