using ReviewWatch.Functions.Invocation;
using ReviewWatch.Mentions;
using ReviewWatch.Messaging;

namespace ReviewWatch.Functions.Triggers;

/// <summary>The mentions timer: polls every business's social-media and feed sources.</summary>
public static class MentionTriggers
{
    public static void MapMentionTriggers(this WebApplication app)
    {
        // Timer %MENTIONS_SCHEDULE%: each source and scope from its cursor; failing or rate-limited sources are
        // logged and skipped, never failing the run (the next run retries them); flagged mentions go to alerts.
        app.MapInvocation("PollMentions", async (invocation, services, ct) =>
        {
            var r = await services.GetRequiredService<MentionPoller>().PollAllAsync(ct);
            return new InvocationResult()
                .Queue("alertQueue", MessageCodec.WriteAlerts(r.Alerts))
                .Log($"Polled mentions for {r.Businesses} businesses ({r.Scopes} scopes): {r.Added} new, {r.Duplicates} duplicates, {r.Dropped} dropped, {r.Skipped} rate-limited, {r.Failed} failed, {r.Alerts.Count} alerts");
        });
    }
}
