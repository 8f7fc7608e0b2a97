using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace ReviewWatch.Tests.Deploy;

/// <summary>Paths baked in at build time and a small process runner for the deploy tests.</summary>
internal static class DeployTooling
{
    public static string RepositoryRoot => Path.GetFullPath(Metadata("RepositoryRoot"));

    /// <summary>The bicep binary from the Azure.Bicep.CommandLine.linux-x64 NuGet package.</summary>
    public static string BicepCli => Path.GetFullPath(Metadata("BicepCli"));

    public static async Task<ProcessOutput> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}");
        }

        return new ProcessOutput(process.ExitCode, await stdout, await stderr);
    }

    private static string Metadata(string key) =>
        typeof(DeployTooling).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"AssemblyMetadata {key} is not set");
}

internal sealed record ProcessOutput(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => new StringBuilder()
        .Append("exit code ").Append(ExitCode).AppendLine()
        .AppendLine("--- stdout ---").AppendLine(StandardOutput)
        .AppendLine("--- stderr ---").AppendLine(StandardError)
        .ToString();
}
