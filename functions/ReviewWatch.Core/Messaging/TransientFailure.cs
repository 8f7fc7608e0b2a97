using ReviewWatch.Alerts;
using ReviewWatch.Google;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Messaging;

/// <summary>
/// Which failures of a queue-triggered function may pass if the message is tried again later: an outside service or
/// storage unreachable, slow, throttled or failing on its side. Anything else (a message we cannot handle, a bug) is
/// not, and such a message goes to the poison queue as before.
/// </summary>
public static class TransientFailure
{
    public static bool Is(Exception error, CancellationToken cancellationToken) => error switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a call's own timeout, not ours
        ChannelsFailedException => true,
        InvalidMessageException => false,
        Azure.RequestFailedException storage => Passing(storage.Status),
        GoogleApiException google => Passing(google.Status),
        AzureLanguageException language => Passing(language.Status),
        HttpRequestException or TimeoutException => true,
        IOException io => io is not (FileNotFoundException or DirectoryNotFoundException), // a missing file is not going to appear
        AggregateException many => many.InnerExceptions.Count > 0 && many.InnerExceptions.All(e => Is(e, cancellationToken)),
        _ => false,
    };

    /// <summary>An HTTP status a later try may not meet again: no answer (0), a timeout, throttling, a server error.</summary>
    private static bool Passing(int status) => status is 0 or 408 or 429 or >= 500;
}
