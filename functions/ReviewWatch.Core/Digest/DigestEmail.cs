using System.Globalization;
using System.Net;
using System.Text;
using ReviewWatch.Alerts;

namespace ReviewWatch.Digest;

/// <summary>
/// The digest as an email: HTML that mail clients render (tables, inline CSS; no scripts, no SVG, no external
/// images) and a plain-text part. Review text is untrusted and always encoded.
/// </summary>
public static class DigestEmail
{
    /// <summary>Locations shown in the email; the rest are on the digest page.</summary>
    public const int EmailLocations = 10;

    private const string Muted = "color:#6b7280;";
    private const string Cell = "padding:6px 8px;border-bottom:1px solid #e5e7eb;";

    public static string Subject(DigestReport r)
    {
        var t = DigestText.For(r.Language);
        var late = r.Late ? $" ({t["late"]})" : string.Empty;
        return $"{t["title"]} {r.Week}{late} – {r.BusinessName}";
    }

    /// <summary>A few lines for chat cards (Teams/Slack) and logs; the link carries the rest.</summary>
    public static string Summary(DigestReport r)
    {
        var t = DigestText.For(r.Language);
        var m = r.Totals;
        return $"{Subject(r)}: {t["new.reviews"]} {m.Items.Reviews}, {t["average"]} {t.Number(m.Rating.Average)} ({t.WithSign(m.Rating.ChangeVsPreviousWeek)}), "
            + $"{t["overdue.cases"]} {m.Cases.Overdue}. {r.Link}";
    }

    public static string Text(DigestReport r)
    {
        var t = DigestText.For(r.Language);
        var zone = TimeZones.Find(r.TimeZone);
        var m = r.Totals;
        var sb = new StringBuilder();
        sb.AppendLine(Subject(r));
        sb.AppendLine(CultureInfo.InvariantCulture, $"{t.Date(r.From, zone)} – {t.Date(r.To.AddTicks(-1), zone)}");
        if (r.Late)
        {
            sb.AppendLine(t["late.note"]);
        }

        sb.AppendLine().AppendLine(t["fixes"].ToUpper(t.Culture));
        if (r.Fixes.Count == 0)
        {
            sb.AppendLine(t["fixes.none"]);
        }

        for (var i = 0; i < r.Fixes.Count; i++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {r.Fixes[i].Text}");
        }

        sb.AppendLine().AppendLine(t["summary"].ToUpper(t.Culture));
        foreach (var (label, value) in KeyNumbers(r, t))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {label}: {value}");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"- {t["distribution"]}: {string.Join("  ", Enumerable.Range(0, 5).Reverse().Select(i => $"{i + 1}★ {m.Rating.Distribution[i]}"))}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- {t["loyalty"]}: {t["promoters"]} {m.Loyalty.Promoters}, {t["passives"]} {m.Loyalty.Passives}, {t["detractors"]} {m.Loyalty.Detractors} → {t.WithSign(m.Loyalty.Score, 1)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  ({t["loyalty.mapping"]})");
        AppendTouchpointsText(sb, t, t["touchpoints.negative"], m.NegativeTouchpoints);
        AppendTouchpointsText(sb, t, t["touchpoints.positive"], m.PositiveTouchpoints);
        if (m.Worst is { } worst)
        {
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{t["worst"]} ({worst.Rating}★): “{worst.Text}”");
        }

        if (m.Best is { } best)
        {
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{t["best"]} ({best.Rating}★): “{best.Text}”");
        }

        sb.AppendLine().AppendLine(t["locations"].ToUpper(t.Culture));
        foreach (var l in LocationsForEmail(r))
        {
            var lm = l.Metrics;
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {l.Name}: {lm.Items.Reviews} {t["reviews"].ToLower(t.Culture)}, {t.Number(lm.Rating.Average)} ({t.WithSign(lm.Rating.ChangeVsPreviousWeek)}), {t["negative"].ToLower(t.Culture)} {lm.Sentiment.Negative}, {t["overdue.cases"].ToLower(t.Culture)} {lm.Cases.Overdue}");
        }

        if (r.Locations.Count > EmailLocations)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {t.Format("more.locations", r.Locations.Count - EmailLocations)}");
        }

        sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{t["open.page"]}: {r.Link}");
        return sb.ToString();
    }

