using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>The handler's answer to one invocation.</summary>
public sealed record InvocationOutcome(bool Succeeded, int StatusCode, JsonObject? Outputs, JsonNode? ReturnValue, IReadOnlyList<string> Logs, string RawBody);

/// <summary>
/// Sends invocations to the handler exactly as the Functions host does: POST /{FunctionName}, a chunked JSON
/// body {Data, Metadata} with primitives JSON-encoded into strings, and the host's headers.
/// An invocation that outlasts host.json's functionTimeout fails, and the handler is restarted, as the Functions host
/// restarts a worker after a function timeout: a hung handler (deadlocked, or stopped with SIGSTOP) cannot hold its
/// messages and timers for ever.
/// </summary>
public sealed class Invoker(HandlerProcess handler, TimeSpan functionTimeout, ILogger logger) : IDisposable
{
    public const string HostVersion = "4.1037.0.0";

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan }; // functionTimeout rules instead

    public async Task<InvocationOutcome> InvokeAsync(string functionName, JsonObject data, JsonObject metadata, CancellationToken cancellationToken)
    {
        await handler.WaitReadyAsync(cancellationToken);
        metadata["sys"] = new JsonObject
        {
            ["MethodName"] = functionName,
            ["UtcNow"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["RandGuid"] = Guid.NewGuid().ToString(),
        };
        var payload = new JsonObject { ["Data"] = data, ["Metadata"] = metadata };
        var invocationId = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(handler.BaseAddress, functionName));
        // A stream without a length goes out chunked, as the host sends it (no Content-Length).
        var bytes = Encoding.UTF8.GetBytes(payload.ToJsonString());
        request.Content = new StreamContent(new MemoryStream(bytes));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Azure-Functions-InvocationId", invocationId);
        request.Headers.Add("X-Azure-Functions-HostVersion", HostVersion);
        request.Headers.TryAddWithoutValidation("User-Agent", $"Azure-Functions-Host/{HostVersion}");

        logger.LogInformation("Executing 'Functions.{Function}' (Id={InvocationId})", functionName, invocationId);
        var processId = handler.ProcessId;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(functionTimeout);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await _http.SendAsync(request, timeout.Token);
            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning("Executed 'Functions.{Function}' (Failed, Id={InvocationId}): {Error}", functionName, invocationId, ex.Message);
            return new InvocationOutcome(false, 0, null, null, [], ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = $"Timeout value of {functionTimeout:c} exceeded by function 'Functions.{functionName}' (Id: '{invocationId}')";
            logger.LogError("{Reason}; restarting the handler (pid {Pid}), as the host restarts a worker after a function timeout", reason, processId);
            handler.Kill(processId);
            return new InvocationOutcome(false, 0, null, null, [], reason);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning(
                    "Executed 'Functions.{Function}' (Failed, Id={InvocationId}): Response status code does not indicate success: {Status}. {Body}",
                    functionName, invocationId, (int)response.StatusCode, Truncate(body));
                return new InvocationOutcome(false, (int)response.StatusCode, null, null, [], body);
            }

            JsonObject? parsed;
            try
            {
                parsed = JsonNode.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body) as JsonObject;
            }
            catch (JsonException ex)
            {
                logger.LogWarning("Executed 'Functions.{Function}' (Failed, Id={InvocationId}): the handler's answer is not JSON: {Error}", functionName, invocationId, ex.Message);
                return new InvocationOutcome(false, (int)response.StatusCode, null, null, [], body);
            }

            var logs = (parsed?["Logs"] as JsonArray)?.Select(l => l?.ToString() ?? string.Empty).ToList() ?? [];
            foreach (var line in logs)
            {
                logger.LogInformation("[{Function}] {Line}", functionName, line);
            }

            logger.LogInformation("Executed 'Functions.{Function}' (Succeeded, Id={InvocationId})", functionName, invocationId);
            return new InvocationOutcome(true, (int)response.StatusCode, parsed?["Outputs"] as JsonObject, parsed?["ReturnValue"], logs, body);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The host's rule for primitives: JSON-encode them into a string ("x" becomes "\"x\"", 4 becomes "4").</summary>
    public static JsonNode Encode(string value) => JsonValue.Create(JsonSerializer.Serialize(value))!;

    private static string Truncate(string s) => s.Length > 500 ? s[..500] + "…" : s;
}
