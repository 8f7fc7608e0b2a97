using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Digest;
using ReviewWatch.Google;
using ReviewWatch.Mentions;
using ReviewWatch.Recovery;
using ReviewWatch.Reviews;
using ReviewWatch.Security;
using ReviewWatch.Sentiment;
using ReviewWatch.Storage;

namespace ReviewWatch;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the product's services. Every capability reads its own options section.</summary>
    public static IServiceCollection AddReviewWatchCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section);
        services.AddOptions<FlaggingOptions>().BindConfiguration(FlaggingOptions.Section);
        services.AddOptions<SlaOptions>().BindConfiguration(SlaOptions.Section)
            .Validate(o => o.CriticalHours > 0 && o.HighHours > 0 && o.MediumHours > 0, "Sla hours must be positive").ValidateOnStart();
        services.AddOptions<AlertingOptions>().BindConfiguration(AlertingOptions.Section)
            .Validate(o => Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out _), "Alerting:PublicBaseUrl must be an absolute URL").ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var connection = configuration["AzureWebJobsStorage"];
            var account = configuration["AzureWebJobsStorage:accountName"] ?? configuration["AzureWebJobsStorage__accountName"];
            var prefix = sp.GetRequiredService<IOptions<StorageOptions>>().Value.TablePrefix;
            return ReviewWatchStorage.Create(connection, account, string.IsNullOrEmpty(connection) ? new DefaultAzureCredential() : null, prefix);
        });

        services.AddSentiment(configuration);
        services.AddSingleton<BusinessDirectory>();
        services.AddSingleton<ReviewIngestor>();
        services.AddSingleton<IReviewSource>(new FileReviewSource());
        services.AddSingleton<CaseService>();
        services.AddSingleton<ReplyService>();
        services.AddSingleton<AlertRouter>();
        services.AddSingleton<INotifier, OutboxNotifier>();
        services.AddSingleton<INotifier, SmtpNotifier>();
        services.AddSingleton<INotifier, TeamsNotifier>();
        services.AddSingleton<INotifier, SlackNotifier>();
        services.AddSingleton<INotifier, WebhookNotifier>();
        // Webhook channels: retries on 429/5xx with backoff and jitter, all inside the channel timeout.
        services.AddHttpClient(TeamsNotifier.HttpClientName)
            .AddStandardResilienceHandler(o =>
            {
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(15);
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
                o.Retry.MaxRetryAttempts = 2;
            });
        services.AddSingleton<EscalationService>();
        services.AddReviewWatchDataProtection();
        services.AddSingleton<AlertDispatcher>();
        services.AddDigest();
        services.AddGoogle(configuration);
        services.AddMentions(configuration);
        return services;
    }
}
