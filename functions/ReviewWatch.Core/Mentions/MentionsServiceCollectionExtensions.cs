using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using ReviewWatch.Mentions.Sources;

namespace ReviewWatch.Mentions;

public static class MentionsServiceCollectionExtensions
{
    /// <summary>
    /// Social-media and feed mentions: options, one typed client per source (retry on 5xx and network errors with
    /// jittered exponential backoff; 429 is not retried here but turned into a NotBefore from the API's own
    /// rate-limit headers), the ingestor and the poller.
    /// </summary>
    public static IServiceCollection AddMentions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MentionsOptions>().Bind(configuration.GetSection(MentionsOptions.Section))
            .Validate(o => o.MaxPages > 0, "Mentions:MaxPages must be positive")
            .Validate(o => Uri.TryCreate(o.Reddit.BaseUrl, UriKind.Absolute, out _) && Uri.TryCreate(o.Reddit.TokenUrl, UriKind.Absolute, out _), "Mentions:Reddit:BaseUrl and TokenUrl must be absolute URLs")
            .Validate(o => Uri.TryCreate(o.Bluesky.BaseUrl, UriKind.Absolute, out _), "Mentions:Bluesky:BaseUrl must be an absolute URL")
            .ValidateOnStart();

        services.AddHttpClient(RedditTokenProvider.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<RedditTokenProvider>();
        Resilient(services.AddHttpClient<RedditMentionSource>(), "mentions-reddit");
        Resilient(services.AddHttpClient<BlueskyMentionSource>(), "mentions-bluesky");
        Resilient(services.AddHttpClient<MastodonMentionSource>(), "mentions-mastodon");
        Resilient(services.AddHttpClient<RssMentionSource>(), "mentions-rss");
        services.AddTransient<IMentionSource>(sp => sp.GetRequiredService<RssMentionSource>());
        services.AddTransient<IMentionSource>(sp => sp.GetRequiredService<RedditMentionSource>());
        services.AddTransient<IMentionSource>(sp => sp.GetRequiredService<BlueskyMentionSource>());
        services.AddTransient<IMentionSource>(sp => sp.GetRequiredService<MastodonMentionSource>());
        services.AddSingleton<MentionIngestor>();
        services.AddTransient<MentionPoller>();
        return services;
    }

    private static void Resilient(IHttpClientBuilder client, string name) =>
        client.AddResilienceHandler(name, (pipeline, context) =>
        {
            var o = context.ServiceProvider.GetRequiredService<IOptions<MentionsOptions>>().Value;
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } r } => (int)r.StatusCode >= 500 && r.StatusCode != HttpStatusCode.NotImplemented,
                    _ => false,
                }),
            });
            pipeline.AddTimeout(TimeSpan.FromSeconds(20));
        });
}
