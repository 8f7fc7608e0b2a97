namespace ReviewWatch.Google;

/// <summary>
/// A Google API call failed. <see cref="Status"/> is the HTTP status (0 when no response arrived) and
/// <see cref="ErrorCode"/> Google's error status (e.g. PERMISSION_DENIED, RESOURCE_EXHAUSTED, invalid_grant).
/// </summary>
public sealed class GoogleApiException(int status, string errorCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int Status { get; } = status;
    public string ErrorCode { get; } = errorCode;

    /// <summary>The credentials are no longer accepted: someone must run <c>google connect</c> again.</summary>
    public bool NeedsReconnect => Status == 401 || ErrorCode is "invalid_grant" or "unauthorized_client" or "not_configured";

    /// <summary>"403 PERMISSION_DENIED: The caller does not have permission" — what staff and logs see.</summary>
    public string Reason => Status == 0 ? Message : $"{Status} {ErrorCode}: {Message}";
}
