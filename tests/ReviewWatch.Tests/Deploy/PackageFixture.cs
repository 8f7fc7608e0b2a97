namespace ReviewWatch.Tests.Deploy;

/// <summary>
/// Runs tools/package.sh (what `./reviewwatch package` runs) once per test run into a temporary folder, so the
/// tests check the very zip a deployment would upload without touching the repository's artifacts/.
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public string OutputDirectory { get; } = Path.Combine(Path.GetTempPath(), "reviewwatch-package-" + Guid.NewGuid().ToString("N"));

    public string ZipPath => Path.Combine(OutputDirectory, "reviewwatch-functions.zip");

    public async Task InitializeAsync()
    {
        // A self-contained publish takes ~10-60 s depending on the machine and the NuGet cache.
        var result = await DeployTooling.RunAsync(
            "bash", ["tools/package.sh", "--output", OutputDirectory], DeployTooling.RepositoryRoot, TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0 || !File.Exists(ZipPath))
        {
            throw new InvalidOperationException($"tools/package.sh failed:{Environment.NewLine}{result}");
        }
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(OutputDirectory))
        {
            Directory.Delete(OutputDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
