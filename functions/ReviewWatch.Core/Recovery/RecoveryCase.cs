using System.Security.Cryptography;
using System.Text;
using ReviewWatch.Storage;

namespace ReviewWatch.Recovery;

/// <summary>Case states. new → claimed → replied → resolved; dismissed from any open state.</summary>
public static class CaseStatus
{
    public const string New = "new";
    public const string Claimed = "claimed";
    public const string Replied = "replied";
    public const string Resolved = "resolved";
    public const string Dismissed = "dismissed";

    public static bool IsOpen(string status) => status is New or Claimed or Replied;
}

/// <summary>What the business did to win the customer back.</summary>
public static class MakeGood
{
    public static readonly string[] All = ["none", "apology", "discount", "refund", "redo", "other"];
}

/// <summary>Thrown when a case is asked to move to a state its current state does not allow.</summary>
public sealed class InvalidCaseTransitionException(string caseId, string from, string to)
    : Exception($"Case {caseId} cannot go from '{from}' to '{to}'.")
{
    public string From { get; } = from;
    public string To { get; } = to;
}

/// <summary>
/// A recovery case: Cases table, PartitionKey businessId, RowKey caseId. Status changes only through the
/// methods below, which check the transition; callers persist with the ETag so concurrent changes conflict.
/// </summary>
public sealed class RecoveryCase : EntityBase
{
    public string BusinessId => PartitionKey;
    public string CaseId => RowKey;
    public string LocationId { get; set; } = string.Empty;
    public string ItemKind { get; set; } = "review";
    public string ItemKey { get; set; } = string.Empty;
    public string ItemText { get; set; } = string.Empty;
    /// <summary>Where the item lives (a mention's post); empty for reviews.</summary>
    public string ItemUrl { get; set; } = string.Empty;
    public string ReviewerName { get; set; } = string.Empty;
    public int Rating { get; set; }
    public string Language { get; set; } = "und";
    public string Touchpoints { get; set; } = "[]";
    public string Severity { get; set; } = "medium";

    /// <summary>The severity the case was opened with (<see cref="Severity"/> rises if the item gets worse); empty on older rows.</summary>
    public string OpenedSeverity { get; set; } = string.Empty;

    public string Status { get; set; } = CaseStatus.New;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ItemCreatedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string AssignedTo { get; set; } = string.Empty;
    public DateTimeOffset? ClaimedAt { get; set; }
    public string DraftReply { get; set; } = string.Empty;
    public string ReplyText { get; set; } = string.Empty;
    public DateTimeOffset? RepliedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string ClosedBy { get; set; } = string.Empty;
    public string Outcome { get; set; } = string.Empty;
    public string OutcomeNote { get; set; } = string.Empty;

    /// <summary>The case id for an item: stable, so every replay of the same item finds the same case.</summary>
    public static string IdFor(string itemKind, string itemPartition, string itemKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{itemKind}|{itemPartition}|{itemKey}"));
        return "c-" + Convert.ToHexString(hash)[..16].ToLowerInvariant();
    }

    public void Claim(string user, DateTimeOffset now)
    {
        Require(CaseStatus.Claimed, CaseStatus.New);
        Status = CaseStatus.Claimed;
        AssignedTo = user;
        ClaimedAt = now;
    }

    public void RecordReply(string user, string text, DateTimeOffset now)
    {
        Require(CaseStatus.Replied, CaseStatus.Claimed, CaseStatus.Replied);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("A reply needs text.", nameof(text));
        }

        Status = CaseStatus.Replied;
        AssignedTo = string.IsNullOrEmpty(AssignedTo) ? user : AssignedTo;
        ReplyText = text;
        RepliedAt = now;
    }

    public void Resolve(string user, string outcome, string note, DateTimeOffset now)
    {
        Require(CaseStatus.Resolved, CaseStatus.Claimed, CaseStatus.Replied);
        if (!MakeGood.All.Contains(outcome))
        {
            throw new ArgumentException($"Unknown outcome '{outcome}'; expected one of {string.Join(", ", MakeGood.All)}.", nameof(outcome));
        }

        Status = CaseStatus.Resolved;
        Outcome = outcome;
        OutcomeNote = note;
        ClosedAt = now;
        ClosedBy = user;
    }

    public void Dismiss(string user, string note, DateTimeOffset now)
    {
        Require(CaseStatus.Dismissed, CaseStatus.New, CaseStatus.Claimed, CaseStatus.Replied);
        Status = CaseStatus.Dismissed;
        OutcomeNote = note;
        ClosedAt = now;
        ClosedBy = user;
    }

    private void Require(string to, params string[] allowedFrom)
    {
        if (!allowedFrom.Contains(Status))
        {
            throw new InvalidCaseTransitionException(CaseId, Status, to);
        }
    }
}
