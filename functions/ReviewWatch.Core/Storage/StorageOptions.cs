namespace ReviewWatch.Storage;

/// <summary>
/// Where ReviewWatch keeps its tables and queues. Bound from the "Storage" section; the connection string comes
/// from the Functions host setting <c>AzureWebJobsStorage</c> (or <c>AzureWebJobsStorage__accountName</c> for an
/// identity-based connection in Azure).
/// </summary>
/// <remarks>App settings: <c>Storage__TablePrefix=</c> (empty in production; tests give each run its own).</remarks>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public string TablePrefix { get; set; } = string.Empty;
}
