using System.Globalization;
using System.Text;
using System.Text.Json;
using ReviewWatch.Storage;

namespace ReviewWatch.Recovery;

/// <summary>
/// Drafts a recovery reply in the reviewer's language (Finnish or English; others get English) following the
/// service-recovery pattern: thank, apologise, own it, offer the make-good, move the talk to a named person.
/// A draft is only ever a suggestion: a person edits and approves it before anything is posted.
/// </summary>
public static class ReplyDrafter
{
    private static readonly Dictionary<string, (string Fi, string En)> TouchpointWords = new()
    {
        ["staff"] = ("henkilökuntamme käytös", "how our staff treated you"),
        ["service_quality"] = ("palvelumme", "our service"),
        ["product_quality"] = ("tuotteidemme laatu", "the quality of what we served"),
        ["price"] = ("hinnoittelumme", "our pricing"),
        ["delivery"] = ("toimitus", "the delivery"),
        ["cleanliness"] = ("siisteys", "cleanliness"),
        ["wait_time"] = ("odotusaika", "the wait"),
        ["website"] = ("verkkosivumme", "our website"),
        ["billing"] = ("laskutus", "billing"),
        ["contact"] = ("tavoitettavuutemme", "reaching us"),
        ["responsiveness"] = ("vastausaikamme", "how quickly we responded"),
        ["findability"] = ("meidän löytämisemme", "finding us"),
        ["after_sales"] = ("jälkihoito", "our after-sales care"),
    };

    public static string Draft(BusinessEntity business, string reviewerName, string language, string touchpointsJson)
    {
        var finnish = language == "fi";
        var touchpoints = ParseTouchpoints(touchpointsJson)
            .Where(TouchpointWords.ContainsKey)
            .Select(t => finnish ? TouchpointWords[t].Fi : TouchpointWords[t].En)
            .Take(2)
            .ToList();
        var name = FirstName(reviewerName);
        var contact = string.Join(finnish ? ", " : ", ", new[] { business.ContactEmail, business.ContactPhone }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var contactName = string.IsNullOrWhiteSpace(business.ContactName) ? business.OwnerName : business.ContactName;
        var template = finnish ? business.ReplyTemplateFi : business.ReplyTemplateEn;
        if (!string.IsNullOrWhiteSpace(template))
        {
            // The business's own template: placeholders filled, the rest kept exactly as the owner wrote it.
            return template
                .Replace("{name}", name, StringComparison.Ordinal)
                .Replace("{touchpoints}", finnish ? JoinFi(touchpoints) : JoinEn(touchpoints), StringComparison.Ordinal)
                .Replace("{makegood}", finnish ? business.MakeGoodFi : business.MakeGoodEn, StringComparison.Ordinal)
                .Replace("{contactName}", contactName, StringComparison.Ordinal)
                .Replace("{contact}", contact, StringComparison.Ordinal)
                .Replace("{business}", business.Name, StringComparison.Ordinal)
                .Trim();
        }

        var sb = new StringBuilder();
        if (finnish)
        {
            sb.Append(name.Length > 0 ? $"Hei {name}, kiitos" : "Kiitos").Append(" että kerroit kokemuksestasi. ");
            sb.Append("Olemme todella pahoillamme");
            sb.Append(touchpoints.Count > 0 ? $" – {JoinFi(touchpoints)} ei ollut sitä, mitä meiltä kuuluu odottaa. " : ", ettei käyntisi vastannut odotuksiasi. ");
            sb.Append("Tämä on meidän vastuullamme, ja käymme asian läpi tiimimme kanssa. ");
            if (!string.IsNullOrWhiteSpace(business.MakeGoodFi))
            {
                sb.Append(CultureInfo.InvariantCulture, $"Haluaisimme hyvittää tämän: {business.MakeGoodFi}. ");
            }

            sb.Append(CultureInfo.InvariantCulture, $"Otathan yhteyttä suoraan {contactName}{(contact.Length > 0 ? $" ({contact})" : string.Empty)}, niin hoidetaan asia kuntoon. ");
            sb.Append(CultureInfo.InvariantCulture, $"Terveisin {business.Name}");
        }
        else
        {
            sb.Append(name.Length > 0 ? $"Hi {name}, thank you" : "Thank you").Append(" for telling us about your visit. ");
            sb.Append("We are truly sorry");
            sb.Append(touchpoints.Count > 0 ? $" – {JoinEn(touchpoints)} fell short of what you should expect from us. " : " that we let you down. ");
            sb.Append("That is on us, and we are going through it with the team. ");
            if (!string.IsNullOrWhiteSpace(business.MakeGoodEn))
            {
                sb.Append(CultureInfo.InvariantCulture, $"We would like to make it right: {business.MakeGoodEn}. ");
            }

            sb.Append(CultureInfo.InvariantCulture, $"Please contact {contactName} directly{(contact.Length > 0 ? $" ({contact})" : string.Empty)} so we can sort this out. ");
            sb.Append(CultureInfo.InvariantCulture, $"Best regards, {business.Name}");
        }

        return sb.ToString();
    }

    private static string FirstName(string reviewerName)
    {
        var trimmed = reviewerName.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 ? trimmed[..space] : trimmed;
    }

    private static string JoinFi(List<string> parts) => parts.Count switch
    {
        0 => string.Empty,
        1 => parts[0],
        _ => $"{parts[0]} ja {parts[1]}",
    };

    private static string JoinEn(List<string> parts) => parts.Count switch
    {
        0 => string.Empty,
        1 => parts[0],
        _ => $"{parts[0]} and {parts[1]}",
    };

    public static IReadOnlyList<string> ParseTouchpoints(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
            return doc.RootElement.EnumerateArray()
                .Select(e => e.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty)
                .Where(n => n.Length > 0)
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
