namespace ReviewWatch.Sentiment;

/// <summary>A failed Azure AI Language call: the HTTP status and the service's error code (e.g. "InvalidDocumentBatch").</summary>
public sealed class AzureLanguageException : Exception
{
    public AzureLanguageException()
    {
    }

    public AzureLanguageException(string message)
        : base(message)
    {
    }

    public AzureLanguageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AzureLanguageException(int status, string? errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>HTTP status (0 when no response arrived).</summary>
    public int Status { get; }

    /// <summary>The service's error code (inner error code when given), or null.</summary>
    public string? ErrorCode { get; }
}
