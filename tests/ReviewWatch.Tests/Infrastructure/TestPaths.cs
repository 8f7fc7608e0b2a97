using System.Reflection;

namespace ReviewWatch.Tests.Infrastructure;

/// <summary>Where the repository, the built function app and the shared reference files are.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = Path.GetFullPath(Metadata("RepositoryRoot"));

    public static string FunctionAppRoot { get; } = Path.GetFullPath(Metadata("FunctionAppRoot"));

    public static string SampleDirectory => Path.Combine(RepositoryRoot, "samples");

    public static string SampleBusinessFile => Path.Combine(RepositoryRoot, "samples", "kanelitupa", "business.json");

    /// <summary>The host payloads captured from the real Functions host (shared/ sits beside the repository).</summary>
    public static string HostPayload(string name)
    {
        for (var dir = new DirectoryInfo(RepositoryRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference", "host-payloads", name);
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        throw new FileNotFoundException($"Host payload {name} not found in shared/reference/host-payloads beside the repository.");
    }

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No {key} metadata");
}
