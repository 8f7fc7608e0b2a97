using ReviewWatch.Alerts;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Tests.Alerts;

/// <summary>Builders with defaults for alert tests: a Finnish café and one flagged review's case.</summary>
public static class AlertTestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 15, 0, TimeSpan.Zero);

    public static BusinessEntity Business(string language = "fi") => new()
    {
        PartitionKey = BusinessEntity.Partition,
        RowKey = "kahvila",
        Name = "Kahvila Testi",
        Language = language,
        TimeZone = "Europe/Helsinki",
        OwnerName = "Olli Omistaja",
        OwnerEmail = "olli@kahvila.example",
        ContactName = "Olli",
        ContactEmail = "palaute@kahvila.example",
        MakeGoodFi = "seuraava kahvi on meiltä",
        MakeGoodEn = "your next coffee is on us",
    };

    public static RecoveryCase Case(string text = "Kahvi oli kylmää ja myyjä töykeä.", string language = "fi", string severity = "high", int rating = 1) => new()
    {
        PartitionKey = "kahvila",
        RowKey = "c-0123456789abcdef",
        LocationId = "kahvila-keskusta",
        ItemKey = "r-1",
        ItemText = text,
        ReviewerName = "Maija Meikäläinen",
        Rating = rating,
        Language = language,
        Touchpoints = """[{"name":"staff","label":"negative"},{"name":"product_quality","label":"negative"}]""",
        Severity = severity,
        CreatedAt = Now,
        ItemCreatedAt = Now.AddMinutes(-5),
        DueAt = Now.AddHours(4),
        DraftReply = "Hei Maija, kiitos palautteesta.",
    };

    public static Alert Alert(string language = "fi", string? text = null, AlertKind kind = AlertKind.NewItem)
    {
        var business = Business(language);
        var c = text is null ? Case(language: language) : Case(text, language);
        var location = new LocationEntity { PartitionKey = "kahvila", RowKey = "kahvila-keskusta", Name = "Kahvila Keskusta", City = "Helsinki" };
        return new Alert(business, location, c, "http://localhost:7071/ui/cases/c-0123456789abcdef", ["staff", "product_quality"], kind);
    }
}
