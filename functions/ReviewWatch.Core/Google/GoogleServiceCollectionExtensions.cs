using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Google;

public static class GoogleServiceCollectionExtensions
{
    /// <summary>
    /// The Google Business Profile client: options, token refresh, the typed HTTP client (retry on 429/5xx with
    /// jittered exponential backoff → quota pacing → bearer token with one refresh on 401), polling, push and replies.
    /// </summary>
    public static IServiceCollection AddGoogle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GoogleOptions>().BindConfiguration(GoogleOptions.Section)
            .Validate(o => o.RequestsPerMinute > 0 && o.MaxInstances > 0, "Google:RequestsPerMinute and Google:MaxInstances must be positive")
            .ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var prefix = sp.GetRequiredService<IOptions<StorageOptions>>().Value.TablePrefix;
            return GoogleStore.Create(configuration["AzureWebJobsStorage"], configuration["AzureWebJobsStorage:accountName"] ?? configuration["AzureWebJobsStorage__accountName"], prefix);
        });

        services.AddHttpClient(GoogleTokenProvider.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<GoogleTokenProvider>();
        services.AddSingleton<GoogleRateLimiter>();
        services.AddTransient<GoogleRateLimitHandler>();
        services.AddTransient<GoogleAuthHandler>();
        var google = services.AddHttpClient<GoogleBusinessClient>();
        google.AddResilienceHandler("google", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<GoogleOptions>>().Value;
                // Google sends no Retry-After on 429: back off exponentially with jitter (its documented advice).
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = o.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = o.RetryBaseDelay,
                    MaxDelay = TimeSpan.FromSeconds(60),
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(30));
            });
        google.AddHttpMessageHandler<GoogleRateLimitHandler>();
        google.AddHttpMessageHandler<GoogleAuthHandler>();

        services.AddSingleton<GooglePoller>();
        services.AddSingleton<PollScheduler>();
        services.AddSingleton<GooglePushReceiver>();
        services.AddSingleton<GoogleReplyPublisher>();
        services.AddSingleton<IReplyPublisher, GoogleReplyPublisher>(sp => sp.GetRequiredService<GoogleReplyPublisher>());
        return services;
    }
}
