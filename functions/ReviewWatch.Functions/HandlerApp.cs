using ReviewWatch.Functions.Api;
using ReviewWatch.Functions.Auth;
using ReviewWatch.Functions.Triggers;
using ReviewWatch.Functions.Ui;

namespace ReviewWatch.Functions;

/// <summary>Builds the custom handler. Program.cs runs it; tests start it in-process on a free port.</summary>
public static class HandlerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // The Functions host tells us our port; listen on loopback only (the port is internal to the host).
        var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
        if (!string.IsNullOrEmpty(port))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });

        // Everything the functions call: storage, sentiment, ingest, alerts, cases, digest.
        builder.Services.AddReviewWatchCore(builder.Configuration);

        // Staff sign-in: App Service Authentication in Azure, a dev sign-in locally (Development only).
        builder.Services.AddOptions<Auth.AuthOptions>().BindConfiguration(Auth.AuthOptions.Section);
        builder.Services.AddSingleton<Auth.StaffAuthenticator>();
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "rw_csrf");
        builder.Services.AddRazorComponents();
        // Finnish text stays readable in the HTML (ä, not &#xE4;); markup characters are still encoded.
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));

        // Traces and metrics: every invocation and request, outbound calls, and the product's own measures;
        // exported to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
        builder.AddReviewWatchTelemetry();

        // Dev host only: exit when the process that started us is gone, so a killed dev host leaves no orphan.
        builder.Services.AddHostedService<ParentWatch>();

        configure?.Invoke(builder);
        var app = builder.Build();
        if (app.Configuration.GetValue<bool>("Auth:DevSignIn") && !app.Environment.IsDevelopment())
        {
            throw new InvalidOperationException("Auth:DevSignIn is on outside Development; refusing to run. Turn it off and use App Service Authentication.");
        }

        app.UseStaffAuthentication();

        // Readiness: the host polls GET / until anything answers.
        app.MapGet("/", () => Results.Text("ReviewWatch custom handler"));

        // Timer and queue functions: POST /{FunctionName} with the host's {Data, Metadata} payload.
        app.MapFunctionTriggers();
        app.MapDigestTriggers();
        app.MapGoogleTriggers();
        app.MapMentionTriggers();

        // HTTP functions, forwarded raw by the host: the staff API and the staff pages.
        app.MapStaffApi();
        app.MapStaffUi();
        app.MapDigestApi();
        app.MapDigestPage();
        return app;
    }
}

/// <summary>Stops the handler when REVIEWWATCH_PARENT_PID (set only by the dev host) no longer exists.</summary>
internal sealed class ParentWatch(IHostApplicationLifetime lifetime, ILogger<ParentWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("REVIEWWATCH_PARENT_PID"), out var pid))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(1000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                using var parent = System.Diagnostics.Process.GetProcessById(pid);
                if (parent.HasExited)
                {
                    break;
                }
            }
            catch (ArgumentException)
            {
                break;
            }
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("The process that started this handler ({Pid}) is gone; stopping", pid);
            lifetime.StopApplication();
        }
    }
}
