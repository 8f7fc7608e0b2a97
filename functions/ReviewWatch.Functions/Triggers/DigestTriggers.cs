using ReviewWatch.Digest;
using ReviewWatch.Functions.Invocation;

namespace ReviewWatch.Functions.Triggers;

/// <summary>The digest's timer functions.</summary>
public static class DigestTriggers
{
    public static void MapDigestTriggers(this WebApplication app)
    {
        // Timer, hourly: each business whose local Monday 08:00 has passed gets its week's digest, once.
        app.MapInvocation("WeeklyDigest", async (invocation, services, ct) =>
        {
            var result = await services.GetRequiredService<DigestService>().RunDueAsync(ct);
            if (result.Failed > 0)
            {
                throw new InvalidOperationException($"Weekly digest: {result.Failed} businesses failed ({result.Sent} new digests stored); the next run retries them");
            }

            return new InvocationResult().Log($"Weekly digest: {result.Sent} new digests stored ({result.Late} late)");
        });
    }
}
