using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Ingest;

namespace AgentWorkspace.Tests.Ingest;

public class SentimentAnalyzerTests
{
    [Theory]
    [InlineData("Merci beaucoup, je suis très contente du service !")]
    [InlineData("Livraison rapide, produit parfait. Je recommande.")]
    [InlineData("Super accueil, conseiller aimable et efficace")]
    [InlineData("Ce n'est pas mal du tout")]
    [InlineData("Pas de souci, merci")]
    [InlineData("Thank you so much, the agent was really helpful")]
    [InlineData("Great service, I love it")]
    [InlineData("Not bad at all")]
    [InlineData("Colis reçu 👍")]
    [InlineData("😍😍")]
    [InlineData("Thanks :)")]
    public void PositiveMessagesArePositive(string text) => LexiconSentimentAnalyzer.Classify(text).ShouldBe(Sentiment.Positive);

    [Theory]
    [InlineData("Je ne suis pas content du tout")]
    [InlineData("pas content")]
    [InlineData("Je suis pas satisfait")]
    [InlineData("Je n'aime pas ce produit")]
    [InlineData("J'aime pas")]
    [InlineData("Je ne suis plus satisfaite de vos services")]
    [InlineData("Ce n'est pas terrible")]
    [InlineData("Je n'ai toujours pas reçu ma commande")]
    [InlineData("C'est inadmissible, colis perdu et service client nul")]
    [InlineData("TRÈS DÉÇUE")]
    [InlineData("tres decue")]
    [InlineData("Le produit est bien mais la livraison était catastrophique")]
    [InlineData("I'm not happy with this")]
    [InlineData("I don't like it")]
    [InlineData("This is the worst service ever, absolutely unacceptable")]
    [InlineData("The app doesn't work and nobody answers")]
    [InlineData("Still waiting for my refund")]
    [InlineData("😡😡😡")]
    [InlineData("Merci pour rien 👎")]
    public void NegativeMessagesAreNegative(string text) => LexiconSentimentAnalyzer.Classify(text).ShouldBe(Sentiment.Negative);

    [Theory]
    [InlineData("Bonjour, quel est le statut de ma commande 12345 ?")]
    [InlineData("Pouvez-vous me rappeler au 06 12 34 56 78")]
    [InlineData("Cher client, dans l'attente de votre réponse")]
    [InlineData("What are your opening hours on Saturday?")]
    [InlineData("Please see https://example.com/order/1")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("   ")]
    public void FactualMessagesAreNeutral(string? text) => LexiconSentimentAnalyzer.Classify(text).ShouldBe(Sentiment.Neutral);

    [Fact]
    public void NegationFlipsTheWordItGoverns()
    {
        LexiconSentimentAnalyzer.Score("content").ShouldBeGreaterThan(0);
        LexiconSentimentAnalyzer.Score("pas content").ShouldBeLessThan(0);
        LexiconSentimentAnalyzer.Score("happy").ShouldBeGreaterThan(0);
        LexiconSentimentAnalyzer.Score("not happy").ShouldBeLessThan(0);
        LexiconSentimentAnalyzer.Score("très content").ShouldBeGreaterThan(LexiconSentimentAnalyzer.Score("content"));
        // Negation ends with the sentence.
        LexiconSentimentAnalyzer.Score("Pas de réponse. Content quand même").ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task TheAnalyzerIsAReplaceableService()
    {
        ISentimentAnalyzer analyzer = new LexiconSentimentAnalyzer();
        (await analyzer.AnalyzeAsync("pas content", TestContext.Current.CancellationToken)).ShouldBe(Sentiment.Negative);
        // A very long text is bounded, not slow.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        (await analyzer.AnalyzeAsync(string.Concat(Enumerable.Repeat("Bonjour, merci. ", 20_000)), TestContext.Current.CancellationToken)).ShouldBe(Sentiment.Positive);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2));
    }
}
