using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ReviewWatch.Tests.Deploy;

/// <summary>
/// CI compiles and lints infra/ with the bicep CLI from NuGet. Any error fails, and so does any warning: a rule
/// that should not apply is waived in infra/bicepconfig.json with its reason, never ignored here.
/// </summary>
public sealed partial class BicepTests
{
    private static string Infra => Path.Combine(DeployTooling.RepositoryRoot, "infra");

    [Fact]
    public async Task Main_bicep_builds_without_errors_or_warnings()
    {
        var result = await BicepAsync("build", Path.Combine(Infra, "main.bicep"), "--stdout");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(Diagnostics(result));
        Assert.NotNull(JsonNode.Parse(result.StandardOutput));
    }

    [Fact]
    public async Task Main_bicep_and_its_modules_lint_clean()
    {
        // Linting main.bicep reports its modules' diagnostics too (one bicep start instead of one per file).
        var result = await BicepAsync("lint", Path.Combine(Infra, "main.bicep"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(Diagnostics(result));
    }

    [Fact]
    public void Every_bicep_file_is_a_module_of_main_so_lint_and_build_cover_it()
    {
        var files = Directory.GetFiles(Infra, "*.bicep", SearchOption.AllDirectories).Select(Path.GetFullPath).ToHashSet();
        var reached = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(Path.Combine(Infra, "main.bicep"))]);
        while (pending.TryPop(out var file))
        {
            if (!reached.Add(file))
            {
                continue;
            }

            foreach (Match module in ModuleReference().Matches(File.ReadAllText(file)))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, module.Groups["path"].Value)));
            }
        }

        Assert.Empty(files.Except(reached).Select(f => Path.GetRelativePath(Infra, f)));
    }

    [Fact]
    public async Task Compiled_template_is_keyless_and_runs_the_custom_handler_on_flex_consumption()
    {
        var result = await BicepAsync("build", Path.Combine(Infra, "main.bicep"), "--stdout");
        Assert.True(result.ExitCode == 0, result.ToString());
        var resources = AllResources(JsonNode.Parse(result.StandardOutput)!).ToList();

        var site = Assert.Single(resources, r => Type(r) == "Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("custom", (string?)site["properties"]?["functionAppConfig"]?["runtime"]?["name"]);
        Assert.Equal("UserAssignedIdentity", (string?)site["properties"]?["functionAppConfig"]?["deployment"]?["storage"]?["authentication"]?["type"]);
        var plan = Assert.Single(resources, r => Type(r) == "Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", (string?)plan["sku"]?["tier"]);

        var storage = Assert.Single(resources, r => Type(r) == "Microsoft.Storage/storageAccounts");
        Assert.False((bool?)storage["properties"]?["allowSharedKeyAccess"]);
        var language = Assert.Single(resources, r => Type(r) == "Microsoft.CognitiveServices/accounts");
        Assert.Equal("TextAnalytics", (string?)language["kind"]);
        Assert.True((bool?)language["properties"]?["disableLocalAuth"]);
        var vault = Assert.Single(resources, r => Type(r) == "Microsoft.KeyVault/vaults");
        Assert.True((bool?)vault["properties"]?["enableRbacAuthorization"]);

        // The app reaches storage by identity only; a connection string or listKeys() would bring keys back.
        Assert.Contains("\"AzureWebJobsStorage__accountName\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"AzureWebJobsStorage__credential\": \"managedidentity\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("\"AzureWebJobsStorage\":", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("listKeys", result.StandardOutput, StringComparison.OrdinalIgnoreCase);

        string[] roles =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            "a97b65f3-24c7-4388-baec-2e87135dc908", // Cognitive Services User
            "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
        ];
        Assert.All(roles, role => Assert.Contains(role, result.StandardOutput, StringComparison.Ordinal));
    }

    private static async Task<ProcessOutput> BicepAsync(params string[] arguments)
    {
        var bicep = DeployTooling.BicepCli;
        Assert.True(File.Exists(bicep), $"bicep CLI not found at {bicep}; restore tests/ReviewWatch.Tests (package Azure.Bicep.CommandLine.linux-x64)");
        // NuGet does not keep Unix modes when it extracts a package.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(bicep).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return await DeployTooling.RunAsync(bicep, arguments, DeployTooling.RepositoryRoot, TimeSpan.FromMinutes(2));
    }

    /// <summary>Lines like "main.bicep(12,5) : Warning no-unused-params: ..." from stdout or stderr.</summary>
    private static List<string> Diagnostics(ProcessOutput result) =>
        (result.StandardError + "\n" + result.StandardOutput).Split('\n')
            .Where(line => DiagnosticLine().IsMatch(line))
            .ToList();

    /// <summary>Resources of the template and of every nested (module) deployment in it.</summary>
    private static IEnumerable<JsonNode> AllResources(JsonNode template)
    {
        var resources = template["resources"] switch
        {
            JsonArray array => array.Select(r => r!),
            JsonObject map => map.Select(p => p.Value!), // symbolic-name templates (languageVersion 2.0)
            _ => [],
        };
        foreach (var resource in resources)
        {
            yield return resource;
            if (Type(resource) == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonNode nested)
            {
                foreach (var inner in AllResources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static string? Type(JsonNode resource) => (string?)resource["type"];

    [GeneratedRegex(@"\)\s*:\s*(Error|Warning)\s", RegexOptions.CultureInvariant)]
    private static partial Regex DiagnosticLine();

    [GeneratedRegex(@"^\s*module\s+\w+\s+'(?<path>[^':]+\.bicep)'", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ModuleReference();
}
