using System.Text;
using System.Text.Json;

namespace ReviewWatch.Functions.Api;

/// <summary>
/// Who is calling. In Azure, App Service Authentication puts the signed-in user in X-MS-CLIENT-PRINCIPAL
/// (base64 JSON with claims); locally the X-ReviewWatch-User header names a dev user. Business scoping and
/// roles arrive with the auth issue; until then every caller sees every business.
/// </summary>
public sealed record Caller(string Name)
{
    public static Caller From(HttpContext context)
    {
        var principal = context.Request.Headers["X-MS-CLIENT-PRINCIPAL"].ToString();
        if (principal.Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(principal)));
                foreach (var claim in doc.RootElement.GetProperty("claims").EnumerateArray())
                {
                    var type = claim.GetProperty("typ").GetString();
                    if (type is "name" or "preferred_username" or "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name")
                    {
                        return new Caller(claim.GetProperty("val").GetString() ?? "unknown");
                    }
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // An unreadable principal is treated as anonymous staff rather than failing the request.
            }
        }

        var dev = context.Request.Headers["X-ReviewWatch-User"].ToString();
        return new Caller(dev.Length > 0 ? dev[..Math.Min(dev.Length, 100)] : "staff");
    }
}
