using System.Text.Json;
using ReviewWatch.Storage;

namespace ReviewWatch.Reviews;

/// <summary>Where a location's reviews come from (a file today; the Google client in its own issue).</summary>
public interface IReviewSource
{
    /// <summary>Whether this source serves the location (by <see cref="LocationEntity.Source"/>).</summary>
    bool Handles(LocationEntity location);

    /// <summary>Lists the location's reviews, newest update first.</summary>
    Task<IReadOnlyList<GbpReview>> ListReviewsAsync(LocationEntity location, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads reviews in the GBP v4 shape from a JSON file: either a reviews.list response
/// (<c>{"reviews":[...]}</c>) or a bare array of Review objects. Used for sample data and backfills.
/// </summary>
public sealed class FileReviewSource(string? baseDirectory = null) : IReviewSource
{
    public bool Handles(LocationEntity location) => location.Source == "file";

    public async Task<IReadOnlyList<GbpReview>> ListReviewsAsync(LocationEntity location, CancellationToken cancellationToken = default)
    {
        var path = Path.IsPathRooted(location.SourceRef) || baseDirectory is null
            ? location.SourceRef
            : Path.Combine(baseDirectory, location.SourceRef);
        return await ReadFileAsync(path, cancellationToken);
    }

    public static async Task<IReadOnlyList<GbpReview>> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }, cancellationToken);
        IReadOnlyList<GbpReview>? reviews = document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.Deserialize(GbpJsonContext.Default.IReadOnlyListGbpReview)
            : document.RootElement.Deserialize(GbpJsonContext.Default.GbpListReviewsResponse)?.Reviews;
        var list = (reviews ?? []).Where(r => !string.IsNullOrEmpty(r.Name)).ToList();
        list.Sort((a, b) => Nullable.Compare(b.UpdateTime, a.UpdateTime));
        return list;
    }
}
