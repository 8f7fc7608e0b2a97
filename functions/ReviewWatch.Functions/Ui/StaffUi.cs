using System.Net;
using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewWatch.Alerts;
using ReviewWatch.Businesses;
using ReviewWatch.Functions.Api;
using ReviewWatch.Functions.Auth;
using ReviewWatch.Functions.Ui.Components;
using ReviewWatch.Recovery;
using ReviewWatch.Security;
using ReviewWatch.Storage;

namespace ReviewWatch.Functions.Ui;

/// <summary>Query-string filters of the response queue.</summary>
public sealed record QueueFilter(string? Business = null, string? Location = null, string? Severity = null, string Status = "open", string? Source = null);

/// <summary>
/// The staff pages: server-rendered Razor components that work without JavaScript. Every form posts back with an
/// antiforgery token; every read is scoped to the member's businesses (another business's case is a 404).
/// </summary>
public static class StaffUi
{
    public static void MapStaffUi(this WebApplication app)
    {
        app.MapGet("/ui/", QueueAsync);
        app.MapGet("/ui/cases/{id}", CaseAsync);
        app.MapPost("/ui/cases/{id}/{action}", CaseActionAsync);
        app.MapGet("/ui/settings/{businessId}", SettingsAsync);
        app.MapPost("/ui/settings/{businessId}", SaveSettingsAsync);
        app.MapPost("/ui/settings/{businessId}/members", AddMemberAsync);
        app.MapPost("/ui/settings/{businessId}/members/remove", RemoveMemberAsync);
        app.MapGet("/ui/signin", SignInPageAsync);
        app.MapPost("/ui/signin", SignInAsync);
        app.MapPost("/ui/signout", SignOutAsync);
    }

