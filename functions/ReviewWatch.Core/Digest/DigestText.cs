using System.Globalization;

namespace ReviewWatch.Digest;

/// <summary>
/// Every word the digest shows, in Finnish and English, and number/date formatting per language
/// (Finnish: decimal comma, d.M.yyyy). A business with any other language gets English.
/// </summary>
public sealed class DigestText
{
    private static readonly Dictionary<string, (string Fi, string En)> Words = new(StringComparer.Ordinal)
    {
        ["title"] = ("Viikkokooste", "Weekly digest"),
        ["late"] = ("myöhässä", "late"),
        ["late.note"] = ("Tämä kooste lähti myöhässä, koska palvelu oli poissa käytöstä sen ajastettuna aikana.", "This digest is late: the service was down when it was due."),
        ["week"] = ("Viikko", "Week"),
        ["summary"] = ("Yhteenveto", "Summary"),
        ["new.reviews"] = ("Uudet arviot", "New reviews"),
        ["new.mentions"] = ("Uudet maininnat", "New mentions"),
        ["by.source"] = ("Lähteittäin", "By source"),
        ["average"] = ("Keskiarvo", "Average rating"),
        ["vs.previous"] = ("edelliseen viikkoon", "vs previous week"),
        ["vs.four"] = ("4 viikon keskiarvoon", "vs 4-week average"),
        ["four.average"] = ("4 viikon keskiarvo", "4-week average"),
        ["previous.week"] = ("Edellinen viikko", "Previous week"),
        ["distribution"] = ("Tähtijakauma", "Rating distribution"),
        ["sentiment"] = ("Sävy", "Sentiment"),
        ["positive"] = ("Myönteinen", "Positive"),
        ["neutral"] = ("Neutraali", "Neutral"),
        ["negative"] = ("Kielteinen", "Negative"),
        ["mixed"] = ("Ristiriitainen", "Mixed"),
        ["net.sentiment"] = ("Nettosävy (myönteiset − kielteiset)", "Net sentiment (positive − negative)"),
        ["loyalty"] = ("Suosittelu (NPS-tyyppinen)", "Promoters and detractors"),
        ["promoters"] = ("Suosittelijat", "Promoters"),
        ["passives"] = ("Passiiviset", "Passives"),
        ["detractors"] = ("Arvostelijat", "Detractors"),
        ["loyalty.score"] = ("NPS-tyyppinen luku", "NPS-style score"),
        ["loyalty.mapping"] = ("Tähdistä: 5★ suosittelija, 4★ passiivinen, 1–3★ arvostelija. Luku = suosittelijoiden osuus − arvostelijoiden osuus.", "From stars: 5★ promoter, 4★ passive, 1–3★ detractor. Score = promoter share − detractor share."),
        ["touchpoints.negative"] = ("Mikä toi kielteisiä arvioita", "What drove negative reviews"),
        ["touchpoints.positive"] = ("Mistä kiitettiin", "What drove positive reviews"),
        ["touchpoints"] = ("Kohteet", "Touchpoints"),
        ["mentions"] = ("mainintaa", "mentions"),
        ["responses"] = ("Vastaaminen", "Responses"),
        ["response.rate"] = ("Vastausprosentti", "Response rate"),
        ["response.median"] = ("Vastausaika, mediaani", "Time to first reply, median"),
        ["response.p90"] = ("Vastausaika, 90 %", "Time to first reply, p90"),
        ["within.sla"] = ("Vastattu määräajassa", "Replied within SLA"),
        ["open.cases"] = ("Avoimet tapaukset", "Open cases"),
        ["overdue.cases"] = ("Myöhässä olevat tapaukset", "Overdue cases"),
        ["recovery"] = ("Hyvitykset ja korjaukset", "Recovery"),
        ["make.goods"] = ("Hyvitykset", "Make-goods given"),
        ["ratings.raised"] = ("Nostetut arviot", "Ratings raised"),
        ["removed"] = ("Googlen poistamat arviot", "Reviews removed by Google"),
        ["worst"] = ("Viikon heikoin", "Worst of the week"),
        ["best"] = ("Viikon paras", "Best of the week"),
        ["fixes"] = ("Kolme asiaa korjattavaksi tällä viikolla", "Three things to fix this week"),
        ["fixes.none"] = ("Ei kiireellistä korjattavaa – hyvää työtä!", "Nothing urgent to fix – well done!"),
        ["locations"] = ("Toimipisteet", "Locations"),
        ["location"] = ("Toimipiste", "Location"),
        ["reviews"] = ("Arviot", "Reviews"),
        ["more.locations"] = ("ja {0} muuta toimipistettä koosteen sivulla", "and {0} more locations on the digest page"),
        ["open.page"] = ("Avaa kooste kaavioineen", "Open the digest with charts"),
        ["trend"] = ("Keskiarvo 12 viikon ajalta", "Average rating over 12 weeks"),
        ["no.reviews"] = ("Ei uusia arvioita tällä viikolla.", "No new reviews this week."),
        ["hours"] = ("{0} h", "{0} h"),
        ["previous"] = ("← Edellinen viikko", "← Previous week"),
        ["next"] = ("Seuraava viikko →", "Next week →"),
        ["rating.only"] = ("(pelkkä tähtiarvio)", "(rating only)"),
        ["fix.overdue"] = ("Vastaa {0} myöhässä olevaan tapaukseen.", "Answer the {0} overdue cases."),
        ["fix.touchpoint"] = ("Korjaa: {0} – {1} kielteistä mainintaa.", "Fix {0}: {1} negative mentions."),
        ["fix.rating"] = ("Keskiarvo laski: {0} (aiemmin {1}). Katso heikoimmat arviot.", "Average rating fell to {0} (from {1}). Read the worst reviews."),
        ["fix.responses"] = ("Vastaa nopeammin: {0} % vastattu, mediaani {1} h.", "Reply faster: {0}% answered, median {1} h."),
        ["outcome.none"] = ("ei hyvitystä", "none"),
        ["outcome.apology"] = ("anteeksipyyntö", "apology"),
        ["outcome.discount"] = ("alennus", "discount"),
        ["outcome.refund"] = ("hyvitys rahana", "refund"),
        ["outcome.redo"] = ("uusi suoritus", "redo"),
        ["outcome.other"] = ("muu", "other"),
        ["tp.staff"] = ("henkilökunta", "staff"),
        ["tp.service_quality"] = ("palvelu", "service"),
        ["tp.product_quality"] = ("tuotteiden laatu", "product quality"),
        ["tp.price"] = ("hinta", "price"),
        ["tp.delivery"] = ("toimitus", "delivery"),
        ["tp.cleanliness"] = ("siisteys", "cleanliness"),
        ["tp.wait_time"] = ("odotusaika", "wait time"),
        ["tp.website"] = ("verkkosivut", "website"),
        ["tp.billing"] = ("laskutus", "billing"),
        ["tp.contact"] = ("tavoitettavuus", "reaching us"),
        ["tp.responsiveness"] = ("vastausnopeus", "responsiveness"),
        ["tp.findability"] = ("löydettävyys", "findability"),
        ["tp.after_sales"] = ("jälkihoito", "after-sales"),
        ["source.google"] = ("Google", "Google"),
        ["source.file"] = ("tiedosto", "file"),
        ["footer"] = ("ReviewWatch lähettää tämän koosteen maanantaisin klo 8.", "ReviewWatch sends this digest on Mondays at 08:00."),
    };

