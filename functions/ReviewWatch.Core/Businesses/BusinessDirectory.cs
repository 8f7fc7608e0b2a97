using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using ReviewWatch.Storage;

namespace ReviewWatch.Businesses;

/// <summary>Reads and writes businesses and their locations.</summary>
public sealed class BusinessDirectory(ReviewWatchStorage storage)
{
    public async Task<IReadOnlyList<BusinessEntity>> ListBusinessesAsync(CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var list = new List<BusinessEntity>();
        await foreach (var b in storage.Businesses.QueryAsync<BusinessEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {BusinessEntity.Partition}"), cancellationToken: cancellationToken))
        {
            list.Add(b);
        }

        return list;
    }

    public async Task<BusinessEntity?> GetBusinessAsync(string businessId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        return await storage.Businesses.GetOrDefaultAsync<BusinessEntity>(BusinessEntity.Partition, businessId, cancellationToken);
    }

    /// <summary>Every location of every business (the poll fan-out walks this).</summary>
    public async Task<IReadOnlyList<LocationEntity>> ListLocationsAsync(string? businessId = null, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var list = new List<LocationEntity>();
        var query = businessId is null
            ? storage.Locations.QueryAsync<LocationEntity>(cancellationToken: cancellationToken)
            : storage.Locations.QueryAsync<LocationEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {businessId}"), cancellationToken: cancellationToken);
        await foreach (var l in query)
        {
            list.Add(l);
        }

        return list;
    }

    public async Task<LocationEntity?> GetLocationAsync(string businessId, string locationId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        return await storage.Locations.GetOrDefaultAsync<LocationEntity>(businessId, locationId, cancellationToken);
    }

    /// <summary>Writes a business and its locations from a seed file (upsert: running it twice changes nothing).</summary>
    public async Task<(BusinessEntity Business, IReadOnlyList<LocationEntity> Locations)> SeedAsync(string businessFile, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var json = await File.ReadAllTextAsync(businessFile, cancellationToken);
        var seed = JsonSerializer.Deserialize(json, SeedJsonContext.Default.BusinessSeed)
            ?? throw new InvalidDataException($"{businessFile} is empty");
        var folder = Path.GetDirectoryName(Path.GetFullPath(businessFile))!;
        var b = seed.Business;
        var business = new BusinessEntity
        {
            PartitionKey = BusinessEntity.Partition,
            RowKey = b.Id,
            Name = b.Name,
            Language = b.Language,
            TimeZone = b.TimeZone,
            OwnerName = b.OwnerName,
            OwnerEmail = b.OwnerEmail,
            ContactName = b.ContactName,
            ContactEmail = b.ContactEmail,
            ContactPhone = b.ContactPhone,
            MakeGoodFi = b.MakeGoodFi,
            MakeGoodEn = b.MakeGoodEn,
            ReplyTemplateFi = b.ReplyTemplateFi,
            ReplyTemplateEn = b.ReplyTemplateEn,
            QuietHoursStart = b.QuietHoursStart,
            QuietHoursEnd = b.QuietHoursEnd,
            AlertRoutes = b.AlertRoutes is { Count: > 0 } routes ? JsonSerializer.Serialize(routes, SeedJsonContext.Default.IReadOnlyListAlertRoute) : string.Empty,
            MentionSettings = b.Mentions?.WithFeedsRelativeTo(folder).ToJson() ?? string.Empty,
        };
        await storage.Businesses.UpsertEntityAsync(business, TableUpdateMode.Replace, cancellationToken);
        var locations = new List<LocationEntity>();
        foreach (var l in seed.Locations)
        {
            var location = new LocationEntity
            {
                PartitionKey = business.RowKey,
                RowKey = l.Id,
                Name = l.Name,
                City = l.City,
                Source = l.Source,
                SourceRef = l.Source == "file" && !Path.IsPathRooted(l.SourceRef) ? Path.Combine(folder, l.SourceRef) : l.SourceRef,
            };
            await storage.Locations.UpsertEntityAsync(location, TableUpdateMode.Replace, cancellationToken);
            locations.Add(location);
        }

        foreach (var u in seed.Users ?? [])
        {
            // Membership is additive: a user seeded by two businesses sees both.
            var key = UserKey(u.Id);
            var existing = await storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, key, cancellationToken);
            var businesses = ParseMemberships(existing?.Businesses);
            businesses.Add(business.RowKey);
            await storage.Users.UpsertEntityAsync(new UserEntity
            {
                PartitionKey = UserEntity.Partition,
                RowKey = key,
                DisplayName = u.Name,
                Roles = u.Role,
                Businesses = FormatMemberships(businesses),
            }, TableUpdateMode.Replace, cancellationToken);
        }

        return (business, locations);
    }

