using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using ReviewWatch.Security;
using ReviewWatch.Functions.Ui;
using ReviewWatch.Storage;

namespace ReviewWatch.Functions.Auth;

/// <summary>A signed-in member: who, in which roles, and which businesses they may see.</summary>
public sealed record StaffUser(string Id, string Name, IReadOnlySet<string> Roles, IReadOnlySet<string> Businesses, bool AllBusinesses)
{
    public bool IsOwner => Roles.Contains("owner");

    public bool CanSee(string businessId) => AllBusinesses || Businesses.Contains(businessId);

    public static StaffUser From(UserEntity entity)
    {
        var businesses = entity.Businesses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var roles = entity.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => r.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        return new StaffUser(entity.RowKey, string.IsNullOrEmpty(entity.DisplayName) ? entity.RowKey : entity.DisplayName, roles, businesses, businesses.Contains("*"));
    }
}

/// <summary>
/// Auth settings. In Azure, App Service Authentication (Entra ID) signs people in and forwards
/// X-MS-CLIENT-PRINCIPAL-NAME / X-MS-CLIENT-PRINCIPAL; those headers are trusted only when App Service says
/// authentication is on (WEBSITE_AUTH_ENABLED) or <c>Auth__TrustClientPrincipal=true</c>. Locally,
/// <c>Auth__DevSignIn=true</c> offers a sign-in page and bearer tokens, and refuses to run outside Development.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public bool DevSignIn { get; set; }

    public bool TrustClientPrincipal { get; set; }
}

/// <summary>Works out who is calling and whether they are a member; the result is cached on the request.</summary>
public sealed class StaffAuthenticator(ReviewWatchStorage storage, IDataProtectionProvider protection, IConfiguration configuration, IHostEnvironment environment, Microsoft.Extensions.Options.IOptions<AuthOptions> options)
{
    public const string CookieName = "rw_session";
    private const string ItemKey = "ReviewWatch.StaffUser";

    public bool DevSignInEnabled => options.Value.DevSignIn && environment.IsDevelopment();

    /// <summary>The caller's sign-in name, or null when nobody is signed in.</summary>
    public string? Identify(HttpContext context)
    {
        var trustPrincipal = options.Value.TrustClientPrincipal
            || string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "true", StringComparison.OrdinalIgnoreCase);
        if (trustPrincipal)
        {
            var name = context.Request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].ToString();
            if (name.Length > 0)
            {
                return name;
            }

            var principal = PrincipalName(context.Request.Headers["X-MS-CLIENT-PRINCIPAL"].ToString());
            if (principal is not null)
            {
                return principal;
            }
        }

        if (DevSignInEnabled)
        {
            var auth = context.Request.Headers.Authorization.ToString();
            var token = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : context.Request.Cookies[CookieName];
            if (!string.IsNullOrEmpty(token))
            {
                return DevTokens.Read(protection, token);
            }
        }

        return null;
    }

    /// <summary>The signed-in member, or null (not signed in, or not a member of any business).</summary>
    public async Task<StaffUser?> GetUserAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached))
        {
            return cached as StaffUser;
        }

        StaffUser? user = null;
        var id = Identify(context);
        if (!string.IsNullOrWhiteSpace(id))
        {
            await storage.EnsureCreatedAsync(context.RequestAborted);
            var entity = await storage.Users.GetOrDefaultAsync<UserEntity>(UserEntity.Partition, TableClientExtensions.SafeKey(id.Trim().ToLowerInvariant()), context.RequestAborted);
            user = entity is null ? null : StaffUser.From(entity);
        }

        context.Items[ItemKey] = user;
        return user;
    }

    private static string? PrincipalName(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            string? found = null;
            foreach (var claim in doc.RootElement.GetProperty("claims").EnumerateArray())
            {
                var type = claim.GetProperty("typ").GetString();
                if (type is "preferred_username" or "email" or "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" or "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn")
                {
                    return claim.GetProperty("val").GetString();
                }

                if (type is "name" && found is null)
                {
                    found = claim.GetProperty("val").GetString();
                }
            }

            return found;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>Guards the staff API and UI: everything under /api and /ui needs a member, except health, sign-in and Google's push.</summary>
public static class StaffAuthMiddleware
{
    public static void UseStaffAuthentication(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var isApi = path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
            var isUi = path.StartsWithSegments("/ui", StringComparison.OrdinalIgnoreCase);
            if ((!isApi && !isUi)
                || path.StartsWithSegments("/api/health", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/api/google/notifications", StringComparison.OrdinalIgnoreCase) // Google's signed OIDC token, checked there
                || path.StartsWithSegments("/ui/signin", StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments("/ui/signout", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            var auth = context.RequestServices.GetRequiredService<StaffAuthenticator>();
            var user = await auth.GetUserAsync(context);
            if (user is not null)
            {
                // Any route naming a business the member may not see answers as if it did not exist.
                if (context.GetRouteValue("businessId") is string businessId && !user.CanSee(businessId))
                {
                    context.Response.StatusCode = 404;
                    if (isApi)
                    {
                        await context.Response.WriteAsJsonAsync(new Api.ApiError($"No business '{businessId}'."));
                    }

                    return;
                }

                await next(context);
                return;
            }

            var signedIn = auth.Identify(context) is not null;
            if (isApi)
            {
                context.Response.StatusCode = signedIn ? 403 : 401;
                await context.Response.WriteAsJsonAsync(new Api.ApiError(signedIn
                    ? "You are signed in but not a member of any business in ReviewWatch; ask the owner to add you."
                    : "Sign in first: in Azure through App Service Authentication; locally with the bearer token ./reviewwatch run prints."));
                return;
            }

            if (signedIn)
            {
                await StaffUi.Page("Not a member", "<h1>Not a member</h1><p>You are signed in but not a member of any business. Ask the owner to add you.</p>", 403).ExecuteAsync(context);
                return;
            }

            var returnTo = Uri.EscapeDataString(context.Request.Path + context.Request.QueryString);
            context.Response.Redirect(auth.DevSignInEnabled ? $"/ui/signin?returnTo={returnTo}" : $"/.auth/login/aad?post_login_redirect_uri={returnTo}");
        });
    }
}
