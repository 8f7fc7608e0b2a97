namespace ReviewWatch.Sentiment;

/// <summary>
/// Azure AI Language settings (section "Sentiment:Azure"): <c>Sentiment__Azure__Endpoint</c>,
/// <c>Sentiment__Azure__ApiKey</c> (empty → Entra ID), <c>Sentiment__Azure__ApiVersion</c>, …
/// </summary>
public sealed class AzureLanguageOptions
{
    /// <summary>The resource endpoint, e.g. https://my-language.cognitiveservices.azure.com (custom subdomain for Entra ID).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Key auth (Ocp-Apim-Subscription-Key). Leave empty to use Entra ID (DefaultAzureCredential).</summary>
    public string? ApiKey { get; set; }

    /// <summary>A GA api-version; configurable because regions roll out new versions at different times.</summary>
    public string ApiVersion { get; set; } = "2025-11-01";

    public string ModelVersion { get; set; } = "latest";

    /// <summary>The service's limit for sentiment/opinion mining is 10 documents per request.</summary>
    public int MaxBatchSize { get; set; } = 10;

    /// <summary>The service's per-document limit, in text elements (StringInfo); longer texts are trimmed.</summary>
    public int MaxTextElements { get; set; } = 5120;

    /// <summary>Retries after 429/500/502/503/504 (and timeouts) before giving up.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Backoff base for 5xx and 429 without Retry-After; doubled per attempt, with jitter.</summary>
    public double RetryDelaySeconds { get; set; } = 0.5;

    /// <summary>Cap on an honoured Retry-After (F0 quota exhaustion sends days).</summary>
    public double MaxRetryAfterSeconds { get; set; } = 30;

    /// <summary>How many analysed documents to remember, so unchanged texts are not sent (and billed) again.</summary>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>Country hint for language detection.</summary>
    public string CountryHint { get; set; } = "FI";

    public double TimeoutSeconds { get; set; } = 30;
}
