using ReviewWatch.Digest;
using ReviewWatch.Functions.Invocation;

namespace ReviewWatch.Functions.Triggers;

/// <summary>The digest's timer functions.</summary>
public static class DigestTriggers
{
    public static void MapDigestTriggers(this WebApplication app)
    {
        // Timer: last ISO week's digest per business, stored once per business and week.
        app.MapInvocation("WeeklyDigest", async (invocation, services, ct) =>
        {
            var sent = await services.GetRequiredService<DigestService>().RunWeeklyAsync(ct);
            return new InvocationResult().Log($"Weekly digest: {sent} new digests stored");
        });
    }
}
