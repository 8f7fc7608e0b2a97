using System.Globalization;
using ReviewWatch.Sentiment;

namespace ReviewWatch.Tests.Sentiment;

/// <summary>General phenomena of customer-service reviews (web shops, deliveries), in English and Finnish.</summary>
public sealed class CustomerServicePhenomenaTests
{
    private static double Score(string text) => LexiconAnalyzer.Analyze(new SentimentInput("t", text, null)).Score;

    private static string Show(string text) => $"{text}: {Score(text).ToString(CultureInfo.InvariantCulture)}";

    [Theory]
    [InlineData("The package never arrived.")]
    [InlineData("I still haven't received my order.")]
    [InlineData("No response to my emails.")]
    [InlineData("They did not answer my messages for a week.")]
    [InlineData("Tilaus ei ole vieläkään tullut.")]
    [InlineData("Eivät vastanneet viesteihin koko viikkona.")]
    [InlineData("Paketti ei saapunut.")]
    [InlineData("Ei vastausta.")]
    public void A_negated_awaited_thing_is_a_complaint(string text) => Assert.True(Score(text) < -0.2, Show(text));

    [Theory]
    [InlineData("The full amount was not refunded.")]
    [InlineData("The order has not been cancelled even though I asked twice.")]
    [InlineData("No refund.")]
    [InlineData("Rahoja ei ole palautettu.")]
    [InlineData("Tilaus peruttiin ilman selitystä.")]
    [InlineData("Hyvitystä ei ole vieläkään maksettu.")]
    public void A_negated_refund_or_cancellation_stays_a_complaint(string text) => Assert.True(Score(text) < -0.2, Show(text));

    [Theory]
    [InlineData("I have never received such good service.")]
    [InlineData("Ei tullut mitään ongelmia.")]
    [InlineData("Refund came quickly and the staff were friendly.")]
    public void Awaited_words_do_not_spoil_praise(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Theory]
    [InlineData("Five stars!", true)]
    [InlineData("I give 5 stars.", true)]
    [InlineData("Viisi tähteä.", true)]
    [InlineData("One star, that's all it deserves.", false)]
    [InlineData("1 tähti.", false)]
    [InlineData("Everything went well. 1 star off for the packaging.", true)]
    public void Star_ratings_in_words_count(string text, bool positive) =>
        Assert.True(positive ? Score(text) > 0.2 : Score(text) < -0.2, Show(text));

    [Theory]
    [InlineData("Delivery as promised.")]
    [InlineData("The tires came on time.")]
    [InlineData("The flowers were delivered the same day!")]
    [InlineData("Toimitus tuli kuten luvattiin.")]
    [InlineData("I would definitely order again.")]
    public void Kept_promises_and_return_intent_are_praise(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Theory]
    [InlineData("Not as described.")]
    [InlineData("The parcel did not arrive on time.")]
    [InlineData("I no longer order from them.")]
    [InlineData("Where is my order?")]
    public void Broken_promises_and_lost_custom_are_complaints(string text) => Assert.True(Score(text) < -0.2, Show(text));

    [Theory]
    [InlineData("Great shop, the only minus is the slow delivery.")]
    [InlineData("Hyvä kauppa, ainoa miinus hidas toimitus.")]
    [InlineData("Excellent products, a minor issue with the packaging.")]
    public void The_only_minus_is_a_reservation_inside_praise(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Theory]
    [InlineData("Nothing to blame.")]
    [InlineData("No extra fees.")]
    [InlineData("Not forgotten in the middle of the order.")]
    public void Negated_problem_words_are_praise(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Theory]
    [InlineData("The order has been stuck for two weeks and nobody answers. Thank you.")]
    [InlineData("Paketti on yhä kadoksissa eikä kukaan vastaa. Kiitos.")]
    public void Thanks_closing_a_complaint_is_courtesy_not_praise(string text) => Assert.True(Score(text) < -0.2, Show(text));

    [Fact]
    public void Thanks_still_counts_in_praise() => Assert.True(Score("Thank you for the quick delivery!") > 0.2);

    [Theory]
    [InlineData("Delivery took almost three weeks.")]
    [InlineData("It took a month to get the money back.")]
    [InlineData("Toimitus kesti kolme viikkoa.")]
    [InlineData("The order is still in transit.")]
    public void Long_waits_and_what_is_still_so_are_complaints(string text) => Assert.True(Score(text) < -0.2, Show(text));

    [Theory]
    [InlineData("Delivery took only two days, great!")]
    [InlineData("It took just a few days and everything was fine.")]
    [InlineData("Still the best shop in town.")]
    public void Short_waits_and_still_praise_stay_praise(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Theory]
    [InlineData("The glasses were just what I expected.")]
    [InlineData("The book was exactly what I had hoped for.")]
    [InlineData("Everything went all right.")]
    [InlineData("I will continue to order from here!")]
    [InlineData("A full ten!")]
    [InlineData("Täysi kymppi!")]
    [InlineData("Lopputulos oli juuri sitä mitä halusin.")]
    [InlineData("The order was delivered faster than I expected.")]
    public void Met_expectations_and_idioms_of_praise_are_positive(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Fact]
    public void An_order_merely_as_ordered_stays_neutral_in_finnish() => Assert.Equal(0, Score("Tuote oli sitä mitä tilasin."));

    [Theory]
    [InlineData("Will be other than what was ordered.")]
    [InlineData("The chair came a week later than promised.")]
    [InlineData("Delivery took much longer than originally agreed.")]
    [InlineData("Toimitus kesti luvattua kauemmin.")]
    public void Broken_promises_of_time_or_content_are_complaints(string text) => Assert.True(Score(text) < 0, Show(text));

    [Theory]
    [InlineData("I would have liked faster delivery.")]
    [InlineData("Could be clearer.")]
    [InlineData("Toimitus voisi olla nopeampi.")]
    [InlineData("Olisin toivonut parempaa palvelua.")]
    [InlineData("Everything went well until the package got lost.")]
    public void Unmet_wishes_and_what_comes_after_until_are_complaints(string text) => Assert.True(Score(text) < -0.2, Show(text));

    [Theory]
    [InlineData("The service couldn't be better.")]
    [InlineData("Palvelu ei voisi olla parempaa.")]
    public void Could_not_be_better_is_praise(string text) => Assert.True(Score(text) > 0.2, Show(text));

    [Theory]
    [InlineData("The parcel should have arrived by Friday.")]
    [InlineData("Next time I will buy elsewhere.")]
    [InlineData("Ensi kerralla ostan muualta.")]
    public void What_should_have_happened_and_going_elsewhere_are_complaints(string text) => Assert.True(Score(text) < -0.2, Show(text));
}
