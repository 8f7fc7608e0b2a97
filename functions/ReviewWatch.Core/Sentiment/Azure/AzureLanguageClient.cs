using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ReviewWatch.Sentiment;

/// <summary>
/// A small typed client for Azure AI Language's synchronous analyze-text API (sentiment with opinion mining, and
/// language detection), shaped like an Azure SDK client. Retries 429 (honouring a capped Retry-After) and
/// 500/502/503/504 with exponential backoff and jitter; never retries 400/401/403.
/// </summary>
public sealed class AzureLanguageClient
{
    public const string Scope = "https://cognitiveservices.azure.com/.default";
    private const int MaxDetectionBatch = 1000;

    private readonly HttpClient http;
    private readonly AzureLanguageOptions options;
    private readonly TokenCredential? credential;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private AccessToken? token;

    public AzureLanguageClient(HttpClient httpClient, AzureLanguageOptions options, TokenCredential? credential = null, TimeProvider? timeProvider = null, ILogger<AzureLanguageClient>? logger = null)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey) && credential is null)
        {
            throw new ArgumentException("Azure AI Language needs an ApiKey or a TokenCredential.", nameof(credential));
        }

        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out _))
        {
            throw new ArgumentException("Azure AI Language needs an absolute Endpoint.", nameof(options));
        }

        http = httpClient;
        this.options = options;
        this.credential = credential;
        time = timeProvider ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Sentiment with opinion mining for at most <see cref="AzureLanguageOptions.MaxBatchSize"/> (≤ 10) documents, one request.</summary>
    public async Task<IReadOnlyList<DocumentSentimentResult>> AnalyzeSentimentAsync(IReadOnlyList<TextDocumentInput> documents, CancellationToken cancellationToken = default)
    {
        var limit = Math.Clamp(options.MaxBatchSize, 1, 10);
        if (documents.Count == 0 || documents.Count > limit)
        {
            throw new ArgumentOutOfRangeException(nameof(documents), documents.Count, $"Send 1 to {limit} documents per request.");
        }

        var request = new AnalyzeTextRequest(
            "SentimentAnalysis",
            new AnalyzeParameters(options.ModelVersion, OpinionMining: true, StringIndexType: "TextElements_v8"),
            new AnalysisInput([.. documents.Select(d => new InputDocument(d.Id, d.Text, d.Language))]));
        var response = await SendAsync(request, AzureLanguageJsonContext.Default.SentimentResponse, cancellationToken);
        var byId = new Dictionary<string, DocumentSentimentResult>(StringComparer.Ordinal);
        foreach (var doc in response.Results?.Documents ?? [])
        {
            byId[doc.Id] = new DocumentSentimentResult(doc.Id, doc, null);
        }

        foreach (var error in response.Results?.Errors ?? [])
        {
            byId[error.Id] = new DocumentSentimentResult(error.Id, null, error.Error ?? new LanguageError("Unknown", "No error detail", null));
        }

        return [.. documents.Select(d => byId.TryGetValue(d.Id, out var r) ? r : new DocumentSentimentResult(d.Id, null, new LanguageError("Missing", "The service returned no result for this document.", null)))];
    }

    /// <summary>Language detection (up to 1000 documents per request; more are split).</summary>
    public async Task<IReadOnlyList<DetectedLanguageResult>> DetectLanguageAsync(IReadOnlyList<TextDocumentInput> documents, CancellationToken cancellationToken = default)
    {
        var results = new List<DetectedLanguageResult>(documents.Count);
        foreach (var chunk in documents.Chunk(MaxDetectionBatch))
        {
            var request = new AnalyzeTextRequest(
                "LanguageDetection",
                new AnalyzeParameters(options.ModelVersion),
                new AnalysisInput([.. chunk.Select(d => new InputDocument(d.Id, d.Text, CountryHint: options.CountryHint))]));
            var response = await SendAsync(request, AzureLanguageJsonContext.Default.LanguageDetectionResponse, cancellationToken);
            var byId = new Dictionary<string, DetectedLanguageResult>(StringComparer.Ordinal);
            foreach (var doc in response.Results?.Documents ?? [])
            {
                var iso = doc.DetectedLanguage?.Iso6391Name;
                var known = !string.IsNullOrEmpty(iso) && !iso.StartsWith('(');
                byId[doc.Id] = new DetectedLanguageResult(doc.Id, known ? iso : null, doc.DetectedLanguage?.ConfidenceScore ?? 0, null);
            }

            foreach (var error in response.Results?.Errors ?? [])
            {
                byId[error.Id] = new DetectedLanguageResult(error.Id, null, 0, error.Error);
            }

            results.AddRange(chunk.Select(d => byId.TryGetValue(d.Id, out var r) ? r : new DetectedLanguageResult(d.Id, null, 0, null)));
        }

        return results;
    }

    private async Task<T> SendAsync<T>(AnalyzeTextRequest body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{options.Endpoint!.TrimEnd('/')}/language/:analyze-text?api-version={Uri.EscapeDataString(options.ApiVersion)}");
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Content = JsonContent.Create(body, AzureLanguageJsonContext.Default.AnalyzeTextRequest),
            };
            await AuthorizeAsync(request, cancellationToken);

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (attempt < options.MaxRetries)
            {
                logger.LogWarning(ex, "Azure AI Language request failed (attempt {Attempt}); retrying", attempt + 1);
                await Task.Delay(Backoff(attempt), time, cancellationToken);
                continue;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // HttpClient.Timeout elapsed (not our caller cancelling): a timeout is as retryable as a 503, and once
                // the retries are spent it is a named service failure rather than a cancellation nobody asked for.
                if (attempt >= options.MaxRetries)
                {
                    throw new AzureLanguageException(408, "Timeout", string.Create(CultureInfo.InvariantCulture, $"Azure AI Language did not answer within {http.Timeout.TotalSeconds:0.#} s ({attempt + 1} attempts)."), ex);
                }

                logger.LogWarning(ex, "Azure AI Language request timed out (attempt {Attempt}); retrying", attempt + 1);
                await Task.Delay(Backoff(attempt), time, cancellationToken);
                continue;
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    var result = await response.Content.ReadFromJsonAsync(responseType, cancellationToken);
                    return result ?? throw new AzureLanguageException((int)response.StatusCode, null, "Azure AI Language returned an empty body.");
                }

                var status = (int)response.StatusCode;
                var retryable = status is 429 or 500 or 502 or 503 or 504 or 408;
                if (retryable && attempt < options.MaxRetries)
                {
                    var delay = status == 429 && RetryAfter(response) is TimeSpan after ? Cap(after) : Backoff(attempt);
                    logger.LogWarning("Azure AI Language answered {Status}; retrying in {DelayMs} ms (attempt {Attempt})", status, (int)delay.TotalMilliseconds, attempt + 1);
                    await Task.Delay(delay, time, cancellationToken);
                    continue;
                }

                throw await ErrorAsync(response, cancellationToken);
            }
        }
    }

    private async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            request.Headers.Add("Ocp-Apim-Subscription-Key", options.ApiKey);
            return;
        }

        // Refresh five minutes before expiry; tokens last about an hour. A concurrent refresh is harmless.
        var current = token;
        if (current is null || current.Value.ExpiresOn <= time.GetUtcNow().AddMinutes(5))
        {
            current = await credential!.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
            token = current;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.Value.Token);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is TimeSpan delta)
        {
            return delta;
        }

        if (header?.Date is DateTimeOffset date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        // Some gateways send fractional seconds, which the typed header rejects.
        return response.Headers.TryGetValues("Retry-After", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private TimeSpan Cap(TimeSpan retryAfter) => retryAfter > TimeSpan.FromSeconds(options.MaxRetryAfterSeconds) ? TimeSpan.FromSeconds(options.MaxRetryAfterSeconds) : retryAfter;

    private TimeSpan Backoff(int attempt)
    {
#pragma warning disable CA5394 // Jitter, not security.
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromSeconds(options.RetryDelaySeconds * Math.Pow(2, attempt) * jitter);
    }

    private static async Task<AzureLanguageException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? code = response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;
        var message = $"Azure AI Language answered {status} ({response.ReasonPhrase}).";
        try
        {
            var body = await response.Content.ReadFromJsonAsync(AzureLanguageJsonContext.Default.ErrorResponse, cancellationToken);
            if (body?.Error is LanguageError error)
            {
                code = error.Innererror?.Code ?? error.Code ?? code;
                message = $"Azure AI Language answered {status}: {error.Message}";
            }
        }
        catch (JsonException)
        {
            // Not the documented error envelope; the status says enough.
        }

        return new AzureLanguageException(status, code ?? (response.StatusCode == HttpStatusCode.TooManyRequests ? "TooManyRequests" : null), message);
    }
}
