using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ReviewWatch.Businesses;
using ReviewWatch.DevHost.FunctionsHost;
using ReviewWatch.DevHost.Local;
using ReviewWatch.Storage;

namespace ReviewWatch.Tests.Deploy;

/// <summary>
/// The zip `./reviewwatch package` builds is what Azure runs: these tests open it, unpack it like a Linux
/// deployment does (keeping Unix modes) and start the handler from it the way the Functions host would.
/// </summary>
public sealed class DeploymentPackageTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private const string Executable = "ReviewWatch.Functions";
    private const int ExecuteBits = 0b001_001_001; // o+x, g+x, u+x

    private static string FunctionsProject => Path.Combine(DeployTooling.RepositoryRoot, "functions", "ReviewWatch.Functions");

    [Fact]
    public void Package_has_host_json_every_function_folder_and_an_executable_handler_at_its_root()
    {
        using var zip = ZipFile.OpenRead(package.ZipPath);
        var entries = zip.Entries.ToDictionary(e => e.FullName, StringComparer.Ordinal);

        Assert.True(entries.ContainsKey("host.json"), "host.json must sit at the zip root");
        using (var hostJson = entries["host.json"].Open())
        {
            var host = JsonNode.Parse(hostJson)!;
            Assert.Equal(Executable, (string?)host["customHandler"]?["description"]?["defaultExecutablePath"]);
        }

        var functionNames = Directory.GetDirectories(FunctionsProject)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(Path.GetFileName)
            .ToList();
        Assert.NotEmpty(functionNames);
        Assert.All(functionNames, name => Assert.True(entries.ContainsKey($"{name}/function.json"), $"{name}/function.json is missing"));

        Assert.True(entries.TryGetValue(Executable, out var handler), "the handler executable must sit at the zip root");
        var mode = (handler.ExternalAttributes >> 16) & 0x1FF;
        Assert.True((mode & ExecuteBits) == ExecuteBits, $"{Executable} has mode {Convert.ToString(mode, 8)} in the zip; it needs +x");

        // Self-contained: the runtime travels with the app (the 'custom' runtime image has no .NET).
        Assert.Contains("libcoreclr.so", entries.Keys);

        var localOnly = entries.Keys.Where(n =>
            Path.GetFileName(n).StartsWith("local.settings", StringComparison.OrdinalIgnoreCase)
            || Path.GetFileName(n).Equals("appsettings.Development.json", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(localOnly);

        // The fake Google and Language APIs and the dev host are for tests and benches: they never ship.
        Assert.DoesNotContain(entries.Keys, n => n.StartsWith("ReviewWatch.Fakes", StringComparison.Ordinal) || n.StartsWith("ReviewWatch.DevHost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unpacked_handler_starts_answers_health_and_runs_the_poll_timer()
    {
        var appRoot = Path.Combine(package.OutputDirectory, "unpacked-" + Guid.NewGuid().ToString("N"));
        ExtractWithUnixModes(package.ZipPath, appRoot);
        await using var azurite = await AzuriteServer.StartAsync();
        var prefix = "deploy" + Guid.NewGuid().ToString("N")[..8];
        await SeedSampleBusinessAsync(azurite.ConnectionString, prefix);

        var port = HandlerProcess.FreePort();
        using var handler = StartHandler(appRoot, port, new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__TablePrefix"] = prefix,
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        try
        {
            await WaitUntilReadyAsync(http, handler.Process);

            var health = await http.GetAsync(new Uri("api/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

            // The host's timer payload (captured from Functions host 4.x, see shared/reference/host-payloads).
            var timer = new JsonObject
            {
                ["Data"] = new JsonObject { ["timer"] = new JsonObject { ["Schedule"] = new JsonObject { ["AdjustForDST"] = true }, ["ScheduleStatus"] = null, ["IsPastDue"] = false } },
                ["Metadata"] = new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "ScheduleReviewPolls", ["UtcNow"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), ["RandGuid"] = Guid.NewGuid().ToString() } },
            };
            var response = await http.PostAsJsonAsync(new Uri("ScheduleReviewPolls", UriKind.Relative), timer);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"ScheduleReviewPolls answered {(int)response.StatusCode}: {body}");
            var outputs = JsonNode.Parse(body)!["Outputs"];
            Assert.NotNull(outputs);
            var polls = outputs["pollQueue"]!.AsArray();
            Assert.Equal(2, polls.Count); // the sample business has two locations
        }
        catch (Exception ex)
        {
            // Whatever failed, the handler's own log says why.
            throw new Xunit.Sdk.XunitException($"{ex.Message}{Environment.NewLine}--- packaged handler output ---{Environment.NewLine}{handler.Output}", ex);
        }
    }

    private static async Task SeedSampleBusinessAsync(string connectionString, string prefix)
    {
        var storage = ReviewWatchStorage.Create(connectionString, null, null, prefix);
        var businessFile = Path.Combine(DeployTooling.RepositoryRoot, "samples", "kanelitupa", "business.json");
        var (_, locations) = await new BusinessDirectory(storage).SeedAsync(businessFile);
        Assert.Equal(2, locations.Count);
    }

    /// <summary>Unzips as Linux deployments do: each entry keeps the Unix mode stored in its external attributes.</summary>
    private static void ExtractWithUnixModes(string zipPath, string destination)
    {
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        using var zip = ZipFile.OpenRead(zipPath);
        foreach (var entry in zip.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
            Assert.StartsWith(root, target, StringComparison.Ordinal);
            if (entry.FullName.EndsWith('/'))
            {
                Directory.CreateDirectory(target);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target, overwrite: true);
            var mode = (entry.ExternalAttributes >> 16) & 0x1FF;
            if (mode != 0 && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, (UnixFileMode)mode);
            }
        }
    }

    /// <summary>Starts the unpacked executable as the Functions host does: port and app root in the environment.</summary>
    private static RunningHandler StartHandler(string appRoot, int port, IReadOnlyDictionary<string, string> settings)
    {
        var psi = new ProcessStartInfo(Path.Combine(appRoot, Executable))
        {
            WorkingDirectory = appRoot,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        psi.Environment["FUNCTIONS_APP_ROOT_PATH"] = appRoot;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The handler exits by itself if this test process dies, so no orphan is left behind.
        psi.Environment["REVIEWWATCH_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        psi.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (key, value) in settings)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the packaged handler");
        return new RunningHandler(process);
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, Process process)
    {
        // Like the host: poll GET / until anything answers; fail fast if the process died.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, $"The packaged handler exited with code {(process.HasExited ? process.ExitCode : 0)}");
            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private sealed class RunningHandler : IDisposable
    {
        private readonly StringBuilder _output = new();

        public RunningHandler(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
