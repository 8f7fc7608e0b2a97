using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ReviewWatch.Google;

/// <summary>
/// Turns the stored refresh token into access tokens (OAuth refresh_token grant at <see cref="GoogleOptions.TokenUrl"/>),
/// cached until a minute before they expire. <see cref="Invalidate"/> drops a token Google refused (401), so the next
/// call refreshes once.
/// </summary>
public sealed class GoogleTokenProvider(IHttpClientFactory httpClients, IOptions<GoogleOptions> options, TimeProvider time, ILogger<GoogleTokenProvider> logger) : IDisposable
{
    public const string HttpClientName = "google-token";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expires;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken = default)
    {
        if (_token is { } cached && time.GetUtcNow() < _expires)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } again && time.GetUtcNow() < _expires)
            {
                return again;
            }

            var (token, lifetime) = await RefreshAsync(cancellationToken);
            _token = token;
            _expires = time.GetUtcNow() + lifetime - TimeSpan.FromMinutes(1);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Forgets <paramref name="rejected"/> if it is still the cached token (another caller may have refreshed already).</summary>
    public void Invalidate(string rejected)
    {
        if (_token == rejected)
        {
            _token = null;
        }
    }

    /// <summary>The refresh token: the setting when set, else the token file written by <c>google connect</c>.</summary>
    public static string? ReadRefreshToken(GoogleOptions o)
    {
        if (GoogleOptions.IsSet(o.RefreshToken))
        {
            return o.RefreshToken;
        }

        if (GoogleOptions.IsSet(o.TokenFile) && File.Exists(o.TokenFile))
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllText(o.TokenFile), GoogleJsonContext.Default.StoredGoogleToken);
            return string.IsNullOrWhiteSpace(stored?.RefreshToken) ? null : stored.RefreshToken;
        }

        return null;
    }

    private async Task<(string Token, TimeSpan Lifetime)> RefreshAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var refreshToken = ReadRefreshToken(o);
        if (!o.HasClient || refreshToken is null)
        {
            throw new GoogleApiException(401, "not_configured", "Google is not connected: set Google__ClientId, Google__ClientSecret and a refresh token (run ./reviewwatch google connect).");
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = o.ClientId,
            ["client_secret"] = o.ClientSecret,
            ["refresh_token"] = refreshToken,
            ["grant_type"] = "refresh_token",
        });
        using var http = httpClients.CreateClient(HttpClientName);
        using var response = await http.PostAsync(new Uri(o.TokenUrl), form, cancellationToken);
        OAuthTokenResponse? body = null;
        try
        {
            body = await response.Content.ReadFromJsonAsync(GoogleJsonContext.Default.OAuthTokenResponse, cancellationToken);
        }
        catch (JsonException)
        {
        }

        if (!response.IsSuccessStatusCode || string.IsNullOrEmpty(body?.AccessToken))
        {
            var code = body?.Error ?? "token_error";
            logger.LogWarning("Google token refresh failed: {Status} {Error}", (int)response.StatusCode, code);
            // invalid_grant: the refresh token was revoked or expired; only a new consent fixes that.
            throw new GoogleApiException(code == "invalid_grant" ? 401 : (int)response.StatusCode, code, body?.ErrorDescription ?? $"token endpoint answered {(int)response.StatusCode}");
        }

        logger.LogInformation("Refreshed the Google access token");
        return (body.AccessToken, TimeSpan.FromSeconds(body.ExpiresIn ?? 3600));
    }
}
