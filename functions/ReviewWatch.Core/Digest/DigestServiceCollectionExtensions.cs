using Microsoft.Extensions.DependencyInjection;

namespace ReviewWatch.Digest;

public static class DigestServiceCollectionExtensions
{
    /// <summary>The weekly digest: options (section "Digest"), builder, scheduler, the outbox and the alert-route senders.</summary>
    public static IServiceCollection AddDigest(this IServiceCollection services)
    {
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section)
            .Validate(o => o.MaxCatchUpWeeks is >= 1 and <= 12 && o.TrendWeeks is >= 5 and <= 52 && o.Concurrency >= 1, "Digest: MaxCatchUpWeeks 1–12, TrendWeeks 5–52, Concurrency ≥ 1")
            .Validate(o => o.SendTime >= TimeSpan.Zero && o.SendTime < TimeSpan.FromDays(1), "Digest:SendTime must be a time of day")
            .ValidateOnStart();
        services.AddSingleton<DigestBuilder>();
        services.AddSingleton<DigestService>();
        services.AddSingleton<IDigestSender, OutboxDigestSender>();
        services.AddSingleton<IDigestSender, RoutedDigestSender>();
        return services;
    }
}
