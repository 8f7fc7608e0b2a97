using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Google.Apis.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewWatch.Messaging;
using ReviewWatch.Storage;

namespace ReviewWatch.Google;

/// <summary>What a push delivery came to: the HTTP status to answer and what happened.</summary>
public sealed record PushOutcome(int Status, string Detail, PollRequest? Enqueued = null);

/// <summary>
/// Receives Google's Pub/Sub push deliveries for review notifications: checks the Google-signed OIDC token
/// (audience, issuer, signature, expiry, then the service account's verified email), decodes the notification
/// tolerantly, and asks for an immediate poll of the location. A redelivered messageId is ignored.
/// </summary>
public sealed partial class GooglePushReceiver(
    ReviewWatchStorage storage,
    GoogleStore store,
    IOptions<GoogleOptions> options,
    TimeProvider time,
    ILogger<GooglePushReceiver> logger)
{
    private static readonly string[] Issuers = ["https://accounts.google.com", "accounts.google.com"];

    /// <summary>True when the Authorization header carries a valid token from the configured push service account.</summary>
    public async Task<bool> IsAuthorizedAsync(string? authorization, CancellationToken cancellationToken = default)
    {
        var pubsub = options.Value.PubSub;
        if (!GoogleOptions.IsSet(pubsub.Audience) || !GoogleOptions.IsSet(pubsub.ServiceAccount))
        {
            logger.LogWarning("Google push refused: Google__PubSub__Audience and Google__PubSub__ServiceAccount are not configured");
            return false;
        }

        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("Google push refused: no bearer token");
            return false;
        }

        var verification = new SignedTokenVerificationOptions
        {
            CertificatesUrl = GoogleOptions.IsSet(pubsub.CertsUrl) ? pubsub.CertsUrl : null,
        };
        verification.TrustedAudiences.Add(pubsub.Audience);
        foreach (var issuer in Issuers)
        {
            verification.TrustedIssuers.Add(issuer);
        }

        try
        {
            var payload = await JsonWebSignature.VerifySignedTokenAsync<GoogleJsonWebSignature.Payload>(authorization["Bearer ".Length..].Trim(), verification, cancellationToken);
            if (!string.Equals(payload.Email, pubsub.ServiceAccount, StringComparison.OrdinalIgnoreCase) || !payload.EmailVerified)
            {
                logger.LogWarning("Google push refused: token is for {Email} (verified {Verified}), not the push service account", payload.Email, payload.EmailVerified);
                return false;
            }

            return true;
        }
        catch (InvalidJwtException ex)
        {
            logger.LogWarning("Google push refused: {Reason}", ex.Message);
            return false;
        }
    }

    /// <summary>Handles an authorized delivery's body.</summary>
    public async Task<PushOutcome> HandleAsync(string body, CancellationToken cancellationToken = default)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(body)?["message"] as JsonObject;
        }
        catch (JsonException)
        {
            return new PushOutcome(400, "not a Pub/Sub push body (JSON with a message)");
        }

        if (message is null)
        {
            return new PushOutcome(400, "not a Pub/Sub push body (JSON with a message)");
        }

        var messageId = Text(message, "messageId", "message_id");
        var notification = Decode(Text(message, "data"));
        var type = notification is null ? null : Text(notification, "type", "notificationType", "notification_type");
        var reviewName = notification is null ? null : Text(notification, "reviewName", "review_name");
        var locationName = notification is null ? null : Text(notification, "locationName", "location_name");
        if (type is not ("NEW_REVIEW" or "UPDATED_REVIEW"))
        {
            // Acknowledge anything else: redelivering it would never help.
            logger.LogInformation("Google push {MessageId} ignored: notification type {Type}", messageId, type ?? "(none)");
            return new PushOutcome(204, $"ignored type {type ?? "(none)"}");
        }

        await store.EnsureCreatedAsync();
        if (!string.IsNullOrEmpty(messageId) && await store.PushMessages.GetOrDefaultAsync<PushMessageEntity>(PushMessageEntity.Partition, TableClientExtensions.SafeKey(messageId), cancellationToken) is not null)
        {
            logger.LogInformation("Google push {MessageId} was delivered before; ignored", messageId);
            return new PushOutcome(204, "redelivery ignored");
        }

        var locationId = LocationId(locationName) ?? LocationId(reviewName);
        var location = locationId is null ? null : await FindLocationAsync(locationId, cancellationToken);
        if (location is null)
        {
            logger.LogWarning("Google push {MessageId} for {Location} ({Review}) names no location we watch; acknowledged", messageId, locationName, reviewName);
            return new PushOutcome(204, "unknown location");
        }

        var request = new PollRequest(MessageCodec.CurrentVersion, location.BusinessId, location.LocationId, "push", time.GetUtcNow());
        await storage.EnsureCreatedAsync(cancellationToken);
        await storage.PollQueue.SendMessageAsync(MessageCodec.Write(request), cancellationToken);

        // Marked only after the poll is queued: a crash in between means one extra (harmless) poll, never a lost one.
        if (!string.IsNullOrEmpty(messageId))
        {
            await store.PushMessages.TryAddAsync(new PushMessageEntity
            {
                PartitionKey = PushMessageEntity.Partition,
                RowKey = TableClientExtensions.SafeKey(messageId),
                ReviewName = reviewName ?? string.Empty,
                LocationId = location.LocationId,
                ReceivedAt = time.GetUtcNow(),
            }, cancellationToken);
        }

        logger.LogInformation("Google push {MessageId} ({Type} {Review}): poll of {LocationId} queued", messageId, type, reviewName, location.LocationId);
        return new PushOutcome(204, "poll queued", request);
    }

    private async Task<Storage.LocationEntity?> FindLocationAsync(string googleLocationId, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var suffix = "locations/" + googleLocationId;
        await foreach (var l in storage.Locations.QueryAsync<Storage.LocationEntity>(TableClient.CreateQueryFilter($"Source eq {"google"}"), cancellationToken: cancellationToken))
        {
            if (l.SourceRef.EndsWith(suffix, StringComparison.Ordinal) && (l.SourceRef.Length == suffix.Length || l.SourceRef[^(suffix.Length + 1)] == '/'))
            {
                return l;
            }
        }

        return null;
    }

    /// <summary>The Google location id from accounts/{a}/locations/{l}[/reviews/{r}] or locations/{l}.</summary>
    private static string? LocationId(string? name) =>
        name is not null && LocationPattern().Match(name) is { Success: true } m ? m.Groups[1].Value : null;

    private static JsonObject? Decode(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromBase64String(data.Replace('-', '+').Replace('_', '/').PadRight(data.Length + ((4 - (data.Length % 4)) % 4), '='));
            return JsonNode.Parse(Encoding.UTF8.GetString(bytes)) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject o, params string[] names)
    {
        foreach (var name in names)
        {
            if (o[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrEmpty(s))
            {
                return s;
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?:^|/)locations/([^/]+)")]
    private static partial Regex LocationPattern();
}
