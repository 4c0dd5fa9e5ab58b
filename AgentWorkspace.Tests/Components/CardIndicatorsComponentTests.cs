using System.Globalization;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Components.Shared.Cards;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Components;

/// <summary>Issue 22 item 10: the sentiment counts read as a person writes them ("1 message négatif", not "1 messages négatifs").</summary>
public class CardIndicatorsComponentTests : BunitContext
{
    public CardIndicatorsComponentTests()
    {
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private string[] Labels(string culture, int positive, int neutral, int negative)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            var cut = Render<CardIndicatorsView>(p => p.Add(c => c.Value, new CardIndicators(positive, neutral, negative, 0, 0)));
            return new[] { "positive", "neutral", "negative" }.Select(k => cut.Find($"[data-testid=sentiment-{k}]").GetAttribute("aria-label")!).ToArray();
        }
        finally { CultureInfo.CurrentUICulture = previous; }
    }

    [Fact]
    public void French_puts_zero_and_one_in_the_singular_and_more_in_the_plural() =>
        Labels("fr", 1, 0, 3).ShouldBe(["1 message positif", "0 message neutre", "3 messages négatifs"]);

    [Fact]
    public void English_puts_one_in_the_singular_and_zero_and_more_in_the_plural() =>
        Labels("en", 1, 0, 3).ShouldBe(["1 positive message", "0 neutral messages", "3 negative messages"]);
}
