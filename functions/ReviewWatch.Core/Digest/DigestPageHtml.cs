using System.Globalization;
using System.Text;
using ReviewWatch.Alerts;
using static ReviewWatch.Digest.DigestEmail;

namespace ReviewWatch.Digest;

/// <summary>
/// The digest page of the staff UI: server-rendered HTML with inline SVG charts (12-week rating trend, sentiment
/// split, touchpoints), a single column on a phone. No JavaScript.
/// </summary>
public static class DigestPageHtml
{
    private const string Css =
        "body{font-family:system-ui,Arial,sans-serif;margin:0;background:#f3f4f6;color:#1f2937;line-height:1.45}"
        + "main{max-width:960px;margin:0 auto;padding:12px}section{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0}"
        + "h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:0 0 8px 0}.muted{color:#6b7280;font-size:14px}"
        + ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px}.tile{background:#f9fafb;border-radius:6px;padding:10px;text-align:center}"
        + ".tile b{display:block;font-size:24px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px}"
        + "table{border-collapse:collapse;width:100%}th,td{padding:6px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}td.n,th.n{text-align:right}"
        + "blockquote{margin:8px 0;padding:8px 12px;border-left:4px solid #dc2626;background:#fef2f2}blockquote.best{border-color:#16a34a;background:#f0fdf4}"
        + ".late{background:#fef3c7;color:#92400e;padding:8px 10px;border-radius:4px}svg{width:100%;height:auto;display:block}nav a{margin-right:12px}"
        + ".table-wrap{overflow-x:auto}";

    public static string Render(DigestReport r)
    {
        var t = DigestText.For(r.Language);
        var zone = TimeZones.Find(r.TimeZone);
        var m = r.Totals;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"{E(t.Language)}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{E(Subject(r))}</title><style>{Css}</style></head><body><main>");
        var week = IsoWeek.TryParse(r.Week, out var w) ? w : default;
        var basePath = $"/ui/digest/{Uri.EscapeDataString(r.BusinessId)}?week=";
        sb.Append(CultureInfo.InvariantCulture, $"<nav class=\"muted\"><a href=\"/ui/\">ReviewWatch</a><a href=\"{E(basePath + week.AddWeeks(-1))}\">{E(t["previous"])}</a><a href=\"{E(basePath + week.AddWeeks(1))}\">{E(t["next"])}</a></nav>");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(t["title"])} · {E(r.Week)} · {E(t.Date(r.From, zone))} – {E(t.Date(r.To.AddTicks(-1), zone))}</p><h1>{E(r.BusinessName)}</h1>");
        if (r.Late)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"late\">{E(t["late.note"])}</p>");
        }

        sb.Append("<section><div class=\"tiles\">");
        PageTile(sb, t["new.reviews"], m.Items.Total.ToString(CultureInfo.InvariantCulture), string.Empty);
        PageTile(sb, t["average"], t.Number(m.Rating.Average), $"{t.WithSign(m.Rating.ChangeVsPreviousWeek)} {t["vs.previous"]}");
        PageTile(sb, t["net.sentiment"], t.WithSign(m.Sentiment.Net, 1), string.Empty);
        PageTile(sb, t["loyalty.score"], t.WithSign(m.Loyalty.Score, 1), $"{t["promoters"]} {m.Loyalty.Promoters} · {t["detractors"]} {m.Loyalty.Detractors}");
        PageTile(sb, t["response.rate"], t.Percent(m.Responses.Rate), m.Responses.MedianHours is { } h ? $"{t["response.median"]} {t.Format("hours", t.Number(h, 1))}" : string.Empty);
        PageTile(sb, t["overdue.cases"], m.Cases.Overdue.ToString(CultureInfo.InvariantCulture), $"{t["open.cases"]} {m.Cases.Open}");
        sb.Append("</div></section>");

        sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["fixes"])}</h2>");
        if (r.Fixes.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p>{E(t["fixes.none"])}</p>");
        }
        else
        {
            sb.Append("<ol>");
            foreach (var fix in r.Fixes)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<li>{E(fix.Text)}</li>");
            }

            sb.Append("</ol>");
        }

        sb.Append("</section><div class=\"grid\">");
        sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["trend"])}</h2>{TrendSvg(m.Trend, t)}</section>");
        sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["sentiment"])}</h2>{SentimentSvg(m.Sentiment, t)}</section>");
        sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["touchpoints"])}</h2>{TouchpointSvg(m.NegativeTouchpoints, m.PositiveTouchpoints, t)}</section>");
        sb.Append("</div>");

        sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["summary"])}</h2><table>");
        foreach (var (label, value) in KeyNumbers(r, t))
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(label)}</td><td class=\"n\"><b>{E(value)}</b></td></tr>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(t["distribution"])}</td><td class=\"n\">{string.Join(" · ", Enumerable.Range(1, 5).Reverse().Select(s => $"{s}★ {m.Rating.Distribution[s - 1]}"))}</td></tr>");
        sb.Append(CultureInfo.InvariantCulture, $"</table><p class=\"muted\">{E(t["loyalty.mapping"])}</p></section>");

        sb.Append("<section>");
        foreach (var (title, stats) in new[] { (t["touchpoints.negative"], m.NegativeTouchpoints), (t["touchpoints.positive"], m.PositiveTouchpoints) })
        {
            sb.Append(CultureInfo.InvariantCulture, $"<h2>{E(title)}</h2>");
            if (stats.Count == 0)
            {
                sb.Append("<p class=\"muted\">–</p>");
            }

            foreach (var s in stats)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<p><b>{E(t.Touchpoint(s.Name))}</b> <span class=\"muted\">· {s.Count} {E(t["mentions"])}</span>");
                if (s.Quote is { } q)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<br><i class=\"muted\">“{E(q.Text)}”</i>");
                }

                sb.Append("</p>");
            }
        }

        sb.Append("</section>");
        if (m.Worst is { } worst)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["worst"])} · {new string('★', worst.Rating)}</h2><blockquote>“{E(worst.Text)}”</blockquote></section>");
        }

        if (m.Best is { } best)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["best"])} · {new string('★', best.Rating)}</h2><blockquote class=\"best\">“{E(best.Text)}”</blockquote></section>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<section><h2>{E(t["locations"])}</h2><div class=\"table-wrap\"><table><tr><th>{E(t["location"])}</th><th class=\"n\">{E(t["reviews"])}</th><th class=\"n\">★</th><th class=\"n\">{E(t["negative"])}</th><th class=\"n\">{E(t["response.rate"])}</th><th class=\"n\">{E(t["open.cases"])}</th><th class=\"n\">{E(t["overdue.cases"])}</th></tr>");
        foreach (var l in r.Locations)
        {
            var lm = l.Metrics;
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(l.Name)}</td><td class=\"n\">{lm.Items.Total}</td><td class=\"n\">{E(t.Number(lm.Rating.Average))} <span style=\"color:{ChangeColour(lm.Rating.ChangeVsPreviousWeek)}\">{E(t.WithSign(lm.Rating.ChangeVsPreviousWeek))}</span></td>");
            sb.Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{lm.Sentiment.Negative}</td><td class=\"n\">{E(t.Percent(lm.Responses.Rate))}</td><td class=\"n\">{lm.Cases.Open}</td><td class=\"n\">{lm.Cases.Overdue}</td></tr>");
        }

        sb.Append("</table></div></section></main></body></html>");
        return sb.ToString();
    }

    /// <summary>The weekly average as a line over 1–5 stars, with the review count under each week.</summary>
    internal static string TrendSvg(IReadOnlyList<TrendPoint> trend, DigestText t)
    {
        const int width = 360, height = 190, left = 28, right = 8, top = 10, bottom = 40;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var step = trend.Count > 1 ? plotW / (double)(trend.Count - 1) : 0;
        double X(int i) => left + (i * step);
        double Y(double v) => top + ((5 - v) / 4 * plotH);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(t["trend"])}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Arial,sans-serif\" font-size=\"10\">");
        for (var star = 1; star <= 5; star++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(Y(star))}\" y2=\"{F(Y(star))}\" stroke=\"#e5e7eb\"/><text x=\"{left - 6}\" y=\"{F(Y(star) + 3)}\" text-anchor=\"end\" fill=\"#6b7280\">{star}</text>");
        }

        var points = trend.Select((p, i) => (p, i)).Where(x => x.p.Average is not null).ToList();
        if (points.Count > 1)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#1d4ed8\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(x => $"{F(X(x.i))},{F(Y(x.p.Average!.Value))}"))}\"/>");
        }

        foreach (var (p, i) in points)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(i))}\" cy=\"{F(Y(p.Average!.Value))}\" r=\"3\" fill=\"#1d4ed8\"><title>{E(p.Week)}: {E(t.Number(p.Average))} ({p.Reviews})</title></circle>");
        }

        for (var i = 0; i < trend.Count; i++)
        {
            var label = trend[i].Week.Length >= 8 ? trend[i].Week[5..] : trend[i].Week;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{height - 24}\" text-anchor=\"middle\" fill=\"#6b7280\" font-size=\"8\">{E(label)}</text><text x=\"{F(X(i))}\" y=\"{height - 12}\" text-anchor=\"middle\" fill=\"#9ca3af\" font-size=\"8\">{trend[i].Reviews}</text>");
        }

        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>One stacked bar (positive, neutral, mixed, negative) with a legend.</summary>
    internal static string SentimentSvg(SentimentStats s, DigestText t)
    {
        const int width = 360, height = 110;
        var parts = new[] { (t["positive"], s.Positive, "#16a34a"), (t["neutral"], s.Neutral, "#9ca3af"), (t["mixed"], s.Mixed, "#eab308"), (t["negative"], s.Negative, "#dc2626") };
        var total = Math.Max(1, s.Total);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(t["sentiment"])}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Arial,sans-serif\" font-size=\"11\">");
        double x = 0;
        foreach (var (label, count, colour) in parts)
        {
            var w = count * (double)width / total;
            if (w > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x)}\" y=\"8\" width=\"{F(w)}\" height=\"28\" fill=\"{colour}\"><title>{E(label)}: {count}</title></rect>");
            }

            x += w;
        }

        if (s.Total == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"8\" width=\"{width}\" height=\"28\" fill=\"#f3f4f6\"/>");
        }

        for (var i = 0; i < parts.Length; i++)
        {
            var (label, count, colour) = parts[i];
            var lx = (i % 2) * 180;
            var ly = 56 + ((i / 2) * 22);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{lx + 14}\" y=\"{ly}\" fill=\"#1f2937\">{E(label)} {count}</text>");
        }

        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Horizontal bars: touchpoints behind negatives (red) and positives (green).</summary>
    internal static string TouchpointSvg(IReadOnlyList<TouchpointStat> negatives, IReadOnlyList<TouchpointStat> positives, DigestText t)
    {
        var rows = negatives.Select(s => (s, "#dc2626")).Concat(positives.Select(s => (s, "#16a34a"))).ToList();
        const int width = 360, row = 22, labelW = 130;
        var height = Math.Max(1, rows.Count) * row + 8;
        var max = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.s.Count));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(t["touchpoints"])}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Arial,sans-serif\" font-size=\"11\">");
        if (rows.Count == 0)
        {
            sb.Append("<text x=\"0\" y=\"16\" fill=\"#6b7280\">–</text>");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var (s, colour) = rows[i];
            var y = 4 + (i * row);
            var w = s.Count * (width - labelW - 30) / (double)max;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW - 6}\" y=\"{y + 13}\" text-anchor=\"end\" fill=\"#1f2937\">{E(t.Touchpoint(s.Name))}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelW}\" y=\"{y + 3}\" width=\"{F(w)}\" height=\"14\" fill=\"{colour}\"><title>{E(t[s.Label])}: {s.Count}</title></rect>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(labelW + w + 4)}\" y=\"{y + 14}\" fill=\"#374151\">{s.Count}</text>");
        }

        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void PageTile(StringBuilder sb, string label, string value, string note) =>
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"tile\"><span class=\"muted\">{E(label)}</span><b>{E(value)}</b><span class=\"muted\">{E(note)}</span></div>");

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
