using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace ReviewWatch.DevHost.Local;

/// <summary>
/// Azurite (pinned in package.json) on free loopback ports, in memory unless a folder is given, stopped on
/// dispose and also when this process dies (tools/azurite-supervised.mjs watches our pid).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key (public, documented, works only against the emulator).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    private AzuriteServer(Process process, int blob, int queue, int table)
    {
        _process = process;
        BlobPort = blob;
        QueuePort = queue;
        TablePort = table;
    }

    /// <summary>Completes when Azurite (or its supervisor) exits, for whatever reason.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;");

    /// <param name="persistFolder">Null for in-memory storage; otherwise Azurite keeps its data there.</param>
    /// <param name="ports">Fixed (blob, queue, table) ports, e.g. to restart on the same ports; null for free ones.</param>
    public static async Task<AzuriteServer> StartAsync(string? persistFolder = null, (int Blob, int Queue, int Table)? ports = null, CancellationToken cancellationToken = default)
    {
        var root = RepositoryRoot.Find();
        var supervisor = Path.Combine(root, "tools", "azurite-supervised.mjs");
        if (!Directory.Exists(Path.Combine(root, "node_modules", "azurite")))
        {
            throw new InvalidOperationException($"Azurite is not installed: run 'npm ci' in {root} (./reviewwatch run and ./reviewwatch test do this).");
        }

        var (blob, queue, table) = ports ?? (FreePort(), FreePort(), FreePort());
        var psi = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        psi.ArgumentList.Add(supervisor);
        psi.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        foreach (var arg in new[]
        {
            "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(CultureInfo.InvariantCulture),
        })
        {
            psi.ArgumentList.Add(arg);
        }

        // RW_AZURITE_LOG=file keeps Azurite's access log (one line per storage request) in that file: how the
        // request counts per pipeline step in docs/reliability.md were taken.
        var accessLogPath = Environment.GetEnvironmentVariable("RW_AZURITE_LOG");
        if (string.IsNullOrEmpty(accessLogPath))
        {
            psi.ArgumentList.Add("--silent");
        }

        if (persistFolder is null)
        {
            psi.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(persistFolder);
            psi.ArgumentList.Add("--location");
            psi.ArgumentList.Add(persistFolder);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (errors) { errors.AppendLine(e.Data); } } };
        var accessLog = string.IsNullOrEmpty(accessLogPath) ? null : new StreamWriter(accessLogPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && accessLog is not null) { lock (accessLog) { accessLog.WriteLine(e.Data); } } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new AzuriteServer(process, blob, queue, table);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await Listening(blob) && await Listening(queue) && await Listening(table)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                string text;
                lock (errors)
                {
                    text = errors.ToString();
                }

                throw new InvalidOperationException($"Azurite did not start: {text}");
            }

            await Task.Delay(100, cancellationToken);
        }

        return server;
    }

    /// <summary>
    /// Stops Azurite as Ctrl+C would (SIGTERM to Azurite itself), so a persistent instance saves its databases
    /// first: Azurite autosaves only every 5 s, and a SIGKILL loses what it had not saved. Falls back to a kill.
    /// </summary>
    public async Task StopGracefullyAsync(TimeSpan timeout)
    {
        var children = ChildPids(_process.Id);
        foreach (var pid in children.Count > 0 ? children : [_process.Id])
        {
            using var signal = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            if (signal is not null)
            {
                await signal.WaitForExitAsync();
            }
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
        }

        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && (children.Any(Alive) || await Listening(QueuePort) || await Listening(TablePort) || await Listening(BlobPort)))
        {
            await Task.Delay(100);
        }

        await DisposeAsync();
    }

    private static List<int> ChildPids(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
            return [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>The supervisor's pid and Azurite's (for memory sampling).</summary>
    public IReadOnlyList<int> ProcessIds() => [_process.Id, .. ChildPids(_process.Id)];

    private bool _stopping;

    private static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited && !_stopping && Environment.GetEnvironmentVariable("RW_AZURITE_CPU_PROF") is { Length: > 0 })
        {
            // Profiling (tools/azurite-supervised.mjs): Node writes the profile only when Azurite exits on its own.
            _stopping = true;
            await StopGracefullyAsync(TimeSpan.FromSeconds(10));
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
        }

        _process.Dispose();
    }

    private static async Task<bool> Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort() => FunctionsHost.HandlerProcess.FreePort();
}

/// <summary>Finds the repository root (where package.json and tools/ live).</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("REVIEWWATCH_ROOT");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "tools", "azurite-supervised.mjs")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the ReviewWatch repository root; set REVIEWWATCH_ROOT.");
    }
}
