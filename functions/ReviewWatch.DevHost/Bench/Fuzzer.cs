using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReviewWatch.DevHost.Bench;

/// <summary>What the fuzz run saw.</summary>
public sealed record FuzzResult(int Requests, IReadOnlyDictionary<string, SortedDictionary<int, int>> Statuses, IReadOnlyList<string> Violations, bool SamePid, bool StillAnswers, InvariantReport Work)
{
    public bool Passed => Violations.Count == 0 && SamePid && StillAnswers && Work.Holds;

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"bench fuzz: {Requests} requests; handler pid unchanged: {SamePid}; GET / still answers: {StillAnswers}"));
        foreach (var (endpoint, statuses) in Statuses.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {endpoint,-28} {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        }

        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  violations: {Violations.Count}"));
        foreach (var v in Violations.Take(15))
        {
            sb.AppendLine("    " + v);
        }

        sb.AppendLine("  valid work queued alongside:");
        sb.Append(Work.Describe());
        sb.AppendLine(Passed ? "PASS" : "FAIL");
        return sb.ToString();
    }
}

/// <summary>
/// Fuzzes every function endpoint (POST /{FunctionName} on the handler, as the host calls it) and the staff API
/// (through the dev host, with a valid bearer token) with generated payloads, while real polls run alongside.
/// Passes when the handler never restarts, every answer is a 4xx with a reason (or, for a queue function given
/// a well-formed invocation with a bad message, a 500 naming it), and the real work all completes.
/// </summary>
public static class Fuzzer
{
    private static readonly string[] QueueFunctions = ["PollLocation", "DispatchAlert"];

#pragma warning disable CA5394 // Fuzz input, not security.
    public static async Task<FuzzResult> RunAsync(string appRoot, int casesPerEndpoint, int seed, Action<string>? log, CancellationToken cancellationToken = default)
    {
        using var loggers = Local.LocalServices.CreateLoggerFactory(LogLevel.Critical);
        var workload = new Workload(Math.Clamp(casesPerEndpoint / 5, 50, 500), 5, waves: 5, seed: seed);
        await using var rig = await PipelineRig.StartAsync(new RigOptions(appRoot), loggers, cancellationToken);
        await rig.SeedAsync(workload, cancellationToken);
        var token = await MintTokenAsync(rig);
        var host = rig.Hosts[0];
        var pid = host.Handler.ProcessId;
        using var handler = new HttpClient { BaseAddress = host.Handler.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var api = new HttpClient { BaseAddress = host.HttpBaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var random = new Random(seed);
        var statuses = new Dictionary<string, SortedDictionary<int, int>>(StringComparer.Ordinal);
        var violations = new List<string>();
        var requests = 0;
        var functions = host.App.Functions.Select(f => f.Name).ToList();
        var targets = functions.Select(f => ("function", f)).Concat(StaffRoutes.Select(r => ("api", r))).ToList();
        var waves = workload.Reviews.GroupBy(r => r.Wave).OrderBy(g => g.Key).ToList();
        // Real case ids (of the companion work's negative reviews) as well as made-up ones, so actions reach real cases.
        var caseIds = workload.Reviews.Where(r => r.Negative)
            .Select(r => Recovery.RecoveryCase.IdFor("review", r.Location.LocationId, Storage.TableClientExtensions.SafeKey(r.Review.Id))).ToList();

        for (var i = 0; i < casesPerEndpoint; i++)
        {
            // Real work alongside: a wave of new reviews and its polls at every fifth of the run.
            if (waves.Count > 0 && i % Math.Max(1, casesPerEndpoint / waves.Count) == 0)
            {
                var wave = waves[0];
                waves.RemoveAt(0);
                rig.Publish(wave);
                await rig.EnqueuePollsAsync(wave.Select(r => r.Location).Distinct(), "fuzz-companion", cancellationToken);
            }

            foreach (var (kind, target) in targets)
            {
                var (label, request, validEnvelope) = kind == "function" ? FunctionCase(random, target) : ApiCase(random, target, caseIds);
                if (target.Contains("google", StringComparison.Ordinal))
                {
                    // Pub/Sub's own credentials (a Google-signed OIDC token), so the fuzz reaches the body.
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", rig.Google.CreatePushToken(rig.Settings["Google__PubSub__Audience"], DateTimeOffset.UtcNow.AddMinutes(30)));
                }

                using (request)
                {
                    var sent = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
                    requests++;
                    HttpResponseMessage response;
                    try
                    {
                        response = await (kind == "function" ? handler : api).SendAsync(request, cancellationToken);
                    }
                    catch (HttpRequestException ex)
                    {
                        violations.Add($"{target} [{label}]: no answer ({ex.Message})");
                        continue;
                    }

                    using (response)
                    {
                        var status = (int)response.StatusCode;
                        var body = await response.Content.ReadAsStringAsync(cancellationToken);
                        var key = kind == "function" ? "POST /" + target : target;
                        if (!statuses.TryGetValue(key, out var counts))
                        {
                            statuses[key] = counts = [];
                        }

                        counts[status] = counts.GetValueOrDefault(status) + 1;
                        if (Judge(kind, target, status, body, validEnvelope, sent) is string problem && violations.Count < 200)
                        {
                            violations.Add($"{key} [{label}] → {status}: {problem}; body: {Trim(body)}");
                        }
                    }
                }
            }

            if (i > 0 && i % 500 == 0)
            {
                log?.Invoke($"fuzz: {i}/{casesPerEndpoint} cases per endpoint, {violations.Count} violations");
            }
        }

        foreach (var wave in waves)
        {
            rig.Publish(wave);
            await rig.EnqueuePollsAsync(wave.Select(r => r.Location).Distinct(), "fuzz-companion", cancellationToken);
        }

        await rig.WaitSettledAsync(workload.Negatives, TimeSpan.FromMinutes(3), log, cancellationToken: cancellationToken);
        var samePid = host.Handler.ProcessId == pid;
        bool answers;
        try
        {
            using var root = await handler.GetAsync("/", cancellationToken);
            answers = root.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            answers = false;
        }

        var work = await InvariantReport.CheckAsync(rig, workload, cancellationToken);
        return new FuzzResult(requests, statuses, violations, samePid, answers, work);
    }

    private static readonly string[] StaffRoutes =
    [
        "GET /api/cases", "GET /api/cases/{id}", "POST /api/cases/{id}/claim", "PUT /api/cases/{id}/draft", "POST /api/cases/{id}/reply",
        "POST /api/cases/{id}/resolve", "POST /api/cases/{id}/dismiss", "GET /api/digests/{id}", "POST /api/google/notifications",
    ];

    /// <summary>Null when the answer is acceptable, else what is wrong with it.</summary>
    private static string? Judge(string kind, string target, int status, string body, bool validEnvelope, byte[] requestBody)
    {
        if (status is >= 400 and < 500)
        {
            // A reason: a body, except the bare 404/405 of a route that is not an invocation endpoint.
            return body.Trim().Length > 0 || status is 404 or 405 ? null : "4xx without a reason";
        }

        if (status >= 500)
        {
            var named = body.Contains("\"error\"", StringComparison.Ordinal);
            return kind == "function" && QueueFunctions.Contains(target) && HasMessage(requestBody) && named ? null
                : kind == "function" && QueueFunctions.Contains(target) && named ? "500 for an invocation that is not well-formed (should be 400)"
                : "5xx";
        }

        if (status is >= 200 and < 300)
        {
            // Timer functions ignore their Data: any envelope that is a JSON object legitimately runs them.
            return kind == "function" && !QueueFunctions.Contains(target) && (validEnvelope || IsJsonObject(requestBody)) ? null
                : kind == "api" && target.StartsWith("GET ", StringComparison.Ordinal) ? null
                // The staff API reading a JSON object it can act on (a real case, a valid or extended body) may succeed.
                : kind == "api" && target.Contains("/api/cases/", StringComparison.Ordinal) && (requestBody.Length == 0 || IsJsonObject(requestBody)) ? null
                // Pub/Sub push: a JSON envelope that is not about a review is acknowledged (else Pub/Sub redelivers it forever).
                : kind == "api" && target.Contains("google", StringComparison.Ordinal) && IsJsonObject(requestBody) ? null
                : "accepted a generated payload";
        }

        return "unexpected status";
    }

    /// <summary>A well-formed invocation of a queue function: a JSON object whose Data holds the "msg" binding.</summary>
    private static bool HasMessage(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Data", out var data)
                && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsJsonObject(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (string Label, HttpRequestMessage Request, bool ValidEnvelope) FunctionCase(Random random, string function)
    {
        var valid = new JsonObject
        {
            ["Data"] = new JsonObject { ["msg"] = Encode(MessageFor(random, function)) },
            ["Metadata"] = new JsonObject { ["DequeueCount"] = "1", ["Id"] = Encode(Guid.NewGuid().ToString()) },
        }.ToJsonString();
        var (label, bytes, envelope) = Mutate(random, valid);
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + function) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return (label, request, envelope);
    }

    /// <summary>A bad queue message inside a well-formed envelope (or a whole valid-looking one for other functions).</summary>
    private static string MessageFor(Random random, string function) => random.Next(6) switch
    {
        0 => new JsonObject { ["v"] = 1, ["businessId"] = "nobody", ["locationId"] = "nowhere" }.ToJsonString(),
        1 => new JsonObject { ["v"] = 99, ["businessId"] = "b", ["locationId"] = "l" }.ToJsonString(),
        2 => new JsonObject { ["v"] = 1, ["businessId"] = "x", ["itemKind"] = "review", ["itemPartition"] = "none", ["itemKey"] = "none", ["severity"] = "high" }.ToJsonString(),
        3 => new JsonObject { ["v"] = "1", ["businessId"] = 5, ["locationId"] = new JsonArray() }.ToJsonString(),
        4 => "not json at all " + function,
        _ => new JsonObject { ["v"] = 1, ["itemKind"] = "tweet", ["itemPartition"] = "p", ["itemKey"] = "k", ["severity"] = "low" }.ToJsonString(),
    };

    private static (string Label, HttpRequestMessage Request, bool ValidEnvelope) ApiCase(Random random, string route, IReadOnlyList<string> caseIds)
    {
        var parts = route.Split(' ');
        var id = route.Contains("digests", StringComparison.Ordinal) ? (random.Next(2) == 0 ? "bench-b000" : Segment(random))
            : caseIds.Count > 0 && random.Next(2) == 0 ? caseIds[random.Next(caseIds.Count)] : Segment(random);
        var path = parts[1].Replace("{id}", id, StringComparison.Ordinal);
        if (parts[1] == "/api/cases" && random.Next(2) == 0)
        {
            path += "?status=" + Uri.EscapeDataString(Text(random, 40)) + "&severity=" + Uri.EscapeDataString(Text(random, 10));
        }
        else if (parts[1].StartsWith("/api/digests", StringComparison.Ordinal))
        {
            path += "?week=" + Uri.EscapeDataString(Text(random, 12));
        }

        var valid = route.Contains("resolve", StringComparison.Ordinal)
            ? """{"outcome":"apology","note":"sorry"}"""
            : route.Contains("google", StringComparison.Ordinal)
                ? """{"message":{"data":"e30=","messageId":"1"},"subscription":"s"}"""
                : """{"text":"Kiitos palautteesta","note":"n"}""";
        var (label, bytes, _) = Mutate(random, valid);
        var request = new HttpRequestMessage(new HttpMethod(parts[0]), path);
        if (parts[0] != "GET")
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return (label, request, false);
    }

    /// <summary>One of the generated kinds: truncated JSON, wrong types, huge strings, deep nesting, invalid UTF-8, unknown and missing fields.</summary>
    private static (string Label, byte[] Bytes, bool ValidEnvelope) Mutate(Random random, string valid)
    {
        var node = JsonNode.Parse(valid)!.AsObject();
        switch (random.Next(9))
        {
            case 0:
                return ("truncated", Encoding.UTF8.GetBytes(valid[..random.Next(valid.Length)]), false);
            case 1:
            {
                var key = node.Select(p => p.Key).ElementAt(random.Next(node.Count));
                node[key] = random.Next(4) switch { 0 => 42, 1 => true, 2 => new JsonArray(1, 2), _ => null };
                return ("wrong type", Encoding.UTF8.GetBytes(node.ToJsonString()), false);
            }

            case 2:
            {
                var key = node.Select(p => p.Key).ElementAt(random.Next(node.Count));
                node[key] = new string('ä', random.Next(100_000, 1_000_000));
                return ("huge string", Encoding.UTF8.GetBytes(node.ToJsonString()), false);
            }

            case 3:
            {
                var depth = random.Next(100, 20_000);
                return ("deep nesting", Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), false);
            }

            case 4:
            {
                var bytes = Encoding.UTF8.GetBytes(valid);
                var at = random.Next(bytes.Length);
                bytes[at] = (byte)(0x80 + random.Next(0x40)); // a lone continuation byte
                return ("invalid UTF-8", bytes, false);
            }

            case 5:
                node["unexpected" + random.Next(1000)] = Text(random, 20);
                return ("unknown field", Encoding.UTF8.GetBytes(node.ToJsonString()), node.ContainsKey("Data"));
            case 6:
                node.Remove(node.Select(p => p.Key).ElementAt(random.Next(node.Count)));
                return ("missing field", Encoding.UTF8.GetBytes(node.ToJsonString()), false);
            case 7:
            {
                var garbage = new byte[random.Next(0, 512)];
                random.NextBytes(garbage);
                return ("random bytes", garbage, false);
            }

            default:
                return ("well-formed, bad content", Encoding.UTF8.GetBytes(valid), node.ContainsKey("Data"));
        }
    }

    private static string Segment(Random random) => random.Next(4) switch
    {
        0 => "c-" + Guid.NewGuid().ToString("N"),
        1 => Uri.EscapeDataString(Text(random, random.Next(1, 300))),
        2 => new string('x', 2000),
        _ => "%2e%2e",
    };

    private static string Text(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0x2FF);
        }

        return new string(chars);
    }
#pragma warning restore CA5394

    private static JsonNode Encode(string value) => JsonValue.Create(JsonSerializer.Serialize(value))!;

    private static string Trim(string s) => s.Length > 160 ? s[..160] + "…" : s;

    private static async Task<string> MintTokenAsync(PipelineRig rig)
    {
        // The owner must exist as a member; the token is minted with the Data Protection key the handler shares.
        await using var services = Local.LocalServices.Create(rig.Settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var storage = services.GetRequiredService<Storage.ReviewWatchStorage>();
        await storage.EnsureCreatedAsync();
        await storage.Users.UpsertEntityAsync(new Storage.UserEntity { PartitionKey = "u", RowKey = "fuzz@bench.example", DisplayName = "Fuzz", Roles = "owner", Businesses = "*" });
        return Security.DevTokens.Create(services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), "fuzz@bench.example");
    }
}
