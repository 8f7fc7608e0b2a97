using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ReviewWatch.Sentiment;

internal static class AzureLanguageServiceCollectionExtensions
{
    /// <summary>The Azure AI Language client (typed HttpClient) and the analyzer over it, with the built-in one as fallback.</summary>
    public static IServiceCollection AddAzureLanguage(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(AzureLanguageClient), (sp, http) =>
                http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<SentimentOptions>>().Value.Azure.TimeoutSeconds))
            // The analyzer is a singleton holding this client: rotate connections in the handler instead.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddTypedClient((http, sp) =>
            {
                var options = sp.GetRequiredService<IOptions<SentimentOptions>>().Value.Azure;
                TokenCredential? credential = string.IsNullOrWhiteSpace(options.ApiKey) ? new DefaultAzureCredential() : null;
                return new AzureLanguageClient(http, options, credential, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AzureLanguageClient>>());
            });
        services.AddSingleton<ISentimentAnalyzer>(sp => new AzureSentimentAnalyzer(
            sp.GetRequiredService<AzureLanguageClient>(),
            sp.GetRequiredService<IOptions<SentimentOptions>>().Value.Azure,
            sp.GetRequiredService<ILogger<AzureSentimentAnalyzer>>()));
        return services;
    }
}
