using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>
/// Starts the custom handler the way the Functions host does: the executable from host.json, its arguments with
/// %VAR% expanded, app settings plus FUNCTIONS_CUSTOMHANDLER_PORT in the environment, readiness = any answer to
/// GET / (polled every 25 ms). Restarts the handler if it exits, as the host restarts a dead worker.
/// </summary>
public sealed class HandlerProcess : IAsyncDisposable
{
    private readonly FunctionAppDefinition _app;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly ILogger _logger;
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private Process? _process;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _supervisor;

    public HandlerProcess(FunctionAppDefinition app, IReadOnlyDictionary<string, string> settings, ILogger logger)
    {
        _app = app;
        _settings = settings;
        _logger = logger;
        Port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }
    public Uri BaseAddress { get; }
    public int? ProcessId { get { lock (_gate) { return _process?.Id; } } }

    /// <summary>Starts the handler and waits until it answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _supervisor = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);
        await WaitReadyAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    /// <summary>Completes once the current handler process answers; invocations wait here while it restarts.</summary>
    public Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _ready.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Kills the handler process at once (SIGKILL), as a crash would; the supervisor restarts it. With
    /// <paramref name="onlyProcessId"/>, only if that process is still the current one (not one already restarted).
    /// </summary>
    public void Kill(int? onlyProcessId = null)
    {
        lock (_gate)
        {
            try
            {
                if (onlyProcessId is null || _process?.Id == onlyProcessId)
                {
                    _process?.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stopping.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = Launch();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                _logger.LogError(ex, "Could not start the handler {Executable}", _app.ExecutablePath);
                lock (_gate)
                {
                    _ready.TrySetException(ex);
                }

                return;
            }

            var exited = process.WaitForExitAsync(CancellationToken.None);
            while (!exited.IsCompleted && !stopping.IsCancellationRequested)
            {
                if (await AnswersAsync(stopping))
                {
                    lock (_gate)
                    {
                        _ready.TrySetResult();
                    }

                    _logger.LogInformation("Handler ready on {BaseAddress} (pid {Pid})", BaseAddress, process.Id);
                    break;
                }

                await Task.WhenAny(exited, Task.Delay(25, CancellationToken.None));
            }

            await Task.WhenAny(exited, Task.Delay(Timeout.Infinite, stopping)).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            lock (_gate)
            {
                if (_ready.Task.IsCompleted)
                {
                    _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            _logger.LogWarning("Handler exited with code {ExitCode}; restarting", SafeExitCode(process));
            await Task.Delay(backoff, CancellationToken.None);
        }
    }

    private Process Launch()
    {
        var psi = new ProcessStartInfo(_app.ExecutablePath)
        {
            WorkingDirectory = _app.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _settings)
        {
            psi.Environment[key] = value;
        }

        var injected = new Dictionary<string, string>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = Guid.NewGuid().ToString(),
            ["FUNCTIONS_APP_ROOT_PATH"] = _app.Root,
            // Lets the handler exit if this dev host dies without stopping it (the real host needs no such thing).
            ["REVIEWWATCH_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in injected)
        {
            psi.Environment[key] = value;
        }

        foreach (var arg in _app.Arguments)
        {
            // %VAR% from the injected variables and the environment; unresolved references vanish, as in the host.
            var expanded = System.Text.RegularExpressions.Regex.Replace(arg, "%([^%]+)%", m =>
                injected.TryGetValue(m.Groups[1].Value, out var v) ? v
                : _settings.TryGetValue(m.Groups[1].Value, out var s) ? s
                : Environment.GetEnvironmentVariable(m.Groups[1].Value) ?? string.Empty);
            psi.ArgumentList.Add(expanded);
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data, LogLevel.Information);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, LogLevel.Warning);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_gate)
        {
            _process = process;
        }

        return process;
    }

    private void Forward(string? line, LogLevel level)
    {
        if (!string.IsNullOrEmpty(line))
        {
            _logger.Log(level, "[handler] {Line}", line);
        }
    }

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _probe.GetAsync(BaseAddress, cancellationToken);
            return true; // any HTTP answer, even 404, means ready
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static int SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Kill();
        if (_supervisor is not null)
        {
            await _supervisor.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _probe.Dispose();
        _stopping.Dispose();
    }
}