    /// <summary>The members of one business (users whose memberships include it, or who see every business).</summary>
    public async Task<IReadOnlyList<UserEntity>> ListMembersAsync(string businessId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var members = new List<UserEntity>();
        await foreach (var u in storage.Users.QueryAsync<UserEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {UserEntity.Partition}"), cancellationToken: cancellationToken))
        {
            var businesses = ParseMemberships(u.Businesses);
            if (businesses.Contains(businessId) || businesses.Contains("*"))
            {
                members.Add(u);
            }
        }

        return [.. members.OrderBy(u => u.DisplayName, StringComparer.CurrentCultureIgnoreCase)];
    }

    /// <summary>
    /// Makes <paramref name="userId"/> a member of the business. A new user gets <paramref name="role"/>; an existing
    /// user keeps the role they have, because roles are per user, not per business, and one business's owner must not
    /// be able to raise someone's rights in another business. Returns what was done, for the page to say.
    /// </summary>
    public async Task<MemberChange> AddMemberAsync(string businessId, string userId, string name, string role, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var key = UserKey(userId);
        for (var attempt = 0; ; attempt++)
        {
            var existing = await storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, key, cancellationToken);
            try
            {
                if (existing is null)
                {
                    await storage.Users.AddEntityAsync(new UserEntity { PartitionKey = UserEntity.Partition, RowKey = key, DisplayName = name.Trim(), Roles = role, Businesses = businessId }, cancellationToken);
                    return MemberChange.Added;
                }

                var businesses = ParseMemberships(existing.Businesses);
                if (businesses.Contains(businessId) || businesses.Contains("*"))
                {
                    return MemberChange.AlreadyMember;
                }

                businesses.Add(businessId);
                existing.Businesses = FormatMemberships(businesses);
                await storage.Users.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                return existing.Roles.Split(',', StringSplitOptions.TrimEntries).Contains(role, StringComparer.OrdinalIgnoreCase) ? MemberChange.Added : MemberChange.AddedWithExistingRole;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 3)
            {
                // Someone changed the same user meanwhile: read again.
            }
        }
    }

    /// <summary>Ends a user's membership of the business (the user row goes when no membership is left).</summary>
    public async Task<bool> RemoveMemberAsync(string businessId, string userId, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var key = UserKey(userId);
        for (var attempt = 0; ; attempt++)
        {
            var existing = await storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, key, cancellationToken);
            var businesses = ParseMemberships(existing?.Businesses);
            if (existing is null || !businesses.Remove(businessId))
            {
                return false;
            }

            try
            {
                if (businesses.Count == 0)
                {
                    await storage.Users.DeleteEntityAsync(existing, existing.ETag, cancellationToken);
                }
                else
                {
                    existing.Businesses = FormatMemberships(businesses);
                    await storage.Users.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return true;
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 412 && attempt < 3)
            {
                // Changed meanwhile: read again.
            }
        }
    }

    /// <summary>A user's row key: the sign-in name, trimmed and lower-cased.</summary>
    private static string UserKey(string userId) => userId.Trim().ToLowerInvariant();

    /// <summary><c>UserEntity.Businesses</c> is comma-separated business ids (or "*").</summary>
    private static HashSet<string> ParseMemberships(string? businesses) =>
        (businesses ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    private static string FormatMemberships(IEnumerable<string> businesses) => string.Join(',', businesses.Order(StringComparer.Ordinal));

    public async Task SaveBusinessAsync(BusinessEntity business, CancellationToken cancellationToken = default)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await storage.Businesses.UpsertEntityAsync(business, TableUpdateMode.Replace, cancellationToken);
    }
}

/// <summary>What <see cref="BusinessDirectory.AddMemberAsync"/> did.</summary>
public enum MemberChange
{
    Added,
    AddedWithExistingRole,
    AlreadyMember,
}

/// <summary>The seed-file shape: <c>{"business":{"id":…},"locations":[{"id":…}]}</c>.</summary>
public sealed record BusinessSeed(BusinessSeed.BusinessRecord Business, IReadOnlyList<BusinessSeed.LocationRecord> Locations, IReadOnlyList<BusinessSeed.UserRecord>? Users = null)
{
    public sealed record UserRecord(string Id, string Name, string Role = "staff");

    public sealed record BusinessRecord(
        string Id,
        string Name,
        string Language = "fi",
        string TimeZone = "Europe/Helsinki",
        string OwnerName = "",
        string OwnerEmail = "",
        string ContactName = "",
        string ContactEmail = "",
        string ContactPhone = "",
        string MakeGoodFi = "",
        string MakeGoodEn = "",
        string ReplyTemplateFi = "",
        string ReplyTemplateEn = "",
        string QuietHoursStart = "",
        string QuietHoursEnd = "",
        IReadOnlyList<Alerts.AlertRoute>? AlertRoutes = null,
        Mentions.MentionConfig? Mentions = null);

    public sealed record LocationRecord(string Id, string Name, string City = "", string Source = "file", string SourceRef = "");
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(BusinessSeed))]
[JsonSerializable(typeof(IReadOnlyList<Alerts.AlertRoute>))]
public sealed partial class SeedJsonContext : JsonSerializerContext;
