using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ReviewWatch.Sentiment;

public static class SentimentServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configured <see cref="ISentimentAnalyzer"/>: the built-in analyzer by default, or the Azure AI
    /// Language client (with the built-in analyzer as its per-document fallback) when <c>Sentiment__Analyzer=azure</c>.
    /// </summary>
    public static IServiceCollection AddSentiment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SentimentOptions>().BindConfiguration(SentimentOptions.Section)
            .Validate(o => o.UsesAzure || string.Equals(o.Analyzer, "builtin", StringComparison.OrdinalIgnoreCase), "Sentiment:Analyzer must be 'builtin' or 'azure'")
            .Validate(o => !o.UsesAzure || Uri.TryCreate(o.Azure.Endpoint, UriKind.Absolute, out _), "Sentiment:Azure:Endpoint must be an absolute URL when Sentiment:Analyzer is 'azure'")
            .ValidateOnStart();
        services.AddSingleton<LexiconAnalyzer>();

        var options = configuration.GetSection(SentimentOptions.Section).Get<SentimentOptions>() ?? new SentimentOptions();
        if (options.UsesAzure)
        {
            services.AddAzureLanguage();
        }
        else
        {
            services.AddSingleton<ISentimentAnalyzer>(sp => sp.GetRequiredService<LexiconAnalyzer>());
        }

        return services;
    }
}
