namespace ReviewWatch.DevHost.Local;

/// <summary>The product's core services, configured from a settings dictionary, for commands that run outside the handler.</summary>
public static class LocalServices
{
    public static ServiceProvider Create(IReadOnlyDictionary<string, string> settings, ILoggerFactory loggerFactory)
    {
        // App settings use "__" for sections (Sla__HighHours); configuration wants ":".
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(loggerFactory);
        services.AddLogging();
        services.AddReviewWatchCore(configuration);
        return services.BuildServiceProvider();
    }

    public static ILoggerFactory CreateLoggerFactory(LogLevel level = LogLevel.Information) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        })
        .SetMinimumLevel(level)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Azure", LogLevel.Warning)
        .AddFilter("Yarp", LogLevel.Warning)
        .AddFilter("System.Net.Http", LogLevel.Warning));
}
