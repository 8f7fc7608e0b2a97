using System.IO.Compression;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace ReviewWatch.Digest;

/// <summary>Where a digest stands in its once-only delivery.</summary>
public static class DigestStatus
{
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>
/// The Digests row (PartitionKey businessId, RowKey ISO week): status of the send claim plus the digest's JSON,
/// HTML and text. A 100-location digest outgrows a table property (64 KiB), so the content is gzipped and
/// split across binary properties (JsonGz0, JsonGz1, …).
/// </summary>
public static class DigestStore
{
    private const int ChunkBytes = 60_000;

    public static TableEntity NewClaim(string businessId, string week, DateTimeOffset now, bool late, string json, string html, string text)
    {
        var row = new TableEntity(businessId, week)
        {
            ["Status"] = DigestStatus.Sending,
            ["ClaimedAt"] = now,
            ["CreatedAt"] = now,
            ["Late"] = late,
            ["Attempts"] = 1,
        };
        Put(row, "Json", json);
        Put(row, "Html", html);
        Put(row, "Text", text);
        return row;
    }

    public static string Status(TableEntity row) => row.GetString("Status") ?? DigestStatus.Sending;

    public static DateTimeOffset ClaimedAt(TableEntity row) => row.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.MinValue;

    public static string Get(TableEntity row, string name)
    {
        using var compressed = new MemoryStream();
        for (var i = 0; row.GetBinary($"{name}Gz{i}") is { } chunk; i++)
        {
            compressed.Write(chunk);
        }

        if (compressed.Length == 0)
        {
            return row.GetString(name) ?? string.Empty; // a row written by the first cut kept plain strings
        }

        compressed.Position = 0;
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Lists the business's rows (status columns only): a year holds 52 small rows.</summary>
    public static async Task<Dictionary<IsoWeek, (string Status, DateTimeOffset ClaimedAt)>> ListAsync(TableClient table, string businessId, CancellationToken ct)
    {
        var result = new Dictionary<IsoWeek, (string, DateTimeOffset)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {businessId}"), select: ["RowKey", "Status", "ClaimedAt"], cancellationToken: ct))
        {
            if (IsoWeek.TryParse(row.RowKey, out var week))
            {
                // A row without Status was stored (and sent) by the first cut.
                result[week] = (row.GetString("Status") ?? DigestStatus.Sent, ClaimedAt(row));
            }
        }

        return result;
    }

    public static async Task MarkAsync(TableClient table, TableEntity row, string status, DateTimeOffset now, string targets, string error, CancellationToken ct)
    {
        var update = new TableEntity(row.PartitionKey, row.RowKey)
        {
            ["Status"] = status,
            ["Targets"] = targets,
            ["LastError"] = error,
        };
        if (status == DigestStatus.Sent)
        {
            update["SentAt"] = now;
        }

        // Merge: keep the content; ETag.All because the claim is ours (a takeover only happens after the lease).
        await table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, ct);
    }

    private static void Put(TableEntity row, string name, string value)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(value));
        }

        var bytes = buffer.ToArray();
        for (int i = 0, offset = 0; offset < bytes.Length; i++, offset += ChunkBytes)
        {
            row[$"{name}Gz{i}"] = bytes.AsSpan(offset, Math.Min(ChunkBytes, bytes.Length - offset)).ToArray();
        }
    }
}
