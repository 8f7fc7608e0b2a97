using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

public sealed class LexiconAnalyzerTests
{
    private static SentimentResult Analyze(string text, string? lang = null) => LexiconAnalyzer.Analyze(new SentimentInput("t", text, lang));

    private static double Score(string text) => Analyze(text).Score;

    [Theory]
    [InlineData("Ei ollut hyvä kokemus.")]
    [InlineData("Palvelu ei ollut yhtään ystävällistä.")]
    [InlineData("En suosittele tätä paikkaa.")]
    [InlineData("Emme saaneet hyvää palvelua.")]
    [InlineData("The food was not good.")]
    [InlineData("I wouldn't recommend this place.")]
    [InlineData("Never again.")]
    [InlineData("EI IKINÄ ENÄÄ!")]
    public void Negation_turns_praise_into_complaint(string text) => Assert.True(Score(text) < -0.2, $"{text}: {Score(text)}");

    [Theory]
    [InlineData("Ei huono ollenkaan.")]
    [InlineData("Ei mitään valitettavaa.")]
    [InlineData("Not bad at all.")]
    [InlineData("No problems whatsoever.")]
    [InlineData("Ei voi kuin kehua!")]
    [InlineData("En ole koskaan saanut näin hyvää palvelua.")]
    [InlineData("I can't recommend them enough.")]
    public void Negated_complaints_and_never_such_good_read_as_praise(string text) => Assert.True(Score(text) > 0.1, $"{text}: {Score(text)}");

