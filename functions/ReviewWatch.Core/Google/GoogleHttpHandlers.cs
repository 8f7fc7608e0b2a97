using System.Net;
using System.Net.Http.Headers;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ReviewWatch.Google;

/// <summary>
/// Adds the bearer token; on a 401 drops the token, refreshes once and resends. A second 401 is returned to the
/// caller (the client turns it into a <see cref="GoogleApiException"/> with <see cref="GoogleApiException.NeedsReconnect"/>).
/// </summary>
public sealed class GoogleAuthHandler(GoogleTokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAccessTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        tokens.Invalidate(token);
        token = await tokens.GetAccessTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Paces calls under the project quota with a token bucket: this instance's share
/// (<see cref="GoogleOptions.InstanceRequestsPerMinute"/>) refilled every second, with at most five seconds' worth in burst.
/// Sits inside the retry handler, so retries are paced too.
/// </summary>
public sealed class GoogleRateLimiter : IDisposable
{
    public GoogleRateLimiter(IOptions<GoogleOptions> options)
    {
        var perMinute = options.Value.InstanceRequestsPerMinute;
        var perSecond = Math.Max(1, perMinute / 60);
        Limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond * 5,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / perMinute),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public RateLimiter Limiter { get; }

    public void Dispose() => Limiter.Dispose();
}

public sealed class GoogleRateLimitHandler(GoogleRateLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limiter.Limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            return new HttpResponseMessage(HttpStatusCode.TooManyRequests) { RequestMessage = request };
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
