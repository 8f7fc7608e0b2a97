using System.Text.Json;
using System.Text.RegularExpressions;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Deploy;

/// <summary>
/// A binding that names a %SETTING% the app does not have stops the Functions host from indexing that function.
/// Every such setting must exist locally (local.settings.sample.json) and in Azure (infra/main.bicep app settings).
/// </summary>
public sealed partial class SettingsConsistencyTests
{
    [Fact]
    public void Every_setting_a_function_binding_names_is_defined_locally_and_in_the_Bicep()
    {
        var functions = Path.Combine(TestPaths.RepositoryRoot, "functions", "ReviewWatch.Functions");
        var referenced = Directory.GetFiles(functions, "function.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Reference().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        using var local = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "local.settings.sample.json")));
        var bicep = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "infra", "main.bicep"));

        Assert.NotEmpty(referenced);
        foreach (var setting in referenced)
        {
            Assert.True(local.RootElement.GetProperty("Values").TryGetProperty(setting, out _), $"local.settings.sample.json lacks {setting}");
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(setting)}:\s", RegexOptions.Multiline), bicep);
        }
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex Reference();
}
