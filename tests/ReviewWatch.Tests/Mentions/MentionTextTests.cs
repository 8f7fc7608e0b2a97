using ReviewWatch.Mentions;
using ReviewWatch.Mentions.Sources;

namespace ReviewWatch.Tests.Mentions;

public sealed class MentionTextTests
{
    [Theory]
    [InlineData("https://Blog.Example/a/b/?utm_source=x&utm_medium=y#top", "https://blog.example/a/b")]
    [InlineData("https://blog.example/a?id=7&fbclid=z&utm_campaign=c", "https://blog.example/a?id=7")]
    [InlineData("https://blog.example/", "https://blog.example")]
    [InlineData("HTTP://blog.example:80/a", "http://blog.example/a")]
    [InlineData("https://www.google.com/url?rct=j&sa=t&url=https://news.example/kanelitupa/%3Futm_source%3Dga&ct=ga", "https://news.example/kanelitupa")]
    public void Canonical_urls_drop_tracking_fragments_and_trailing_slashes(string url, string expected) =>
        Assert.Equal(expected, MentionText.CanonicalUrl(url));

    [Fact]
    public void Mastodon_html_becomes_text() =>
        Assert.Equal("Hei #kanelitupa ja @aino kahvi & pulla", MentionText.HtmlToText("<p>Hei <a href=\"x\" class=\"hashtag\">#<span>kanelitupa</span></a> ja <span class=\"h-card\"><a>@<span>aino</span></a></span></p><p>kahvi &amp; pulla</p>"));

    [Fact]
    public void Bluesky_web_urls_use_the_handle_and_the_record_key() =>
        Assert.Equal("https://bsky.app/profile/maija.bsky.social/post/3kabc", BlueskyMentionSource.WebUrl("maija.bsky.social", "at://did:plc:xyz/app.bsky.feed.post/3kabc"));

    [Fact]
    public void The_same_words_with_other_links_and_punctuation_normalise_alike() =>
        Assert.Equal(MentionText.Normalise("Kanelitupa: kahvi KYLMÄÄ!! https://t.co/x"), MentionText.Normalise("kanelitupa kahvi kylmää https://bit.ly/y"));

    [Fact]
    public void Atom_feeds_like_Google_Alerts_are_read_and_their_redirects_unwrapped()
    {
        const string atom = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
              <id>tag:google.com,2005:reader/user/1/state/com.google/alerts/1</id><title>Google Alert - Kanelitupa</title><updated>2026-11-20T10:00:00Z</updated>
              <entry>
                <id>tag:google.com,2013:googlealerts/feed:1</id>
                <title type="html">&lt;b&gt;Kanelitupa&lt;/b&gt; avasi Tampereella</title>
                <link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example/kanelitupa-tampere&amp;ct=ga"/>
                <published>2026-11-20T09:00:00Z</published><updated>2026-11-20T09:00:00Z</updated>
                <content type="html">Leipomo &lt;b&gt;Kanelitupa&lt;/b&gt; avasi toisen myymälänsä.</content>
                <author><name/></author>
              </entry>
            </feed>
            """;

        var (items, bad) = RssMentionSource.Parse(atom, DateTimeOffset.UnixEpoch);

        Assert.Empty(bad);
        var item = Assert.Single(items);
        Assert.Equal("Kanelitupa avasi Tampereella", item.Title);
        Assert.Equal("https://news.example/kanelitupa-tampere", MentionText.CanonicalUrl(item.Url));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), item.PublishedAt);
    }

    [Theory]
    [InlineData("Kanelitupa Kalliossa oli kiva", null)]
    [InlineData("Kanelitupaan ei pääse", "ambiguous-no-coterm")]
    [InlineData("Aamulla #kanelitupa", null)]
    [InlineData("Kanelitupa-resepti Kallio", "excluded")]
    [InlineData("Tupa ja kaneli", "no-term")]
    public void Relevance_needs_the_name_a_co_term_for_an_ambiguous_name_and_no_exclusion(string text, string? reason)
    {
        var config = new MentionConfig { SearchTerms = ["Kanelitupa"], Ambiguous = true, CoTerms = ["Kallio"], Hashtags = ["kanelitupa"], Exclusions = ["resepti"] };
        Assert.Equal(reason, MentionRelevance.DropReason(config, new MentionItem("rss", "1", "https://x.example", "someone", string.Empty, text, DateTimeOffset.UnixEpoch)));
    }
}
