using System.Xml.Linq;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using ReviewWatch.Storage;

namespace ReviewWatch.Security;

/// <summary>
/// Keeps ASP.NET Core Data Protection keys in the app's own Table storage, so sign-in cookies, dev tokens and
/// antiforgery tokens work across instances and restarts. Written here because the blob-based
/// Azure.Extensions.AspNetCore.DataProtection.Blobs package is not in our registry, and a table we already
/// have needs no extra resource.
/// </summary>
public sealed class TableXmlRepository(TableClient table) : IXmlRepository
{
    private bool _created;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureTable();
        return table.Query<TableEntity>().Select(e => XElement.Parse(e.GetString("Xml"))).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureTable();
        var entity = new TableEntity("key", TableClientExtensions.SafeKey(string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString() : friendlyName))
        {
            ["Xml"] = element.ToString(SaveOptions.DisableFormatting),
        };
        table.UpsertEntity(entity, TableUpdateMode.Replace);
    }

    private void EnsureTable()
    {
        if (!_created)
        {
            try
            {
                table.CreateIfNotExists();
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }

            _created = true;
        }
    }
}

/// <summary>Data Protection wired to the shared key table, and the dev sign-in tokens built on it.</summary>
public static class DataProtectionSetup
{
    public const string ApplicationName = "ReviewWatch";

    public static IServiceCollection AddReviewWatchDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>()
            .Configure<ReviewWatchStorage>((o, storage) => o.XmlRepository = new TableXmlRepository(storage.DataProtectionKeys));
        return services;
    }
}

/// <summary>
/// Local development sign-in: a token naming a user, protected (encrypted and signed) with the shared keys and
/// valid for 12 hours. Only accepted when the handler runs in Development with dev sign-in on.
/// </summary>
public static class DevTokens
{
    private const string Purpose = "ReviewWatch.DevSignIn.v1";

    public static string Create(IDataProtectionProvider provider, string userId, TimeSpan? lifetime = null) =>
        provider.CreateProtector(Purpose).ToTimeLimitedDataProtector().Protect(userId.Trim().ToLowerInvariant(), lifetime ?? TimeSpan.FromHours(12));

    public static string? Read(IDataProtectionProvider provider, string token)
    {
        try
        {
            return provider.CreateProtector(Purpose).ToTimeLimitedDataProtector().Unprotect(token);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
