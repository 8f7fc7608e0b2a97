using System.Text.Json;
using System.Text.Json.Serialization;
using ReviewWatch.Businesses;
using ReviewWatch.Functions.Auth;
using ReviewWatch.Digest;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;

namespace ReviewWatch.Functions.Api;

public sealed record CaseSummary(string Id, string BusinessId, string LocationId, string ItemKind, string Item, string ReviewerName, int? Rating, string Severity, string Status, DateTimeOffset DueAt, DateTimeOffset CreatedAt, string AssignedTo, bool Overdue);

public sealed record CaseEventDto(string Type, string Actor, DateTimeOffset At, string Details);

public sealed record CaseDetail(CaseSummary Case, string Language, IReadOnlyList<string> Touchpoints, string DraftReply, string ReplyText, string Outcome, string OutcomeNote, IReadOnlyList<CaseEventDto> Events);

public sealed record ClaimRequest(string? User);

public sealed record ReplyRequest(string? Text);

public sealed record ResolveRequest(string? Outcome, string? Note);

public sealed record ApiError(string Error);

public sealed record HealthReport(string Status, string Storage, string Version);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CaseSummary))]
[JsonSerializable(typeof(IReadOnlyList<CaseSummary>))]
[JsonSerializable(typeof(CaseDetail))]
[JsonSerializable(typeof(ClaimRequest))]
[JsonSerializable(typeof(ReplyRequest))]
[JsonSerializable(typeof(ResolveRequest))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(DigestReport))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>The staff API: cases (list, read, claim, reply, resolve, dismiss), digests and health.</summary>
public static class StaffApi
{
    public static void MapStaffApi(this WebApplication app)
    {
        app.MapGet("/api/health", HealthAsync);

        var cases = app.MapGroup("/api/cases");
        cases.MapGet("/", ListAsync);
        cases.MapGet("/{id}", GetAsync);
        cases.MapPost("/{id}/claim", ClaimAsync);
        cases.MapPost("/{id}/reply", ReplyAsync);
        cases.MapPut("/{id}/draft", DraftAsync);
        cases.MapPost("/{id}/resolve", ResolveAsync);
        cases.MapPost("/{id}/dismiss", DismissAsync);

        // Anything else under /api is a clear 404 rather than an empty one.
        app.MapFallback("/api/{**rest}", (HttpContext c) => Results.Json(new ApiError($"No API at {c.Request.Method} {c.Request.Path}"), ApiJsonContext.Default.ApiError, statusCode: 404));
    }

    private static async Task<IResult> HealthAsync(ReviewWatchStorage storage, CancellationToken ct)
    {
        var version = typeof(StaffApi).Assembly.GetName().Version?.ToString() ?? "0";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await storage.EnsureCreatedAsync(timeout.Token);
            await storage.ProbeAsync(timeout.Token); // a round trip now: creation succeeded once and is not repeated
            return Results.Json(new HealthReport("ok", "ok", version), ApiJsonContext.Default.HealthReport);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Results.Json(new HealthReport("degraded", "storage did not answer within 5 s", version), ApiJsonContext.Default.HealthReport, statusCode: 503);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Results.Json(new HealthReport("degraded", ex.Message, version), ApiJsonContext.Default.HealthReport, statusCode: 503);
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, CaseService service, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, string? status, string? business, string? location, string? severity, CancellationToken ct)
    {
        if (status is not (null or "" or "open" or "closed" or "all" or CaseStatus.New or CaseStatus.Claimed or CaseStatus.Replied or CaseStatus.Resolved or CaseStatus.Dismissed))
        {
            return Error(400, $"Unknown status '{status}'; use open, closed, all, new, claimed, replied, resolved or dismissed.");
        }

        var businesses = await ScopeAsync(context, auth, directory, business, ct);
        var now = time.GetUtcNow();
        var list = (await service.ListAsync(businesses, status, ct))
            .Where(c => string.IsNullOrEmpty(location) || c.LocationId == location)
            .Where(c => string.IsNullOrEmpty(severity) || c.Severity == severity)
            .Select(c => Summary(c, now))
            .ToList();
        return Results.Json<IReadOnlyList<CaseSummary>>(list, ApiJsonContext.Default.IReadOnlyListCaseSummary);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, CaseService service, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, CancellationToken ct)
    {
        var found = await service.FindAsync(await ScopeAsync(context, auth, directory, null, ct), id, ct);
        if (found is null)
        {
            return Error(404, $"No case '{id}'.");
        }

        var events = await service.EventsAsync(found, ct);
        return Results.Json(Detail(found, events, time.GetUtcNow()), ApiJsonContext.Default.CaseDetail);
    }