    [Fact]
    public void Negation_scope_ends_at_the_clause_so_later_praise_stays_positive()
    {
        var r = Analyze("Kahvi ei ollut kuumaa, mutta pulla oli erinomainen ja myyjä ystävällinen.");
        Assert.True(r.Score > 0.2, r.Score.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("Hyvä palvelu.", "Todella hyvä palvelu.")]
    [InlineData("Hyvä palvelu.", "Tosi hyvä palvelu.")]
    [InlineData("Huono palvelu.", "Erittäin huono palvelu.")]
    [InlineData("Good service.", "Really good service.")]
    [InlineData("Bad service.", "Extremely bad service.")]
    public void Intensifiers_strengthen(string plain, string intensified) => Assert.True(Math.Abs(Score(intensified)) > Math.Abs(Score(plain)));

    [Theory]
    [InlineData("Kallis.", "Vähän kallis.")]
    [InlineData("Hidas palvelu.", "Hieman hidas palvelu.")]
    [InlineData("Expensive.", "Slightly expensive.")]
    public void Diminishers_soften(string plain, string softened) => Assert.True(Math.Abs(Score(softened)) < Math.Abs(Score(plain)));

    [Theory]
    [InlineData("Ruoka oli hyvää, mutta palvelu oli todella tylyä.", false)]
    [InlineData("Hinta oli vähän korkea, mutta laatu on erinomaista.", true)]
    [InlineData("The location is nice but the room was dirty.", false)]
    [InlineData("A bit pricey, but the staff were wonderful.", true)]
    [InlineData("Vaikka jonotimme hetken, ruoka oli herkullista.", true)]
    [InlineData("Although the food was good, the service was awful.", false)]
    public void The_clause_after_a_contrast_weighs_more(string text, bool positive) =>
        Assert.True(positive ? Score(text) > 0.2 : Score(text) < -0.2, $"{text}: {Score(text)}");

    [Theory]
    [InlineData("Kahvila 😍", true)]
    [InlineData("Pizza 👍", true)]
    [InlineData("Palvelu :)", true)]
    [InlineData("Tilaus myöhässä 😡", false)]
    [InlineData("Service :(", false)]
    [InlineData("Delivery 👎", false)]
    public void Emoji_and_emoticons_carry_sentiment(string text, bool positive) =>
        Assert.True(positive ? Score(text) > 0.2 : Score(text) < -0.2, $"{text}: {Score(text)}");

    [Theory]
    [InlineData("Huono palvelu.", "HUONO PALVELU!!!")]
    [InlineData("Hyvä kahvi.", "Hyvä kahvi!!")]
    [InlineData("Terrible service.", "TERRIBLE service!")]
    public void Capitals_and_exclamation_marks_amplify(string plain, string loud) => Assert.True(Math.Abs(Score(loud)) > Math.Abs(Score(plain)));

    [Theory]
    [InlineData("Ihan ok, ruoka oli ihan hyvää.", true)]
    [InlineData("Tosi mahtava meininki, jees!", true)]
    [InlineData("Huippu paikka!", true)]
    [InlineData("Surkee palvelu.", false)]
    [InlineData("Ihan paskaa.", false)]
    public void Colloquial_finnish_is_understood(string text, bool positive) =>
        Assert.True(positive ? Score(text) > 0.2 : Score(text) < -0.2, $"{text}: {Score(text)}");

    [Fact]
    public void Ihan_ok_alone_is_neutral_not_praise() => Assert.Equal(SentimentLabel.Neutral, Analyze("Ihan ok.").Label);

    [Theory]
    [InlineData("Kiitos vaan, paketti tuli rikki.")]
    [InlineData("Kiitti vaan, kun pilasitte illan.")]
    [InlineData("\"Ystävällinen\" palvelu, meille huudettiin.")]
    [InlineData("Great service... not.")]
    [InlineData("Loistavaa palvelua, jos tykkää odottaa tunnin 🙄")]
    [InlineData("Thanks for nothing.")]
    public void Sarcasm_markers_turn_praise_negative(string text) => Assert.True(Score(text) < -0.2, $"{text}: {Score(text)}");

    [Fact]
    public void Sincere_kiitos_vaan_stays_positive() => Assert.True(Score("Kiitos vaan hyvästä palvelusta!") > 0.2);

    [Theory]
    [InlineData("huono")]
    [InlineData("huonoa")]
    [InlineData("huonosti")]
    [InlineData("huonompi")]
    [InlineData("surkeaa")]
    [InlineData("epäystävällinen")]
    [InlineData("asiantuntematon")]
    [InlineData("ylihinnoiteltu")]
    public void Finnish_inflected_and_derived_forms_are_negative(string word) => Assert.True(Score(word) < -0.2, $"{word}: {Score(word)}");

    [Theory]
    [InlineData("hyvää")]
    [InlineData("hyvät")]
    [InlineData("loistohotelli")]
    [InlineData("huippupalvelu")]
    [InlineData("ystävällisesti")]
    [InlineData("parhaat")]
    public void Finnish_inflected_forms_and_compounds_are_positive(string word) => Assert.True(Score(word) > 0.2, $"{word}: {Score(word)}");

    [Fact]
    public void Compound_touchpoints_are_recognised_with_their_own_polarity()
    {
        var r = Analyze("Asiakaspalvelu oli erinomaista, mutta toimitus myöhästyi viikolla ja lasku oli virheellinen.");

        Assert.Contains(new TouchpointSentiment("service_quality", SentimentLabel.Positive), r.Touchpoints);
        Assert.Contains(new TouchpointSentiment("delivery", SentimentLabel.Negative), r.Touchpoints);
        Assert.Contains(new TouchpointSentiment("billing", SentimentLabel.Negative), r.Touchpoints);
    }

    [Fact]
    public void A_cafe_is_a_place_not_a_product_but_its_coffee_is_a_product()
    {
        // "kahvila" (café) starts like "kahvi" (coffee); only the coffee is about the product.
        var place = Analyze("Kahvilassa oli likaista ja kahvilan pöydät tahmeita.");
        var coffee = Analyze("Kahvi oli kylmää ja kahvinkeitin rikki.");

        Assert.DoesNotContain(place.Touchpoints, t => t.Name == "product_quality");
        Assert.Contains(new TouchpointSentiment("cleanliness", SentimentLabel.Negative), place.Touchpoints);
        Assert.Contains(new TouchpointSentiment("product_quality", SentimentLabel.Negative), coffee.Touchpoints);
    }

    [Fact]
    public void English_touchpoints_take_the_polarity_of_their_clause()
    {
        var r = Analyze("The staff were lovely, but the room was dirty and the price was outrageous.");

        Assert.Contains(new TouchpointSentiment("staff", SentimentLabel.Positive), r.Touchpoints);
        Assert.Contains(new TouchpointSentiment("cleanliness", SentimentLabel.Negative), r.Touchpoints);
        Assert.Contains(new TouchpointSentiment("price", SentimentLabel.Negative), r.Touchpoints);
    }

    [Theory]
    [InlineData("Leivässä oli hius, hygienia ei ole kunnossa.", "hygiene")]
    [InlineData("Sain ruokamyrkytyksen.", "hygiene")]
    [InlineData("I found a hair in my soup.", "hygiene")]
    [InlineData("Myyjä oli rasistinen.", "discrimination")]
    [InlineData("Vien asian kuluttajariitalautakuntaan.", "legal")]
    [InlineData("Renkaat jäivät löysälle, vaarallista!", "safety")]
    public void Critical_topics_are_found(string text, string topic) => Assert.Contains(topic, Analyze(text).CriticalTopics);

    [Fact]
    public void Hair_at_the_hairdresser_is_not_a_hygiene_issue() => Assert.Empty(Analyze("Kampaaja leikkasi hiukset upeasti.").CriticalTopics);

    [Theory]
    [InlineData("Kahvi oli hyvää ja palvelu ystävällistä.", "fi")]
    [InlineData("Tilasin verkkokaupasta kengät ja ne tulivat nopeasti.", "fi")]
    [InlineData("The coffee was great and the staff were friendly.", "en")]
    [InlineData("Maten var god och personalen var väldigt trevlig.", "sv")]
    [InlineData("Det var inte bra, jag kommer inte tillbaka.", "sv")]
    [InlineData("12345 !!!", "und")]
    [InlineData("Das Essen war sehr lecker.", "und")]
    public void Language_is_detected(string text, string expected) => Assert.Equal(expected, Analyze(text).Language);

    [Fact]
    public void A_given_language_is_kept() => Assert.Equal("fi", Analyze("Good coffee", "fi-FI").Language);

    [Fact]
    public void Swedish_negation_is_understood() => Assert.True(Score("Inte bra alls.") < -0.2);
}
