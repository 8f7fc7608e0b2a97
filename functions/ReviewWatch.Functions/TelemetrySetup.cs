using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ReviewWatch.Telemetry;

namespace ReviewWatch.Functions;

/// <summary>OpenTelemetry for the handler, exported to Azure Monitor (Application Insights) when configured.</summary>
public static class TelemetrySetup
{
    public static void AddReviewWatchTelemetry(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        // "Authorization=AAD" (set by our Bicep): Application Insights accepts only Entra-authenticated telemetry.
        var entra = (builder.Configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] ?? string.Empty).Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase);
        var export = !string.IsNullOrWhiteSpace(connectionString);
        void Configure(AzureMonitorExporterOptions o)
        {
            o.ConnectionString = connectionString;
            if (entra)
            {
                o.Credential = new DefaultAzureCredential();
            }
        }

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("reviewwatch-functions"))
            .WithTracing(t =>
            {
                t.AddSource(ReviewWatchTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (export)
                {
                    t.AddAzureMonitorTraceExporter(Configure);
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(ReviewWatchTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (export)
                {
                    m.AddAzureMonitorMetricExporter(Configure);
                }
            });
        if (export)
        {
            builder.Logging.AddOpenTelemetry(o => o.AddAzureMonitorLogExporter(Configure));
        }
    }
}