    private static async Task<IResult> QueueAsync(HttpContext context, StaffAuthenticator auth, CaseService cases, BusinessDirectory directory, ReviewWatchStorage storage, IAntiforgery antiforgery, TimeProvider time,
        string? business, string? location, string? severity, string? status, string? source, CancellationToken ct)
    {
        var user = (await auth.GetUserAsync(context))!;
        var businesses = (await directory.ListBusinessesAsync(ct)).Where(b => user.CanSee(b.RowKey)).ToList();
        var filter = new QueueFilter(business, location, severity, string.IsNullOrEmpty(status) ? "open" : status, source);
        var scope = businesses.Select(b => b.RowKey).Where(b => string.IsNullOrEmpty(business) || b == business).ToList();
        var list = (await cases.ListAsync(scope, filter.Status, ct))
            .Where(c => string.IsNullOrEmpty(location) || c.LocationId == location)
            .Where(c => string.IsNullOrEmpty(severity) || c.Severity == severity)
            .Where(c => string.IsNullOrEmpty(source) || c.ItemKind == source)
            .ToList();
        var locations = new List<LocationEntity>();
        var failing = new List<ChannelHealthEntity>();
        foreach (var b in businesses)
        {
            locations.AddRange(await directory.ListLocationsAsync(b.RowKey, ct));
            await foreach (var h in storage.ChannelHealth.QueryAsync<ChannelHealthEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {b.RowKey}"), cancellationToken: ct))
            {
                if (h.ConsecutiveFailures > 0)
                {
                    failing.Add(h);
                }
            }
        }

        return Render<QueuePage>(new()
        {
            [nameof(QueuePage.T)] = Text(businesses),
            [nameof(QueuePage.User)] = user,
            [nameof(QueuePage.Token)] = Token(antiforgery, context),
            [nameof(QueuePage.Cases)] = list,
            [nameof(QueuePage.Businesses)] = businesses,
            [nameof(QueuePage.Locations)] = locations,
            [nameof(QueuePage.FailingChannels)] = failing,
            [nameof(QueuePage.Filter)] = filter,
            [nameof(QueuePage.Now)] = time.GetUtcNow(),
            [nameof(QueuePage.Zones)] = businesses.ToDictionary(b => b.RowKey, b => TimeZones.Find(b.TimeZone), StringComparer.Ordinal),
        });
    }

    private static async Task<IResult> CaseAsync(string id, HttpContext context, StaffAuthenticator auth, CaseService cases, BusinessDirectory directory, ReviewWatchStorage storage, IAntiforgery antiforgery, TimeProvider time,
        string? msg, string? error, CancellationToken ct)
    {
        var user = (await auth.GetUserAsync(context))!;
        var businesses = (await directory.ListBusinessesAsync(ct)).Where(b => user.CanSee(b.RowKey)).ToList();
        var c = await cases.FindAsync(businesses.Select(b => b.RowKey), id, ct);
        if (c is null)
        {
            return Page("Not found", $"<h1>No case {WebUtility.HtmlEncode(id)}</h1><p><a href=\"/ui/\">Back to the queue</a></p>", 404);
        }

        var business = businesses.First(b => b.RowKey == c.BusinessId);
        var location = await directory.GetLocationAsync(c.BusinessId, c.LocationId, ct);
        var review = c.ItemKind == "review" ? await storage.Reviews.GetOrDefaultAsync<ReviewEntity>(c.LocationId, c.ItemKey, ct) : null;
        return Render<CasePage>(new()
        {
            [nameof(CasePage.T)] = new UiText(business.Language),
            [nameof(CasePage.User)] = user,
            [nameof(CasePage.Token)] = Token(antiforgery, context),
            [nameof(CasePage.Case)] = c,
            [nameof(CasePage.Review)] = review,
            [nameof(CasePage.LocationName)] = location?.Name ?? c.LocationId,
            [nameof(CasePage.Touchpoints)] = ReplyDrafter.ParseTouchpoints(c.Touchpoints).Select(t => AlertContent.TouchpointWord(t, business.Language == "fi")).ToList(),
            [nameof(CasePage.Events)] = await cases.EventsAsync(c, ct),
            [nameof(CasePage.Message)] = new UiText(business.Language).Flash(msg),
            [nameof(CasePage.Error)] = error,
            [nameof(CasePage.Now)] = time.GetUtcNow(),
            [nameof(CasePage.Zone)] = TimeZones.Find(business.TimeZone),
        });
    }

    /// <summary>claim, reply (save or post), resolve, dismiss: Post/Redirect/Get back to the case with a message.</summary>
    private static async Task<IResult> CaseActionAsync(string id, string action, HttpContext context, StaffAuthenticator auth, CaseService cases, ReplyService replies, BusinessDirectory directory, IAntiforgery antiforgery, CancellationToken ct)
    {
        if (!await ValidAsync(antiforgery, context))
        {
            return Page("Form expired", "<h1>The form expired</h1><p>Go back, reload the page and try again.</p>", 400);
        }

        var user = (await auth.GetUserAsync(context))!;
        var scope = (await directory.ListBusinessesAsync(ct)).Where(b => user.CanSee(b.RowKey)).Select(b => b.RowKey);
        var c = await cases.FindAsync(scope, id, ct);
        if (c is null)
        {
            return Page("Not found", $"<h1>No case {WebUtility.HtmlEncode(id)}</h1>", 404);
        }

        var form = await context.Request.ReadFormAsync(ct);
        var back = $"/ui/cases/{Uri.EscapeDataString(id)}";
        try
        {
            switch (action)
            {
                case "claim":
                    await cases.ChangeAsync(c, user.Id, "claimed", (x, now) => { x.Claim(user.Id, now); return $"claimed by {user.Name}"; }, ct);
                    return Results.Redirect($"{back}?msg=claimed");
                case "reply" when form["action"] == "save":
                    var draft = StaffApi.Draft(form["text"].ToString());
                    await cases.ChangeAsync(c, user.Id, "draft-edited", (x, _) => { x.DraftReply = draft; return string.Empty; }, ct);
                    return Results.Redirect($"{back}?msg=draft-saved");
                case "reply":
                    var (_, result) = await replies.PostAsync(c, user.Id, form["text"].ToString(), ct);
                    return result.Published || result.Reason?.StartsWith("recorded here only", StringComparison.Ordinal) == true
                        ? Results.Redirect($"{back}?msg={(result.Published ? "reply-posted" : "reply-recorded")}")
                        : Results.Redirect($"{back}?error={Uri.EscapeDataString("The reply was NOT posted: " + result.Reason)}");
                case "resolve":
                    var outcome = form["outcome"].ToString();
                    await cases.ChangeAsync(c, user.Id, "resolved", (x, now) => { x.Resolve(user.Id, outcome, StaffApi.Note(form["note"].ToString()), now); return $"outcome {outcome}"; }, ct);
                    return Results.Redirect($"{back}?msg=resolved");
                case "dismiss":
                    await cases.ChangeAsync(c, user.Id, "dismissed", (x, now) => { x.Dismiss(user.Id, StaffApi.Note(form["note"].ToString()), now); return "dismissed"; }, ct);
                    return Results.Redirect($"{back}?msg=dismissed");
                default:
                    return Page("Unknown action", $"<h1>Unknown action {WebUtility.HtmlEncode(action)}</h1>", 404);
            }
        }
        catch (CaseConflictException ex)
        {
            return Results.Redirect($"{back}?error={Uri.EscapeDataString(ex.Message)}");
        }
        catch (Exception ex) when (ex is ArgumentException or BadHttpRequestException)
        {
            return Results.Redirect($"{back}?error={Uri.EscapeDataString(ex.Message)}");
        }
    }

    private static async Task<IResult> SettingsAsync(string businessId, HttpContext context, StaffAuthenticator auth, BusinessDirectory directory, IAntiforgery antiforgery, string? msg, string? error, CancellationToken ct)
    {
        if (await OwnerAsync(businessId, context, auth, directory, ct) is not (var user, var business))
        {
            return Page("Not found", "<h1>Not found</h1>", 404);
        }

        return Render<SettingsPage>(new()
        {
            [nameof(SettingsPage.T)] = new UiText(business.Language),
            [nameof(SettingsPage.User)] = user,
            [nameof(SettingsPage.Token)] = Token(antiforgery, context),
            [nameof(SettingsPage.Business)] = business,
            [nameof(SettingsPage.Members)] = await directory.ListMembersAsync(businessId, ct),
            [nameof(SettingsPage.Message)] = new UiText(business.Language).Flash(msg),
            [nameof(SettingsPage.Error)] = error,
        });
    }

    /// <summary>
    /// Why the mention settings typed on the page cannot be saved, or null. Feeds added here must be http(s) URLs: a
    /// local path would let a page user make the app read files off its own disk (paths come only from seed files,
    /// and those already stored are kept).
    /// </summary>
    internal static string? MentionSettingsProblem(string json, string stored)
    {
        if (json.Length == 0)
        {
            return null;
        }

        ReviewWatch.Mentions.MentionConfig? config;
        try
        {
            config = ReviewWatch.Mentions.MentionConfig.Parse(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return $"Social mention settings are not valid JSON ({ex.Message})";
        }

        if (config is null)
        {
            return "Social mention settings must be a JSON object";
        }

        var known = ReviewWatch.Mentions.MentionConfig.Parse(stored)?.Rss.Feeds ?? [];
        var bad = config.Rss.Feeds.FirstOrDefault(f => !known.Contains(f) && !(Uri.TryCreate(f, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"));
        return bad is null ? null : $"Feed '{bad}' is not an http(s) URL";
    }

    private static async Task<IResult> AddMemberAsync(string businessId, HttpContext context, StaffAuthenticator auth, BusinessDirectory directory, IAntiforgery antiforgery, CancellationToken ct)
    {
        if (!await ValidAsync(antiforgery, context))
        {
            return Page("Form expired", "<h1>The form expired</h1>", 400);
        }

        if (await OwnerAsync(businessId, context, auth, directory, ct) is not (_, _))
        {
            return Page("Not found", "<h1>Not found</h1>", 404);
        }

        var form = await context.Request.ReadFormAsync(ct);
        var id = form["id"].ToString().Trim();
        var name = form["name"].ToString().Trim();
        var role = form["role"].ToString().Trim();
        var back = $"/ui/settings/{Uri.EscapeDataString(businessId)}";
        string? problem = null;
        if (id.Length is < 3 or > 254 || !id.Contains('@', StringComparison.Ordinal) || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or '/' or '\\' or '#' or '?' or '<' or '>' or '"' or '\''))
        {
            problem = "The member's sign-in must be an e-mail address (the name they sign in with)";
        }
        else if (name.Length is 0 or > 100)
        {
            problem = "The member's name must be 1 to 100 characters";
        }
        else if (role is not ("staff" or "owner"))
        {
            problem = "The role must be staff or owner";
        }

        if (problem is not null)
        {
            return Results.Redirect($"{back}?error={Uri.EscapeDataString(problem + "; nobody was added.")}#team");
        }

        var change = await directory.AddMemberAsync(businessId, id, name, role, ct);
        return Results.Redirect($"{back}?msg=member-{change switch { MemberChange.AddedWithExistingRole => "added-role-kept", MemberChange.AlreadyMember => "already", _ => "added" }}#team");
    }

    private static async Task<IResult> RemoveMemberAsync(string businessId, HttpContext context, StaffAuthenticator auth, BusinessDirectory directory, IAntiforgery antiforgery, CancellationToken ct)
    {
        if (!await ValidAsync(antiforgery, context))
        {
            return Page("Form expired", "<h1>The form expired</h1>", 400);
        }

        if (await OwnerAsync(businessId, context, auth, directory, ct) is not (var user, _))
        {
            return Page("Not found", "<h1>Not found</h1>", 404);
        }

        var form = await context.Request.ReadFormAsync(ct);
        var id = form["id"].ToString().Trim();
        var back = $"/ui/settings/{Uri.EscapeDataString(businessId)}";
        if (string.Equals(id, user.Id, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Redirect($"{back}?error={Uri.EscapeDataString("You cannot remove yourself; another owner can.")}#team");
        }

        return await directory.RemoveMemberAsync(businessId, id, ct)
            ? Results.Redirect($"{back}?msg=member-removed#team")
            : Results.Redirect($"{back}?error={Uri.EscapeDataString($"{id} is not a member of this business (a member of every business is managed in the seed file).")}#team");
    }

    private static async Task<IResult> SaveSettingsAsync(string businessId, HttpContext context, StaffAuthenticator auth, BusinessDirectory directory, IAntiforgery antiforgery, CancellationToken ct)
    {
        if (!await ValidAsync(antiforgery, context))
        {
            return Page("Form expired", "<h1>The form expired</h1>", 400);
        }

        if (await OwnerAsync(businessId, context, auth, directory, ct) is not (_, var business))
        {
            return Page("Not found", "<h1>Not found</h1>", 404);
        }

        var form = await context.Request.ReadFormAsync(ct);
        var routes = form["alertRoutes"].ToString().Trim();
        var back = $"/ui/settings/{Uri.EscapeDataString(businessId)}";
        if (routes.Length > 0 && AlertRouter.Parse(routes).Count == 0)
        {
            return Results.Redirect($"{back}?error={Uri.EscapeDataString("Alert routes must be a JSON array of {\"channel\",\"target\",\"minSeverity\"}; nothing was saved.")}");
        }

        foreach (var field in new[] { "quietHoursStart", "quietHoursEnd" })
        {
            var value = form[field].ToString().Trim();
            if (value.Length > 0 && !TimeOnly.TryParseExact(value, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
            {
                return Results.Redirect($"{back}?error={Uri.EscapeDataString($"{field} must look like 22:00; nothing was saved.")}");
            }
        }

        var mentions = form["mentionSettings"].ToString().Trim();
        if (MentionSettingsProblem(mentions, business.MentionSettings) is string problem)
        {
            return Results.Redirect($"{back}?error={Uri.EscapeDataString(problem + "; nothing was saved.")}");
        }

        business.MentionSettings = mentions.Length == 0 ? string.Empty : ReviewWatch.Mentions.MentionConfig.Parse(mentions)!.ToJson();
        business.ReplyTemplateFi = form["replyTemplateFi"].ToString().Trim();
        business.ReplyTemplateEn = form["replyTemplateEn"].ToString().Trim();
        business.MakeGoodFi = form["makeGoodFi"].ToString().Trim();
        business.MakeGoodEn = form["makeGoodEn"].ToString().Trim();
        business.ContactName = form["contactName"].ToString().Trim();
        business.ContactEmail = form["contactEmail"].ToString().Trim();
        business.ContactPhone = form["contactPhone"].ToString().Trim();
        business.QuietHoursStart = form["quietHoursStart"].ToString().Trim();
        business.QuietHoursEnd = form["quietHoursEnd"].ToString().Trim();
        business.AlertRoutes = routes;
        await directory.SaveBusinessAsync(business, ct);
        return Results.Redirect($"{back}?msg=saved");
    }

    private static async Task<IResult> SignInPageAsync(HttpContext context, StaffAuthenticator auth, ReviewWatchStorage storage, IAntiforgery antiforgery, string? returnTo, CancellationToken ct)
    {
        if (!auth.DevSignInEnabled)
        {
            return Results.Redirect("/.auth/login/aad?post_login_redirect_uri=%2Fui%2F");
        }

        await storage.EnsureCreatedAsync(ct);
        var users = new List<UserEntity>();
        await foreach (var u in storage.Users.QueryAsync<UserEntity>(cancellationToken: ct))
        {
            users.Add(u);
        }

        return Render<SignInPage>(new()
        {
            [nameof(SignInPage.Token)] = Token(antiforgery, context),
            [nameof(SignInPage.Users)] = users,
            [nameof(SignInPage.ReturnTo)] = SafeReturn(returnTo),
        });
    }

    private static async Task<IResult> SignInAsync(HttpContext context, StaffAuthenticator auth, IDataProtectionProvider protection, IAntiforgery antiforgery, CancellationToken ct)
    {
        if (!auth.DevSignInEnabled)
        {
            return Results.NotFound();
        }

        if (!await ValidAsync(antiforgery, context))
        {
            return Page("Form expired", "<h1>The form expired</h1><p><a href=\"/ui/signin\">Try again</a></p>", 400);
        }

        var form = await context.Request.ReadFormAsync(ct);
        var token = DevTokens.Create(protection, form["user"].ToString());
        context.Response.Cookies.Append(StaffAuthenticator.CookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromHours(12), Path = "/" });
        return Results.Redirect(SafeReturn(form["returnTo"].ToString()));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, StaffAuthenticator auth, IAntiforgery antiforgery)
    {
        if (!await ValidAsync(antiforgery, context))
        {
            return Page("Form expired", "<h1>The form expired</h1>", 400);
        }

        context.Response.Cookies.Delete(StaffAuthenticator.CookieName, new CookieOptions { Path = "/" });
        return Results.Redirect(auth.DevSignInEnabled ? "/ui/signin" : "/.auth/logout");
    }

    /// <summary>Only local paths: a sign-in link must not bounce people to another site.</summary>
    private static string SafeReturn(string? returnTo) =>
        !string.IsNullOrEmpty(returnTo) && returnTo.StartsWith('/') && !returnTo.StartsWith("//", StringComparison.Ordinal) && !returnTo.Contains('\\', StringComparison.Ordinal) ? returnTo : "/ui/";

    private static UiText Text(IReadOnlyList<BusinessEntity> businesses) => new(businesses.Count > 0 ? businesses[0].Language : "en");

    private static string Token(IAntiforgery antiforgery, HttpContext context) => antiforgery.GetAndStoreTokens(context).RequestToken ?? string.Empty;

    /// <summary>
    /// The signed-in member and the business of an owner page, or null when they are not an owner of it (the pages
    /// answer 404 then, so they do not tell whether the business exists).
    /// </summary>
    private static async Task<(StaffUser User, BusinessEntity Business)?> OwnerAsync(string businessId, HttpContext context, StaffAuthenticator auth, BusinessDirectory directory, CancellationToken ct)
    {
        var user = (await auth.GetUserAsync(context))!;
        var business = user.CanSee(businessId) ? await directory.GetBusinessAsync(businessId, ct) : null;
        return business is not null && user.IsOwner ? (user, business) : null;
    }

    private static async Task<bool> ValidAsync(IAntiforgery antiforgery, HttpContext context)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static RazorComponentResult<T> Render<T>(Dictionary<string, object?> parameters)
        where T : Microsoft.AspNetCore.Components.IComponent => new(parameters!);

    /// <summary>A small plain page for errors (the body is trusted markup; callers encode what they insert).</summary>
    internal static IResult Page(string title, string body, int status = 200) => Results.Content(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + $"<title>{WebUtility.HtmlEncode(title)}</title><style>{UiText.Css}</style></head><body><main>{body}</main></body></html>",
        "text/html; charset=utf-8",
        Encoding.UTF8,
        status);
}
