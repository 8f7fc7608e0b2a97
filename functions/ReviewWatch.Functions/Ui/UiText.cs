namespace ReviewWatch.Functions.Ui;

/// <summary>Staff UI words in Finnish and English, chosen by the staff member's business language.</summary>
public sealed record UiText(string Lang)
{
    public bool Fi => Lang == "fi";

    public string this[string en, string fi] => Fi ? fi : en;

    /// <summary>The confirmation shown after an action (Post/Redirect/Get carries only its key).</summary>
    public string? Flash(string? key) => key switch
    {
        "claimed" => this["Claimed: the case is yours.", "Tapaus on nyt sinun hoidossasi."],
        "draft-saved" => this["Draft saved.", "Luonnos tallennettu."],
        "reply-posted" => this["Reply posted.", "Vastaus julkaistu."],
        "reply-recorded" => this["Reply recorded here. It was not posted anywhere: post it on the platform yourself.", "Vastaus tallennettu tänne. Sitä ei julkaistu: julkaise se itse palvelussa."],
        "resolved" => this["Resolved.", "Merkitty ratkaistuksi."],
        "dismissed" => this["Dismissed.", "Hylätty."],
        "saved" => this["Saved.", "Tallennettu."],
        "member-added" => this["Member added. They can sign in now.", "Jäsen lisätty. Hän voi nyt kirjautua."],
        "member-added-role-kept" => this["Member added with the role they already have in another business (roles are per person).", "Jäsen lisätty roolilla, joka hänellä jo on toisessa yrityksessä (rooli on henkilökohtainen)."],
        "member-already" => this["They are a member already.", "Hän on jo jäsen."],
        "member-removed" => this["Member removed.", "Jäsen poistettu."],
        _ => null,
    };

    public static string Severity(string severity, bool fi) => (severity, fi) switch
    {
        ("critical", true) => "kriittinen",
        ("high", true) => "korkea",
        ("medium", true) => "keskitaso",
        _ => severity,
    };

    public static string Status(string status, bool fi) => (status, fi) switch
    {
        ("new", true) => "uusi",
        ("claimed", true) => "otettu",
        ("replied", true) => "vastattu",
        ("resolved", true) => "ratkaistu",
        ("dismissed", true) => "hylätty",
        _ => status,
    };

    public const string Css = """
        *{box-sizing:border-box}body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;margin:0;color:#1f2937;background:#f9fafb}
        header.top{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:10px 16px;background:#1e3a8a;color:#fff}
        header.top a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:18px;margin-right:auto}
        main{max-width:1000px;margin:0 auto;padding:12px 16px}h1{font-size:22px}h2{font-size:18px;margin-top:20px}
        th{text-align:left;padding:4px 12px 4px 0}td{padding:4px 12px 4px 0}
        .inline{display:inline}button,.button{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
        button.secondary{background:#fff;color:#1d4ed8}button.link{background:none;border:none;color:#fff;text-decoration:underline;padding:0}
        form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:8px 0 12px}form.filters label{display:flex;flex-direction:column;font-size:13px;color:#4b5563}
        select,input,textarea{font:inherit;padding:6px;border:1px solid #d1d5db;border-radius:6px;background:#fff}textarea{width:100%;min-height:140px}
        .cards{display:flex;flex-direction:column;gap:8px}.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;display:block;color:inherit;text-decoration:none}
        .card.overdue{border-left:6px solid #dc2626;background:#fef2f2}.meta{font-size:13px;color:#4b5563;display:flex;flex-wrap:wrap;gap:10px}
        .sev{font-weight:700;text-transform:uppercase;font-size:12px;padding:2px 6px;border-radius:4px}.sev-critical{background:#7f1d1d;color:#fff}.sev-high{background:#fee2e2;color:#991b1b}.sev-medium{background:#fef3c7;color:#92400e}
        .item{white-space:pre-wrap;margin:6px 0}blockquote{white-space:pre-wrap;border-left:4px solid #dc2626;margin:12px 0;padding:8px 12px;background:#fff}
        .banner{padding:10px 12px;border-radius:8px;margin:8px 0}.banner.error{background:#fee2e2;color:#7f1d1d}.banner.ok{background:#dcfce7;color:#14532d}.banner.warn{background:#fef3c7;color:#78350f}
        .panel{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px;margin:12px 0}ul.history{padding-left:18px}.chips span{display:inline-block;background:#e0e7ff;border-radius:12px;padding:2px 8px;margin:2px;font-size:13px}
        .overdue-tag{color:#b91c1c;font-weight:700}@media (max-width:600px){main{padding:8px}h1{font-size:19px}}
        """;
}
