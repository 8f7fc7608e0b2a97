namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>What to run and where.</summary>
public sealed record DevHostOptions(string AppRoot, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>The public HTTP port; 7071 like func start, 0 for any free port.</summary>
    public int HttpPort { get; init; } = 7071;

    public bool EnableTimers { get; init; } = true;

    public bool EnableQueues { get; init; } = true;
}

/// <summary>
/// The local stand-in for the Azure Functions host: starts the custom handler from host.json, runs its timer
/// and queue triggers against the storage account in AzureWebJobsStorage, and serves its HTTP functions.
/// </summary>
public sealed class DevFunctionsHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private WebApplication? _web;
    private OutputWriter? _outputs;

    private DevFunctionsHost(FunctionAppDefinition app, HandlerProcess handler, Invoker invoker, int httpPort)
    {
        App = app;
        Handler = handler;
        Invoker = invoker;
        HttpPort = httpPort;
    }

    public FunctionAppDefinition App { get; }
    public HandlerProcess Handler { get; }
    public Invoker Invoker { get; }
    public int HttpPort { get; }
    public Uri HttpBaseAddress => new($"http://127.0.0.1:{HttpPort}/");

    public static async Task<DevFunctionsHost> StartAsync(DevHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var app = FunctionAppDefinition.Load(options.AppRoot);
        var logger = loggerFactory.CreateLogger("ReviewWatch.DevHost");
        var handler = new HandlerProcess(app, options.Settings, loggerFactory.CreateLogger("ReviewWatch.DevHost.Handler"));
        var invoker = new Invoker(handler, app.FunctionTimeout, loggerFactory.CreateLogger("ReviewWatch.DevHost.Invoker"));
        var port = options.HttpPort == 0 ? HandlerProcess.FreePort() : options.HttpPort;
        var host = new DevFunctionsHost(app, handler, invoker, port);
        try
        {
            await handler.StartAsync(cancellationToken);
            var connections = new StorageConnections(options.Settings);
            var outputs = new OutputWriter(connections, loggerFactory.CreateLogger("ReviewWatch.DevHost.Outputs"));
            host._outputs = outputs;
            host._web = HttpFrontend.Build(app, handler, invoker, outputs, port, loggerFactory);
            await host._web.StartAsync(cancellationToken);

            foreach (var function in app.Functions)
            {
                var type = function.Trigger.Type;
                var functionLogger = loggerFactory.CreateLogger($"Function.{function.Name}");
                if (options.EnableQueues && type.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase))
                {
                    var listener = new QueueListener(function, app.Queues, connections, invoker, outputs, functionLogger);
                    host._loops.Add(Task.Run(() => listener.RunAsync(host._stopping.Token), CancellationToken.None));
                }
                else if (options.EnableTimers && type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
                {
                    var timer = new TimerScheduler(function, connections, invoker, outputs, TimeProvider.System, functionLogger);
                    host._loops.Add(Task.Run(() => timer.RunAsync(host._stopping.Token), CancellationToken.None));
                }
            }

            logger.LogInformation("Functions host running {Count} functions from {Root}", app.Functions.Count, app.Root);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Fires a timer function once now (as a manual run in the portal does), writing its outputs.</summary>
    public async Task<bool> RunTimerNowAsync(string functionName, CancellationToken cancellationToken = default)
    {
        var function = App.Functions.FirstOrDefault(f => f.Name == functionName && f.Trigger.Type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase));
        if (function is null || _outputs is null)
        {
            return false;
        }

        var data = new System.Text.Json.Nodes.JsonObject
        {
            [function.Trigger.Name] = new System.Text.Json.Nodes.JsonObject
            {
                ["Schedule"] = new System.Text.Json.Nodes.JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = null,
                ["IsPastDue"] = false,
            },
        };
        var outcome = await Invoker.InvokeAsync(function.Name, data, [], cancellationToken);
        if (outcome.Succeeded)
        {
            await _outputs.WriteAsync(function, outcome.Outputs, cancellationToken);
        }

        return outcome.Succeeded;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops.Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
        if (_web is not null)
        {
            await _web.StopAsync(CancellationToken.None);
            await _web.DisposeAsync();
        }

        await Handler.DisposeAsync();
        Invoker.Dispose();
        _stopping.Dispose();
    }
}
