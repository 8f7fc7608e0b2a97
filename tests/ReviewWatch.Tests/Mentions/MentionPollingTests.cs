using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ReviewWatch.Alerts;
using ReviewWatch.Mentions;
using ReviewWatch.Messaging;
using ReviewWatch.Recovery;
using ReviewWatch.Storage;
using ReviewWatch.Tests.Infrastructure;

namespace ReviewWatch.Tests.Mentions;

[Collection(AzuriteCollection.Name)]
public sealed class MentionPollingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private MentionTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await MentionTestBed.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Every_source_reads_all_pages_of_its_documented_payloads()
    {
        var apis = _bed.Apis;
        apis.RedditPages.Add([FakeSocialApis.RedditPost("r1", "Kanelitupa Kallio", "Paras korvapuusti ikinä.")]);
        apis.RedditPages.Add([FakeSocialApis.RedditPost("r2", "Kävin Kanelituvassa", "Kanelitupa oli kiva, kahvi hyvää.", created: DateTimeOffset.UtcNow.AddHours(-1))]);
        apis.BlueskyPages.Add([FakeSocialApis.BlueskyPost("maija.bsky.social", "3kabc1", "Aamukahvi Kanelitupa Kalliossa, ihana paikka")]);
        apis.BlueskyPages.Add([FakeSocialApis.BlueskyPost("pekka.bsky.social", "3kabc2", "Kanelitupa Tampere: hyvä pulla ja mukava palvelu", DateTimeOffset.UtcNow.AddHours(-2))]);
        apis.MastodonTagPages.Add([apis.MastodonStatus("110000000000000103", "<p>Uusi suosikki <a href=\"https://x/tags/kanelitupa\" class=\"mention hashtag\">#<span>kanelitupa</span></a> korvapuusti</p>")]);
        apis.MastodonTagPages.Add([apis.MastodonStatus("110000000000000102", "<p>Eilen <a href=\"https://x/tags/kanelitupa\">#<span>kanelitupa</span></a><br>kahvit &amp; pullat</p>")]);
        apis.MastodonSearchStatuses.Add(apis.MastodonStatus("110000000000000109", "<p>Kanelitupa Kallio on paras leipomo.</p>"));
        await _bed.ConfigureAsync(_bed.Config(reddit: true, bluesky: true, mastodon: true));

        var result = await _bed.Poller.PollAllAsync();

        Assert.True(result.Failed == 0, string.Join('\n', _bed.Logs.Lines));
        var mentions = await _bed.MentionsAsync("kept");
        Assert.Equal(7, mentions.Count);
        Assert.Equal(["bluesky", "bluesky", "mastodon", "mastodon", "mastodon", "reddit", "reddit"], mentions.Select(m => m.Source).Order().ToArray());
        Assert.Contains(mentions, m => m.Url == "https://bsky.app/profile/maija.bsky.social/post/3kabc1" && m.Author == "maija.bsky.social");
        Assert.Contains(mentions, m => m.Url == "https://www.reddit.com/r/Finland/comments/r2/r2_post/" && m.Title == "Kävin Kanelituvassa");
        var html = Assert.Single(mentions, m => m.ExternalId.EndsWith("102", StringComparison.Ordinal));
        Assert.Equal("Eilen #kanelitupa kahvit & pullat", html.Text);
        // Pagination: Reddit by after, Bluesky by cursor, Mastodon by the Link header's max_id.
        Assert.Contains(apis.Requests, r => r.StartsWith("GET /search?", StringComparison.Ordinal) && r.Contains("after=t3_page1", StringComparison.Ordinal));
        Assert.Contains(apis.Requests, r => r.StartsWith("GET /xrpc/app.bsky.feed.searchPosts?", StringComparison.Ordinal) && r.Contains("cursor=c1", StringComparison.Ordinal));
        Assert.Contains(apis.Requests, r => r.StartsWith("GET /api/v1/timelines/tag/kanelitupa?", StringComparison.Ordinal) && r.Contains("max_id=110000000000000103", StringComparison.Ordinal));
        Assert.Contains(apis.Requests, r => r.StartsWith("GET /api/v2/search?", StringComparison.Ordinal) && r.Contains("type=statuses", StringComparison.Ordinal) && r.Contains("resolve=false", StringComparison.Ordinal));
        Assert.Equal(1, apis.RedditTokenRequests);
        var mastodonCursor = await _bed.CursorAsync("mastodon", $"127.0.0.1_{apis.BaseAddress.Port}-tag-kanelitupa");
        Assert.Equal("110000000000000103", mastodonCursor?.Cursor);
    }

    [Fact]
    public async Task A_rate_limited_source_waits_for_its_reset_while_the_others_deliver()
    {
        var apis = _bed.Apis;
        apis.RedditRateLimited = new() { ["X-Ratelimit-Remaining"] = "0", ["X-Ratelimit-Used"] = "100", ["X-Ratelimit-Reset"] = "300" };
        apis.RedditPages.Add([FakeSocialApis.RedditPost("r1", "Kanelitupa Kallio", "Hyvä kahvila.")]);
        apis.BlueskyPages.Add([FakeSocialApis.BlueskyPost("maija.bsky.social", "3kabc1", "Kanelitupa Kallio, hyvä aamukahvi")]);
        // Mastodon answers its first page but says its budget is spent: page two waits for the reset.
        apis.MastodonHeaders["X-RateLimit-Limit"] = "300";
        apis.MastodonHeaders["X-RateLimit-Remaining"] = "0";
        apis.MastodonHeaders["X-RateLimit-Reset"] = _bed.Time.GetUtcNow().AddMinutes(2).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        apis.MastodonTagPages.Add([apis.MastodonStatus("200", "<p>#kanelitupa aamulla</p>")]);
        apis.MastodonTagPages.Add([apis.MastodonStatus("199", "<p>#kanelitupa illalla</p>")]);
        var config = _bed.Config(reddit: true, bluesky: true, mastodon: true) with { SearchTerms = [], Hashtags = ["kanelitupa"] };
        await _bed.ConfigureAsync(config with { SearchTerms = ["Kanelitupa"], Mastodon = config.Mastodon with { } });
        var start = _bed.Time.GetUtcNow();

        var first = await _bed.Poller.PollAllAsync();

        Assert.True(first.Failed == 0, string.Join('\n', _bed.Logs.Lines));
        var mentions = await _bed.MentionsAsync("kept");
        Assert.Contains(mentions, m => m.Source == "bluesky");
        Assert.Contains(mentions, m => m.Source == "mastodon" && m.ExternalId.EndsWith("200", StringComparison.Ordinal));
        Assert.DoesNotContain(mentions, m => m.Source == "reddit");
        Assert.DoesNotContain(mentions, m => m.ExternalId.EndsWith("199", StringComparison.Ordinal));
        var reddit = await _bed.CursorAsync("reddit", "search");
        Assert.Equal(start.AddSeconds(300), reddit?.NotBefore);
        Assert.Contains("429", reddit!.LastError, StringComparison.Ordinal);
        Assert.Contains(_bed.Logs.Lines, l => l.Contains("reddit (search)", StringComparison.Ordinal) && l.Contains("rate limited", StringComparison.Ordinal));

        // Before the reset nothing is asked of Reddit (or of Mastodon's tag timeline).
        var searchesBefore = apis.Requests.Count(r => r.StartsWith("GET /search", StringComparison.Ordinal));
        var tagBefore = apis.Requests.Count(r => r.StartsWith("GET /api/v1/timelines/tag", StringComparison.Ordinal));
        _bed.Time.Advance(TimeSpan.FromSeconds(60));
        var second = await _bed.Poller.PollAllAsync();
        Assert.True(second.Skipped >= 2, $"expected reddit and the mastodon tag skipped, got {second.Skipped}");
        Assert.Equal(searchesBefore, apis.Requests.Count(r => r.StartsWith("GET /search", StringComparison.Ordinal)));
        Assert.Equal(tagBefore, apis.Requests.Count(r => r.StartsWith("GET /api/v1/timelines/tag", StringComparison.Ordinal)));

        // After it, both catch up: Reddit delivers, and Mastodon reads the page it left.
        apis.RedditRateLimited = null;
        apis.MastodonHeaders["X-RateLimit-Remaining"] = "299";
        _bed.Time.Advance(TimeSpan.FromSeconds(241));
        await _bed.Poller.PollAllAsync();
        mentions = await _bed.MentionsAsync("kept");
        Assert.Contains(mentions, m => m.Source == "reddit");
        Assert.Contains(mentions, m => m.ExternalId.EndsWith("199", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_post_via_a_feed_and_Reddit_is_one_mention()
    {
        var feed = _bed.Feed(MentionTestBed.Item(
            "Kanelitupa Kallio arvostelussa",
            "https://Blog.Example/arviot/kanelitupa-kallio/?utm_source=rss&amp;utm_medium=feed&amp;fbclid=abc#comments",
            "Kävimme Kanelituvassa ja korvapuusti oli hyvä."));
        _bed.Apis.RedditPages.Add([FakeSocialApis.RedditPost("r1", "Blogi: Kanelitupa Kallio arvostelussa", linkUrl: "https://blog.example/arviot/kanelitupa-kallio")]);
        await _bed.ConfigureAsync(_bed.Config(rss: true, reddit: true, feeds: feed));

        await _bed.Poller.PollAllAsync();

        var only = Assert.Single(await _bed.MentionsAsync());
        Assert.Equal("https://blog.example/arviot/kanelitupa-kallio", only.CanonicalUrl);
        Assert.Equal("rss", only.Source); // first seen wins; Reddit's copy found the stored row
        Assert.Equal(MentionText.KeyFor(only.CanonicalUrl), only.RowKey);
    }

    [Fact]
    public async Task The_same_text_under_two_addresses_is_one_mention()
    {
        const string text = "Kanelitupa Kallio: tänään kahvi oli kylmää ja pulla kuivaa, harmi";
        _bed.Apis.BlueskyPages.Add([FakeSocialApis.BlueskyPost("maija.bsky.social", "3kdup", text)]);
        _bed.Apis.MastodonSearchStatuses.Add(_bed.Apis.MastodonStatus("300", $"<p>{text}</p>"));
        var config = _bed.Config(bluesky: true, mastodon: true) with { Hashtags = [] };
        await _bed.ConfigureAsync(config);

        await _bed.Poller.PollAllAsync();

        var kept = Assert.Single(await _bed.MentionsAsync("kept"));
        var duplicate = Assert.Single(await _bed.MentionsAsync("duplicate"));
        Assert.Equal(kept.RowKey, duplicate.DuplicateOf);
        Assert.Equal(kept.ContentHash, duplicate.ContentHash);
    }

    [Fact]
    public async Task An_ambiguous_name_needs_a_co_term_and_exclusions_drop_items_each_counted_once()
    {
        var feed = _bed.Feed(
            MentionTestBed.Item("Kanelitupa valmistui", "https://mokki.example/kanelitupa", "Mökin kanelitupa on nyt maalattu."),
            MentionTestBed.Item("Kanelitupa Kalliossa", "https://blog.example/kallio", "Hyvä korvapuusti Kanelituvassa."),
            MentionTestBed.Item("Kanelitupa-resepti", "https://reseptit.example/kanelitupa", "Kallion tyyliin: resepti korvapuusteille."),
            MentionTestBed.Item("Aamukahvit", "https://kuvat.example/aamu", "Aamukahvi ennen töitä #kanelitupa"));
        await _bed.ConfigureAsync(_bed.Config(rss: true, feeds: feed) with { Ambiguous = true, CoTerms = ["Kallio", "korvapuusti"], Exclusions = ["resepti"] });

        await _bed.Poller.PollAllAsync();
        await _bed.Poller.PollAllAsync();

        var kept = await _bed.MentionsAsync("kept");
        Assert.Equal(["https://blog.example/kallio", "https://kuvat.example/aamu"], kept.Select(m => m.Url).Order(StringComparer.Ordinal).ToArray());
        var dropped = await _bed.MentionsAsync("dropped");
        Assert.Equal([(DropReasons.AmbiguousWithoutCoTerm, "https://mokki.example/kanelitupa"), (DropReasons.Excluded, "https://reseptit.example/kanelitupa")],
            dropped.Select(m => (m.DropReason, m.Url)).Order().ToArray());
        var counts = await _bed.Handler.Services.GetRequiredService<MentionIngestor>().DropCountsAsync(_bed.BusinessId);
        Assert.Equal(1, counts[("rss", DropReasons.AmbiguousWithoutCoTerm)]);
        Assert.Equal(1, counts[("rss", DropReasons.Excluded)]);
        Assert.Equal(2, counts.Count);
    }

    [Fact]
    public async Task A_feed_with_malformed_entries_delivers_the_good_ones_and_logs_the_bad()
    {
        var feed = _bed.Feed(
            MentionTestBed.Item("Kanelitupa Kallio, hyvä", "https://a.example/1", "Hyvä kahvi Kanelituvassa."),
            "<item><title>Fish & chips at Kanelitupa</title><link>https://a.example/broken</link><description>unescaped ampersand</description></item>",
            "<item><title>Kanelitupa ilman linkkiä</title><description>Kanelitupa mainittu, mutta linkki puuttuu.</description></item>",
            MentionTestBed.Item("Kanelitupa eilen", "https://a.example/2", "Kanelitupa oli auki myöhään.", pubDate: "eilen illalla"),
            MentionTestBed.Item("Kanelitupa Tampere", "https://a.example/3", "Kanelitupa Tampere, kiva paikka."));
        await _bed.ConfigureAsync(_bed.Config(rss: true, feeds: feed));

        var result = await _bed.Poller.PollAllAsync();

        Assert.True(result.Failed == 0, string.Join('\n', _bed.Logs.Lines));
        Assert.Equal(["https://a.example/1", "https://a.example/2", "https://a.example/3"], (await _bed.MentionsAsync("kept")).Select(m => m.Url).Order(StringComparer.Ordinal).ToArray());
        var bad = _bed.Logs.Lines.Where(l => l.Contains("skipped a malformed entry", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, bad.Count);
        Assert.Contains(bad, l => l.Contains("not well-formed", StringComparison.Ordinal) && l.Contains("Fish", StringComparison.Ordinal));
        Assert.Contains(bad, l => l.Contains("no link", StringComparison.Ordinal) && l.Contains("ilman linkkiä", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_negative_mention_opens_exactly_one_case_with_the_post_link_and_one_alert()
    {
        var feed = _bed.Feed(
            MentionTestBed.Item("Food poisoning after Kanelitupa?", "https://forum.example/t/kanelitupa-food-poisoning/4411?utm_source=alerts",
                "Both of us got sick the night after eating at Kanelitupa. Terrible experience, the cake tasted off and nobody answered our email."),
            MentionTestBed.Item("Kanelitupa is lovely", "https://travel.example/tampere", "Warm cinnamon buns and friendly staff at Kanelitupa. We will be back."));
        await _bed.ConfigureAsync(_bed.Config(rss: true, feeds: feed));

        var (status, poll) = await _bed.Handler.InvokeAsync("PollMentions", HostPayloads.Timer());
        Assert.Equal(200, status);
        var alert = Assert.Single(poll["Outputs"]!["alertQueue"]!.AsArray())!.GetValue<string>();
        var message = MessageCodec.ReadAlert(alert);
        Assert.Equal("mention", message.ItemKind);

        var first = await _bed.Handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert));
        var second = await _bed.Handler.InvokeAsync("DispatchAlert", HostPayloads.Queue(alert, dequeueCount: 2));

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        var only = Assert.Single(await _bed.Storage.Cases.QueryAsync<RecoveryCase>().ToListAsync());
        Assert.Equal("mention", only.ItemKind);
        Assert.Equal("https://forum.example/t/kanelitupa-food-poisoning/4411?utm_source=alerts", only.ItemUrl);
        Assert.Equal(AlertDispatcher.MentionLocationId, only.LocationId);
        Assert.Contains("got sick", only.ItemText, StringComparison.Ordinal);
        Assert.Equal(RecoveryCase.IdFor("mention", _bed.BusinessId, message.ItemKey), only.CaseId);
        var eml = Assert.Single(_bed.OutboxFiles());
        Assert.Contains(only.CaseId, eml, StringComparison.Ordinal);
        var mention = (await _bed.Storage.Mentions.GetEntityAsync<MentionEntity>(_bed.BusinessId, message.ItemKey)).Value;
        Assert.Equal("dispatched", mention.AlertState);
        Assert.Equal(only.CaseId, mention.CaseId);

        // The case page links to the post, safely.
        var page = await _bed.Handler.Client.GetStringAsync($"/ui/cases/{only.CaseId}");
        Assert.Contains("href=\"https://forum.example/t/kanelitupa-food-poisoning/4411?utm_source=alerts\" rel=\"noopener noreferrer\"", page, StringComparison.Ordinal);
        Assert.Contains("Avaa julkaisu", page, StringComparison.Ordinal);

        // Once dispatched, the next poll owes nothing (an empty output binding is left out of Outputs).
        var (_, again) = await _bed.Handler.InvokeAsync("PollMentions", HostPayloads.Timer());
        Assert.False(again["Outputs"]!.AsObject().ContainsKey("alertQueue"));
    }

    [Fact]
    public async Task A_reply_to_a_mention_is_recorded_here_not_posted()
    {
        var feed = _bed.Feed(MentionTestBed.Item("Kanelitupa: huono kokemus", "https://forum.example/t/1",
            "Kanelitupa oli todella huono kokemus: kahvi kylmää, myyjä tyly ja jonotimme puoli tuntia. Emme mene enää."));
        await _bed.ConfigureAsync(_bed.Config(rss: true, feeds: feed));
        var poll = await _bed.Poller.PollAllAsync();
        var recoveryCase = await _bed.Handler.Services.GetRequiredService<AlertDispatcher>().DispatchAsync(Assert.Single(poll.Alerts));
        var cases = _bed.Handler.Services.GetRequiredService<CaseService>();
        recoveryCase = await cases.ChangeAsync(recoveryCase, "aino", "claimed", (c, at) =>
        {
            c.Claim("aino", at);
            return "claimed";
        });

        var (updated, result) = await _bed.Handler.Services.GetRequiredService<ReplyService>().PostAsync(recoveryCase, "aino", "Kiitos palautteesta, vastasimme foorumilla.");

        Assert.False(result.Published);
        Assert.Equal(CaseStatus.Replied, updated.Status);
        Assert.Equal("Kiitos palautteesta, vastasimme foorumilla.", updated.ReplyText);
    }

    [Fact]
    public async Task Polling_twice_adds_nothing()
    {
        var apis = _bed.Apis;
        apis.RedditPages.Add([FakeSocialApis.RedditPost("r1", "Kanelitupa Kallio", "Kanelitupa: kahvi kylmää ja palvelu todella tylyä, huono kokemus.")]);
        apis.BlueskyPages.Add([FakeSocialApis.BlueskyPost("maija.bsky.social", "3kabc1", "Kanelitupa Kallio, hyvä aamukahvi")]);
        apis.MastodonTagPages.Add([apis.MastodonStatus("500", "<p>#kanelitupa aamulla</p>")]);
        var feed = _bed.Feed(
            MentionTestBed.Item("Kanelitupa Kallio", "https://a.example/1", "Hyvä kahvi Kanelituvassa."),
            MentionTestBed.Item("Mökin kanelitupa", "https://a.example/x", "Kanelitupa-resepti kotiin."));
        await _bed.ConfigureAsync(_bed.Config(rss: true, reddit: true, bluesky: true, mastodon: true, feeds: feed) with { Exclusions = ["resepti"] });

        var first = await _bed.Poller.PollAllAsync();
        var rows = (await _bed.MentionsAsync()).Select(m => (m.RowKey, m.Status, m.ETag.ToString())).Order().ToList();
        var counts = await _bed.Handler.Services.GetRequiredService<MentionIngestor>().DropCountsAsync(_bed.BusinessId);
        var second = await _bed.Poller.PollAllAsync();

        Assert.True(first.Added >= 4, $"first poll added {first.Added}: " + string.Join('\n', _bed.Logs.Lines));
        Assert.Equal(0, second.Added);
        Assert.Equal(0, second.Dropped);
        Assert.Equal(0, second.Duplicates);
        Assert.Equal(rows, (await _bed.MentionsAsync()).Select(m => (m.RowKey, m.Status, m.ETag.ToString())).Order().ToList());
        Assert.Equal(counts, await _bed.Handler.Services.GetRequiredService<MentionIngestor>().DropCountsAsync(_bed.BusinessId));
        // Alerts still owed are re-emitted (not re-stored) until dispatched, exactly as for reviews.
        Assert.Equal(first.Alerts.Select(a => a.ItemKey).Order(), second.Alerts.Select(a => a.ItemKey).Order());
    }
}
