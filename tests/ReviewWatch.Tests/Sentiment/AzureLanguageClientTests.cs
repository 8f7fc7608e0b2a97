using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

public sealed class AzureLanguageClientTests : IAsyncLifetime
{
    private FakeLanguageService fake = null!;
    private readonly RecordingTimeProvider time = new();
    private readonly HttpClient http = new();

    public async Task InitializeAsync() => fake = await FakeLanguageService.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    private AzureLanguageOptions Options(string? key = "test-key") => new() { Endpoint = fake.Endpoint.ToString(), ApiKey = key };

    private AzureSentimentAnalyzer Analyzer(AzureLanguageOptions? options = null, FakeCredential? credential = null)
    {
        options ??= Options();
        var client = new AzureLanguageClient(http, options, credential, time, NullLogger<AzureLanguageClient>.Instance);
        return new AzureSentimentAnalyzer(client, options, NullLogger<AzureSentimentAnalyzer>.Instance);
    }

    private static SentimentInput Fi(string id, string text) => new(id, text, "fi");

    [Fact]
    public async Task Mixed_document_maps_label_score_and_opinion_targets_to_touchpoints()
    {
        var results = await Analyzer().AnalyzeAsync([Fi("r1", "Ruoka oli hyvää mutta palvelu hidasta.")]);

        var r = Assert.Single(results);
        Assert.Equal("r1", r.Id);
        Assert.Equal(SentimentLabel.Mixed, r.Label);
        Assert.Equal(-0.05, r.Score, 3);
        Assert.Equal("fi", r.Language);
        Assert.Contains(new TouchpointSentiment("product_quality", SentimentLabel.Positive), r.Touchpoints);
        Assert.Contains(new TouchpointSentiment("service_quality", SentimentLabel.Negative), r.Touchpoints);
        var request = Assert.Single(fake.Requests);
        Assert.Equal("SentimentAnalysis", request.Kind);
        Assert.True(request.OpinionMining);
        Assert.Equal("2025-11-01", request.ApiVersion);
        Assert.Equal("fi", request.Documents[0].Language);
    }

    [Fact]
    public async Task Key_auth_sends_the_subscription_key_header()
    {
        await Analyzer(Options("secret-key")).AnalyzeAsync([Fi("r1", "Hyvä kahvi.")]);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("secret-key", request.Key);
        Assert.Null(request.Authorization);
    }

    [Fact]
    public async Task Entra_id_auth_sends_a_bearer_token_for_the_cognitive_services_scope()
    {
        var credential = new FakeCredential();

        await Analyzer(Options(key: null), credential).AnalyzeAsync([Fi("r1", "Hyvä kahvi.")]);

        var request = Assert.Single(fake.Requests);
        Assert.Equal("Bearer fake-token", request.Authorization);
        Assert.Null(request.Key);
        Assert.Equal("https://cognitiveservices.azure.com/.default", credential.LastScope);
    }

    [Fact]
    public async Task Per_document_errors_fall_back_to_the_builtin_analyzer_without_failing_the_batch()
    {
        fake.RejectTexts.Add("Todella huono palvelu, en suosittele.");

        var results = await Analyzer().AnalyzeAsync([Fi("a", "Ruoka oli hyvää."), Fi("b", "Todella huono palvelu, en suosittele."), Fi("c", "Kiva paikka.")]);

        Assert.Equal(["a", "b", "c"], results.Select(r => r.Id));
        Assert.Equal(SentimentLabel.Mixed, results[0].Label);
        Assert.Equal(SentimentLabel.Negative, results[1].Label);
        Assert.Equal(SentimentLabel.Mixed, results[2].Label);
        Assert.Equal(1, fake.SentimentRequests);
    }

    [Fact]
    public async Task Throttled_request_waits_the_retry_after_then_succeeds()
    {
        fake.Failures.Enqueue((429, "2", """{"error":{"code":"429","message":"Rate limit is exceeded. Try again in 2 seconds."}}"""));

        var results = await Analyzer().AnalyzeAsync([Fi("r1", "Hyvä kahvi.")]);

        Assert.Equal(SentimentLabel.Mixed, Assert.Single(results).Label);
        Assert.Equal(2, fake.SentimentRequests);
        Assert.Equal([TimeSpan.FromSeconds(2)], time.Delays);
    }

    [Fact]
    public async Task A_huge_retry_after_is_capped()
    {
        fake.Failures.Enqueue((429, "86400", """{"error":{"code":"429","message":"Out of call volume quota."}}"""));

        await Analyzer().AnalyzeAsync([Fi("r1", "Hyvä kahvi.")]);

        Assert.Equal([TimeSpan.FromSeconds(30)], time.Delays);
    }

    [Fact]
    public async Task Service_unavailable_is_retried_with_backoff()
    {
        fake.Failures.Enqueue((503, null, """{"error":{"code":"ServiceUnavailable","message":"Try later."}}"""));
        fake.Failures.Enqueue((500, null, """{"error":{"code":"InternalServerError","message":"Oops."}}"""));

        var results = await Analyzer().AnalyzeAsync([Fi("r1", "Hyvä kahvi.")]);

        Assert.Single(results);
        Assert.Equal(3, fake.SentimentRequests);
        Assert.Equal(2, time.Delays.Count);
        Assert.True(time.Delays[1] > time.Delays[0], "backoff grows");
    }