    public static string Html(DigestReport r)
    {
        var t = DigestText.For(r.Language);
        var zone = TimeZones.Find(r.TimeZone);
        var m = r.Totals;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"{E(t.Language)}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{E(Subject(r))}</title></head>");
        sb.Append("<body style=\"margin:0;padding:0;background:#f3f4f6;\">");
        sb.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f3f4f6;\"><tr><td align=\"center\" style=\"padding:16px 8px;\">");
        sb.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:640px;background:#ffffff;border-radius:6px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1f2937;\">");

        // Header
        sb.Append("<tr><td style=\"padding:20px 24px 8px 24px;\">");
        sb.Append(CultureInfo.InvariantCulture, $"<div style=\"font-size:13px;{Muted}\">{E(t["title"])} · {E(r.Week)} · {E(t.Date(r.From, zone))} – {E(t.Date(r.To.AddTicks(-1), zone))}</div>");
        sb.Append(CultureInfo.InvariantCulture, $"<h1 style=\"margin:4px 0 0 0;font-size:22px;\">{E(r.BusinessName)}</h1>");
        if (r.Late)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p style=\"margin:8px 0 0 0;padding:8px 10px;background:#fef3c7;color:#92400e;\">{E(t["late.note"])}</p>");
        }

        sb.Append("</td></tr>");

        // Key numbers as four tiles
        sb.Append("<tr><td style=\"padding:8px 16px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>");
        Tile(sb, t["new.reviews"], m.Items.Total.ToString(CultureInfo.InvariantCulture), string.Empty, "#1f2937");
        Tile(sb, t["average"], t.Number(m.Rating.Average), $"{t.WithSign(m.Rating.ChangeVsPreviousWeek)} {t["vs.previous"]}", ChangeColour(m.Rating.ChangeVsPreviousWeek));
        Tile(sb, t["net.sentiment"].Split(' ')[0], t.WithSign(m.Sentiment.Net, 1), t["sentiment"].ToLower(t.Culture), ChangeColour(m.Sentiment.Net));
        Tile(sb, t["overdue.cases"], m.Cases.Overdue.ToString(CultureInfo.InvariantCulture), $"{t["open.cases"].ToLower(t.Culture)} {m.Cases.Open}", m.Cases.Overdue > 0 ? "#b91c1c" : "#15803d");
        sb.Append("</tr></table></td></tr>");

        // Three things to fix
        Section(sb, t["fixes"]);
        sb.Append("<tr><td style=\"padding:0 24px 8px 24px;\">");
        if (r.Fixes.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p style=\"margin:0;color:#15803d;\">{E(t["fixes.none"])}</p>");
        }
        else
        {
            sb.Append("<ol style=\"margin:0;padding-left:20px;\">");
            foreach (var fix in r.Fixes)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<li style=\"margin:0 0 4px 0;\">{E(fix.Text)}</li>");
            }

            sb.Append("</ol>");
        }

        sb.Append("</td></tr>");

        // Summary table
        Section(sb, t["summary"]);
        sb.Append("<tr><td style=\"padding:0 24px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\">");
        foreach (var (label, value) in KeyNumbers(r, t))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"{Cell}{Muted}\">{E(label)}</td><td style=\"{Cell}text-align:right;font-weight:bold;\">{E(value)}</td></tr>");
        }

        sb.Append("</table></td></tr>");

        // Rating distribution as table bars
        Section(sb, t["distribution"]);
        sb.Append("<tr><td style=\"padding:0 24px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\">");
        var max = Math.Max(1, m.Rating.Distribution.Max());
        for (var star = 5; star >= 1; star--)
        {
            var n = m.Rating.Distribution[star - 1];
            var width = Math.Max(n == 0 ? 0 : 2, (int)Math.Round(n * 100.0 / max));
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"padding:2px 6px 2px 0;width:36px;white-space:nowrap;\">{star}★</td><td style=\"padding:2px 0;\">");
            if (width > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<table role=\"presentation\" width=\"{width}%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td style=\"background:{StarColour(star)};height:14px;font-size:1px;line-height:1px;\">&nbsp;</td></tr></table>");
            }

            sb.Append(CultureInfo.InvariantCulture, $"</td><td style=\"padding:2px 0 2px 8px;width:32px;text-align:right;\">{n}</td></tr>");
        }

        sb.Append("</table>");
        sb.Append(CultureInfo.InvariantCulture, $"<p style=\"margin:8px 0 0 0;font-size:13px;{Muted}\">{E(t["loyalty"])}: {E(t["promoters"])} {m.Loyalty.Promoters} · {E(t["passives"])} {m.Loyalty.Passives} · {E(t["detractors"])} {m.Loyalty.Detractors} → <strong>{E(t.WithSign(m.Loyalty.Score, 1))}</strong>. {E(t["loyalty.mapping"])}</p>");
        sb.Append("</td></tr>");

        TouchpointsHtml(sb, t, t["touchpoints.negative"], m.NegativeTouchpoints, "#b91c1c");
        TouchpointsHtml(sb, t, t["touchpoints.positive"], m.PositiveTouchpoints, "#15803d");

        if (m.Worst is not null || m.Best is not null)
        {
            Section(sb, $"{t["worst"]} / {t["best"]}");
            sb.Append("<tr><td style=\"padding:0 24px;\">");
            QuoteHtml(sb, t, t["worst"], m.Worst, "#dc2626", "#fef2f2");
            QuoteHtml(sb, t, t["best"], m.Best, "#16a34a", "#f0fdf4");
            sb.Append("</td></tr>");
        }

        // Locations
        Section(sb, t["locations"]);
        sb.Append("<tr><td style=\"padding:0 24px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"font-size:14px;\">");
        sb.Append(CultureInfo.InvariantCulture, $"<tr style=\"background:#f9fafb;\"><th align=\"left\" style=\"{Cell}\">{E(t["location"])}</th><th align=\"right\" style=\"{Cell}\">{E(t["reviews"])}</th><th align=\"right\" style=\"{Cell}\">★</th><th align=\"right\" style=\"{Cell}\">{E(t["negative"])}</th><th align=\"right\" style=\"{Cell}\">{E(t["overdue.cases"].Split(' ')[0])}</th></tr>");
        foreach (var l in LocationsForEmail(r))
        {
            var lm = l.Metrics;
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"{Cell}\">{E(l.Name)}</td><td align=\"right\" style=\"{Cell}\">{lm.Items.Total}</td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td align=\"right\" style=\"{Cell}white-space:nowrap;\">{E(t.Number(lm.Rating.Average))} <span style=\"font-size:12px;color:{ChangeColour(lm.Rating.ChangeVsPreviousWeek)};\">{E(t.WithSign(lm.Rating.ChangeVsPreviousWeek))}</span></td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td align=\"right\" style=\"{Cell}\">{lm.Sentiment.Negative}</td><td align=\"right\" style=\"{Cell}{(lm.Cases.Overdue > 0 ? "color:#b91c1c;font-weight:bold;" : string.Empty)}\">{lm.Cases.Overdue}</td></tr>");
        }

        sb.Append("</table>");
        if (r.Locations.Count > EmailLocations)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p style=\"margin:6px 0 0 0;font-size:13px;{Muted}\">{E(t.Format("more.locations", r.Locations.Count - EmailLocations))}</p>");
        }

        sb.Append("</td></tr>");

        // Call to action and footer
        sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"padding:20px 24px;\"><a href=\"{E(r.Link)}\" style=\"display:inline-block;background:#1d4ed8;color:#ffffff;padding:10px 16px;text-decoration:none;border-radius:4px;font-weight:bold;\">{E(t["open.page"])}</a></td></tr>");
        sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"padding:0 24px 20px 24px;font-size:12px;{Muted}\">{E(t["footer"])}</td></tr>");
        sb.Append("</table></td></tr></table></body></html>");
        return sb.ToString();
    }

    /// <summary>The locations the email lists: all when few, else the ones needing most attention.</summary>
    public static IReadOnlyList<LocationDigest> LocationsForEmail(DigestReport r) => r.Locations.Count <= EmailLocations
        ? r.Locations
        : r.Locations
            .OrderByDescending(l => l.Metrics.Cases.Overdue)
            .ThenByDescending(l => l.Metrics.Sentiment.Negative)
            .ThenBy(l => l.Metrics.Rating.Average ?? 6)
            .ThenBy(l => l.Name, StringComparer.Ordinal)
            .Take(EmailLocations)
            .ToList();

    internal static IEnumerable<(string Label, string Value)> KeyNumbers(DigestReport r, DigestText t)
    {
        var m = r.Totals;
        yield return (t["new.reviews"], m.Items.Reviews.ToString(CultureInfo.InvariantCulture));
        yield return (t["new.mentions"], m.Items.Mentions.ToString(CultureInfo.InvariantCulture));
        if (m.Items.BySource.Count > 0)
        {
            yield return (t["by.source"], string.Join(", ", m.Items.BySource.Select(s => $"{t.Source(s.Source)} {s.Count}")));
        }

        yield return (t["average"], $"{t.Number(m.Rating.Average)} ({t.WithSign(m.Rating.ChangeVsPreviousWeek)} {t["vs.previous"]}, {t.WithSign(m.Rating.ChangeVsFourWeeks)} {t["vs.four"]} {t.Number(m.Rating.FourWeekAverage)})");
        yield return (t["sentiment"], $"{t["positive"]} {m.Sentiment.Positive}, {t["neutral"]} {m.Sentiment.Neutral}, {t["negative"]} {m.Sentiment.Negative}, {t["mixed"]} {m.Sentiment.Mixed}");
        yield return (t["net.sentiment"], t.WithSign(m.Sentiment.Net, 1));
        yield return (t["response.rate"], $"{t.Percent(m.Responses.Rate)} ({m.Responses.Replied}/{m.Responses.Reviews})");
        yield return (t["response.median"], m.Responses.MedianHours is { } med ? t.Format("hours", t.Number(med, 1)) : "–");
        yield return (t["response.p90"], m.Responses.P90Hours is { } p90 ? t.Format("hours", t.Number(p90, 1)) : "–");
        yield return (t["within.sla"], $"{t.Percent(m.Cases.SlaShare)} ({m.Cases.WithinSla}/{m.Cases.SlaDecided})");
        yield return (t["open.cases"], m.Cases.Open.ToString(CultureInfo.InvariantCulture));
        yield return (t["overdue.cases"], m.Cases.Overdue.ToString(CultureInfo.InvariantCulture));
        var given = m.Recovery.MakeGoods.Where(g => g.Count > 0 && g.Outcome != "none").ToList();
        yield return (t["make.goods"], given.Count == 0 ? "0" : string.Join(", ", given.Select(g => $"{t.Outcome(g.Outcome)} {g.Count}")));
        yield return (t["ratings.raised"], m.Recovery.RatingsRaised.ToString(CultureInfo.InvariantCulture));
        yield return (t["removed"], m.RemovedByGoogle.ToString(CultureInfo.InvariantCulture));
    }

    private static void AppendTouchpointsText(StringBuilder sb, DigestText t, string title, IReadOnlyList<TouchpointStat> stats)
    {
        if (stats.Count == 0)
        {
            return;
        }

        sb.AppendLine().AppendLine(title.ToUpper(t.Culture));
        foreach (var s in stats)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {t.Touchpoint(s.Name)}: {s.Count}{(s.Quote is { } q ? $" – “{q.Text}”" : string.Empty)}");
        }
    }

    private static void TouchpointsHtml(StringBuilder sb, DigestText t, string title, IReadOnlyList<TouchpointStat> stats, string colour)
    {
        if (stats.Count == 0)
        {
            return;
        }

        Section(sb, title);
        sb.Append("<tr><td style=\"padding:0 24px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\">");
        foreach (var s in stats)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"{Cell}\"><strong style=\"color:{colour};\">{E(t.Touchpoint(s.Name))}</strong> <span style=\"{Muted}\">· {s.Count} {E(t["mentions"])}</span>");
            if (s.Quote is { } q)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<br><span style=\"font-style:italic;{Muted}\">“{E(q.Text)}”</span>");
            }

            sb.Append("</td></tr>");
        }

        sb.Append("</table></td></tr>");
    }

    private static void QuoteHtml(StringBuilder sb, DigestText t, string title, DigestQuote? q, string border, string background)
    {
        if (q is null)
        {
            return;
        }

        sb.Append(CultureInfo.InvariantCulture, $"<div style=\"border-left:4px solid {border};background:{background};margin:0 0 10px 0;padding:8px 12px;\">");
        sb.Append(CultureInfo.InvariantCulture, $"<div style=\"font-size:13px;{Muted}\">{E(title)} · {(q.Rating > 0 ? new string('★', q.Rating) : E(t["rating.only"]))}</div>");
        sb.Append(CultureInfo.InvariantCulture, $"<div>“{E(q.Text)}”</div></div>");
    }

    private static void Section(StringBuilder sb, string title) =>
        sb.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"padding:18px 24px 6px 24px;\"><h2 style=\"margin:0;font-size:17px;color:#111827;\">{E(title)}</h2></td></tr>");

    private static void Tile(StringBuilder sb, string label, string value, string note, string colour) =>
        sb.Append(CultureInfo.InvariantCulture, $"<td width=\"25%\" valign=\"top\" style=\"padding:8px;\"><div style=\"background:#f9fafb;border-radius:6px;padding:10px 8px;text-align:center;\"><div style=\"font-size:12px;{Muted}\">{E(label)}</div><div style=\"font-size:24px;font-weight:bold;color:{colour};\">{E(value)}</div><div style=\"font-size:11px;{Muted}\">{E(note)}</div></div></td>");

    internal static string ChangeColour(double? change) => change switch
    {
        > 0 => "#15803d",
        < 0 => "#b91c1c",
        _ => "#6b7280",
    };

    internal static string StarColour(int star) => star switch
    {
        5 => "#16a34a",
        4 => "#84cc16",
        3 => "#eab308",
        2 => "#f97316",
        _ => "#dc2626",
    };

    internal static string E(string s) => WebUtility.HtmlEncode(s);
}