    private static readonly DigestText Finnish = new("fi");
    private static readonly DigestText English = new("en");

    private DigestText(string language)
    {
        Language = language;
        Culture = CultureInfo.GetCultureInfo(language == "fi" ? "fi-FI" : "en-GB");
    }

    public string Language { get; }

    public CultureInfo Culture { get; }

    public bool IsFinnish => Language == "fi";

    public static DigestText For(string? language) => language == "fi" ? Finnish : English;

    public static IEnumerable<string> Keys => Words.Keys;

    public string this[string key] => Words.TryGetValue(key, out var w) ? (IsFinnish ? w.Fi : w.En) : key;

    public string Format(string key, params object?[] args) => string.Format(Culture, this[key], args);

    public string Touchpoint(string name) => Words.ContainsKey("tp." + name) ? this["tp." + name] : name.Replace('_', ' ');

    public string Outcome(string name) => this["outcome." + name];

    public string Source(string name) => Words.ContainsKey("source." + name) ? this["source." + name] : name;

    /// <summary>Decimal comma in Finnish; ASCII minus either way so it survives every mail client.</summary>
    public string Number(double? value, int decimals = 2)
    {
        if (value is not { } v)
        {
            return "–";
        }

        var text = v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return IsFinnish ? text.Replace('.', ',') : text;
    }

    public string WithSign(double? value, int decimals = 2) => value is { } v && v > 0 ? "+" + Number(v, decimals) : Number(value, decimals);

    public string Percent(double? value) => value is null ? "–" : Number(value, 1) + (IsFinnish ? " %" : "%");

    public string Date(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return IsFinnish
            ? local.ToString("d.M.yyyy", CultureInfo.InvariantCulture)
            : local.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
    }
}