    [Theory]
    [InlineData(400, "InvalidDocumentBatch")]
    [InlineData(401, "Unauthorized")]
    [InlineData(403, "Forbidden")]
    public async Task Client_errors_are_not_retried_and_surface_status_and_code(int status, string code)
    {
        fake.Failures.Enqueue((status, null, $$$$"""{"error":{"code":"{{{{code}}}}","message":"No.","innererror":null}}"""));

        var ex = await Assert.ThrowsAsync<AzureLanguageException>(() => Analyzer().AnalyzeAsync([Fi("r1", "Hyvä kahvi.")]));

        Assert.Equal(status, ex.Status);
        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(1, fake.SentimentRequests);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task An_overlong_document_is_trimmed_to_5120_text_elements()
    {
        // "e" + combining acute: two UTF-16 chars, one text element.
        var text = string.Concat(Enumerable.Repeat("e\u0301", 6000));

        var results = await Analyzer().AnalyzeAsync([Fi("long", text)]);

        var sent = Assert.Single(fake.Requests).Documents[0].Text;
        Assert.Equal(5120, new StringInfo(sent).LengthInTextElements);
        Assert.Equal(SentimentLabel.Mixed, Assert.Single(results).Label);
    }

    [Fact]
    public async Task Twenty_five_documents_go_in_three_requests_of_at_most_ten()
    {
        var inputs = Enumerable.Range(1, 25).Select(i => Fi($"r{i}", $"Arvostelu numero {i}: hyvä kahvi.")).ToList();

        var results = await Analyzer().AnalyzeAsync(inputs);

        Assert.Equal(25, results.Count);
        Assert.Equal(inputs.Select(i => i.Id), results.Select(r => r.Id));
        Assert.Equal([10, 10, 5], fake.Requests.Select(r => r.Documents.Count));
    }

    [Fact]
    public async Task Replaying_unchanged_documents_sends_no_request()
    {
        var analyzer = Analyzer();
        var inputs = Enumerable.Range(1, 25).Select(i => Fi($"r{i}", $"Arvostelu numero {i}: hyvä kahvi.")).ToList();
        await analyzer.AnalyzeAsync(inputs);
        var before = fake.Requests.Count;

        var replay = await analyzer.AnalyzeAsync([.. inputs.Select(i => i with { Id = "again-" + i.Id })]);

        Assert.Equal(before, fake.Requests.Count);
        Assert.Equal(inputs.Select(i => "again-" + i.Id), replay.Select(r => r.Id));
        Assert.All(replay, r => Assert.Equal(SentimentLabel.Mixed, r.Label));
    }

    [Fact]
    public async Task Changed_text_is_sent_again_but_unchanged_neighbours_are_not()
    {
        var analyzer = Analyzer();
        await analyzer.AnalyzeAsync([Fi("a", "Hyvä kahvi."), Fi("b", "Kiva paikka.")]);

        await analyzer.AnalyzeAsync([Fi("a", "Hyvä kahvi."), Fi("b", "Kiva paikka, muokattu.")]);

        Assert.Equal(2, fake.SentimentRequests);
        Assert.Equal(["Kiva paikka, muokattu."], fake.Requests.Last().Documents.Select(d => d.Text));
    }

    [Fact]
    public async Task Language_is_detected_first_when_not_given_and_then_passed_explicitly()
    {
        var analyzer = Analyzer();

        await analyzer.AnalyzeAsync([new SentimentInput("r1", "Kahvi oli hyvää ja pulla tuoretta.")]);
        await analyzer.AnalyzeAsync([new SentimentInput("r1", "Kahvi oli hyvää ja pulla tuoretta.")]);

        Assert.Equal(["LanguageDetection", "SentimentAnalysis"], fake.Requests.Select(r => r.Kind));
        Assert.Equal("fi", fake.Requests.Last().Documents[0].Language);
    }

    [Fact]
    public void Configuration_chooses_the_builtin_analyzer_by_default_and_azure_when_asked()
    {
        ISentimentAnalyzer Resolve(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System).AddLogging();
            services.AddSentiment(configuration);
            return services.BuildServiceProvider().GetRequiredService<ISentimentAnalyzer>();
        }

        Assert.IsType<LexiconAnalyzer>(Resolve([]));
        Assert.IsType<AzureSentimentAnalyzer>(Resolve(new()
        {
            ["Sentiment:Analyzer"] = "azure",
            ["Sentiment:Azure:Endpoint"] = fake.Endpoint.ToString(),
            ["Sentiment:Azure:ApiKey"] = "k",
        }));
    }
}

/// <summary>Records every delay asked of it and lets it elapse at once, so retry tests neither sleep nor race.</summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> delays = [];

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (delays)
            {
                return [.. delays];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (delays)
            {
                delays.Add(dueTime);
            }
        }

        return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
    }
}