    private static Task<IResult> ClaimAsync(string id, HttpContext context, CaseService service, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, context, service, directory, auth, time, "claimed", (c, caller, body, now) =>
        {
            ReadBody(body, ApiJsonContext.Default.ClaimRequest); // validates the body if one was sent
            c.Claim(caller.Id, now);
            return $"claimed by {caller.Name}";
        }, ct);

    /// <summary>Posts the approved reply to the platform, then records it; a failed post is a 502 with the platform's reason.</summary>
    private static async Task<IResult> ReplyAsync(string id, HttpContext context, CaseService service, ReplyService replies, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, CancellationToken ct)
    {
        var found = await service.FindAsync(await ScopeAsync(context, auth, directory, null, ct), id, ct);
        if (found is null)
        {
            return Error(404, $"No case '{id}'.");
        }

        var user = (await auth.GetUserAsync(context))!;
        try
        {
            var request = ReadBody(await ReadAsync(context, ct), ApiJsonContext.Default.ReplyRequest);
            var (updated, result) = await replies.PostAsync(found, user.Id, request?.Text ?? string.Empty, ct);
            if (!result.Published && updated.Status != CaseStatus.Replied)
            {
                return Error(502, $"The reply was not posted: {result.Reason}");
            }

            return Results.Json(Detail(updated, await service.EventsAsync(updated, ct), time.GetUtcNow()), ApiJsonContext.Default.CaseDetail);
        }
        catch (CaseConflictException ex)
        {
            return Error(409, ex.Message);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or ArgumentException)
        {
            return Error(400, ex.Message);
        }
    }

    private static Task<IResult> DraftAsync(string id, HttpContext context, CaseService service, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, context, service, directory, auth, time, "draft-edited", (c, caller, body, now) =>
        {
            c.DraftReply = Draft(ReadBody(body, ApiJsonContext.Default.ReplyRequest)?.Text);
            return string.Empty;
        }, ct);

