using System.Globalization;
using ReviewWatch.Google.Fake;
using ReviewWatch.Reviews;

namespace ReviewWatch.DevHost.Bench;

/// <summary>One location of the generated workload: its storage key and its name at the fake Google.</summary>
public sealed record BenchLocation(string BusinessId, string LocationId, string SourceRef);

/// <summary>One generated review, whether a person would call it negative, and the wave it arrives in.</summary>
public sealed record BenchReview(BenchLocation Location, GbpReview Review, bool Negative, int Wave);

/// <summary>
/// The reviews the benches feed through the fake Google: Finnish and English, a fixed share negative (1–2★ with a
/// complaint) and the rest positive (4–5★ with praise), spread over locations, ten locations to a business.
/// Deterministic for a seed. Update times grow with the wave, as new reviews at Google do.
/// </summary>
public sealed class Workload
{
#pragma warning disable CA5394 // Test data, not security.
    private static readonly string[] NegativeFi =
    [
        "Kahvi oli kylmää ja myyjä töykeä, en tule uudestaan.",
        "Pitkä jono ja tilaus meni väärin, todella huono palvelu.",
        "Pulla oli kuivaa ja hinta kallis, pettymys.",
        "Odotimme puoli tuntia eikä kukaan pahoitellut, huonoa palvelua.",
    ];

    private static readonly string[] NegativeEn =
    [
        "Cold coffee and a rude cashier, never coming back.",
        "The order was wrong and the staff were unfriendly, very disappointing.",
        "Stale pastries and overpriced, a terrible experience.",
        "We waited forty minutes and nobody apologised, awful service.",
    ];

    private static readonly string[] PositiveFi =
    [
        "Ihana kahvila, ystävällinen henkilökunta ja herkullinen pulla!",
        "Todella hyvä kahvi ja mukava tunnelma, suosittelen.",
        "Nopea palvelu ja tuoreet leivonnaiset, kiitos!",
    ];

    private static readonly string[] PositiveEn =
    [
        "Lovely bakery, friendly staff and delicious cinnamon buns!",
        "Great coffee and a cosy atmosphere, highly recommended.",
        "Quick service and fresh pastries, thank you!",
    ];

    public Workload(int reviews, int locations, int waves = 1, double negativeShare = 0.2, int seed = 1)
    {
        var random = new Random(seed);
        Locations = [.. Enumerable.Range(0, Math.Max(1, locations)).Select(i =>
            new BenchLocation($"bench-b{i / 10:D3}", $"bench-l{i:D4}", $"accounts/7/locations/{100000 + i}"))];
        Waves = Math.Max(1, waves);
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var negatives = (int)Math.Round(reviews * negativeShare);
        // Which indexes are negative: an exact share, shuffled.
        var flags = Enumerable.Range(0, reviews).Select(i => i < negatives).OrderBy(_ => random.Next()).ToArray();
        var list = new List<BenchReview>(reviews);
        for (var i = 0; i < reviews; i++)
        {
            var location = Locations[i % Locations.Count];
            var wave = (int)((long)i * Waves / Math.Max(1, reviews));
            var finnish = random.Next(2) == 0;
            var negative = flags[i];
            var pool = (negative, finnish) switch
            {
                (true, true) => NegativeFi,
                (true, false) => NegativeEn,
                (false, true) => PositiveFi,
                _ => PositiveEn,
            };
            var stars = negative ? 1 + random.Next(2) : 4 + random.Next(2);
            // A visit number keeps texts distinct (so the Language API is really called) without changing their tone.
            var text = $"{pool[random.Next(pool.Length)]} #{i}";
            var updated = start.AddHours(wave).AddMilliseconds(i);
            var id = "bench-r" + i.ToString("D7", CultureInfo.InvariantCulture);
            var review = FakeGoogleApi.NewReview(location.SourceRef, id, stars, text, updated, finnish ? "Matti Meikäläinen" : "Jane Doe");
            list.Add(new BenchReview(location, review, negative, wave));
        }

        Reviews = list;
    }
#pragma warning restore CA5394

    public IReadOnlyList<BenchLocation> Locations { get; }
    public IReadOnlyList<BenchReview> Reviews { get; }
    public int Waves { get; }
    public int Negatives => Reviews.Count(r => r.Negative);
    public IEnumerable<string> Businesses => Locations.Select(l => l.BusinessId).Distinct(StringComparer.Ordinal);
}
