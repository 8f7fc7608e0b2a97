namespace ReviewWatch.Sentiment;

/// <summary>
/// Which analyzer scores texts. Bound from the "Sentiment" section:
/// <code>
/// "Sentiment__Analyzer": "builtin" | "azure",
/// "Sentiment__Azure__Endpoint": "https://my-language.cognitiveservices.azure.com",
/// "Sentiment__Azure__ApiKey": "" (empty → Entra ID via DefaultAzureCredential)
/// </code>
/// </summary>
public sealed class SentimentOptions
{
    public const string Section = "Sentiment";

    /// <summary>"builtin" (default, no network) or "azure" (Azure AI Language).</summary>
    public string Analyzer { get; set; } = "builtin";

    public AzureLanguageOptions Azure { get; set; } = new();

    public bool UsesAzure => string.Equals(Analyzer, "azure", StringComparison.OrdinalIgnoreCase);
}