    private static Task<IResult> ResolveAsync(string id, HttpContext context, CaseService service, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, context, service, directory, auth, time, "resolved", (c, caller, body, now) =>
        {
            var request = ReadBody(body, ApiJsonContext.Default.ResolveRequest);
            var outcome = request?.Outcome?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(outcome) || !MakeGood.All.Contains(outcome))
            {
                throw new BadHttpRequestException($"'outcome' must be one of {string.Join(", ", MakeGood.All)}.");
            }

            c.Resolve(caller.Id, outcome, Note(request?.Note), now);
            return $"outcome {outcome}";
        }, ct);

    private static Task<IResult> DismissAsync(string id, HttpContext context, CaseService service, BusinessDirectory directory, StaffAuthenticator auth, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, context, service, directory, auth, time, "dismissed", (c, caller, body, now) =>
        {
            c.Dismiss(caller.Id, Note(ReadBody(body, ApiJsonContext.Default.ResolveRequest)?.Note), now);
            return "dismissed";
        }, ct);

    /// <summary>Outcome notes are short; a huge one would fail the case row's 1 MiB limit as an unhandled 500.</summary>
    private const int MaxNoteLength = 2000;

    /// <summary>A draft staff saved: non-empty, and no longer than Google accepts (a longer one could never be posted).</summary>
    internal static string Draft(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new BadHttpRequestException("The draft needs a non-empty 'text'.");
        }

        var bytes = System.Text.Encoding.UTF8.GetByteCount(text.Trim());
        return bytes <= Google.GoogleBusinessClient.MaxReplyBytes ? text.Trim()
            : throw new BadHttpRequestException($"The draft is {bytes} bytes; a reply can be at most {Google.GoogleBusinessClient.MaxReplyBytes} bytes.");
    }

    internal static string Note(string? note)
    {
        var trimmed = note?.Trim() ?? string.Empty;
        return trimmed.Length <= MaxNoteLength ? trimmed
            : throw new BadHttpRequestException($"The note is {trimmed.Length} characters; at most {MaxNoteLength} are kept.");
    }

    private static async Task<IResult> ChangeAsync(
        string id,
        HttpContext context,
        CaseService service,
        BusinessDirectory directory,
        StaffAuthenticator auth,
        TimeProvider time,
        string eventType,
        Func<RecoveryCase, StaffUser, string, DateTimeOffset, string> change,
        CancellationToken ct)
    {
        var found = await service.FindAsync(await ScopeAsync(context, auth, directory, null, ct), id, ct);
        if (found is null)
        {
            return Error(404, $"No case '{id}'.");
        }

        var body = await ReadAsync(context, ct);
        var caller = (await auth.GetUserAsync(context))!;
        try
        {
            var updated = await service.ChangeAsync(found, caller.Id, eventType, (c, now) => change(c, caller, body, now), ct);
            return Results.Json(Detail(updated, await service.EventsAsync(updated, ct), time.GetUtcNow()), ApiJsonContext.Default.CaseDetail);
        }
        catch (CaseConflictException ex)
        {
            return Error(409, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            return Error(400, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Error(400, ex.Message);
        }
    }

    /// <summary>The businesses the signed-in member may see, optionally narrowed to one: every query goes through this.</summary>
    internal static async Task<IReadOnlyList<string>> ScopeAsync(HttpContext context, StaffAuthenticator auth, BusinessDirectory directory, string? business, CancellationToken ct)
    {
        var user = await auth.GetUserAsync(context);
        var all = (await directory.ListBusinessesAsync(ct)).Select(b => b.RowKey).Where(b => user?.CanSee(b) == true).ToList();
        return string.IsNullOrEmpty(business) ? all : all.Where(b => b == business).ToList();
    }

    private static async Task<string> ReadAsync(HttpContext context, CancellationToken ct)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(ct);
    }

    internal static CaseSummary Summary(RecoveryCase c, DateTimeOffset now) => new(
        c.CaseId, c.BusinessId, c.LocationId, c.ItemKind, c.ItemText, c.ReviewerName, c.Rating > 0 ? c.Rating : null,
        c.Severity, c.Status, c.DueAt, c.CreatedAt, c.AssignedTo, CaseStatus.IsOpen(c.Status) && c.Status != CaseStatus.Replied && c.DueAt < now);

    internal static CaseDetail Detail(RecoveryCase c, IReadOnlyList<CaseEventEntity> events, DateTimeOffset now) => new(
        Summary(c, now), c.Language, ReplyDrafter.ParseTouchpoints(c.Touchpoints), c.DraftReply, c.ReplyText, c.Outcome, c.OutcomeNote,
        events.Select(e => new CaseEventDto(e.Type, e.Actor, e.At, e.Details)).ToList());

    private static T? ReadBody<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException ex)
        {
            throw new BadHttpRequestException($"The request body is not valid JSON: {ex.Message}");
        }
    }

    internal static IResult Error(int status, string message) => Results.Json(new ApiError(message), ApiJsonContext.Default.ApiError, statusCode: status);
}
