using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Supervisor;
using AgentWorkspace.Web.Security;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Merge;

public class MergeDialogTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private long _a, _b;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using (var db = _db.Factory.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            var a = new CustomerCard(new CardProfile { FirstName = "Zoé", LastName = "Martin", City = "Lyon", Company = "Acme" }, "FR", now);
            var b = new CustomerCard(new CardProfile { FirstName = "Zoe", LastName = "Martin", City = "Paris", Company = "Acme" }, "FR", now);
            db.Cards.AddRange(a, b);
            await db.SaveChangesAsync();
            (_a, _b) = (a.Id, b.Id);
        }
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        Services.AddSingleton(new SettingsDefaults());
        Services.AddSingleton<SettingsService>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<AgentWorkspace.Core.UseCases.UseCaseRunner>();
        Services.AddSingleton<MergeService>();
        Services.AddScoped<ActorAccessor>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Sophie Moreau");
        auth.SetRoles("Supervisor");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "sup"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<(IRenderedComponent<MudDialogProvider> Provider, Task<DialogResult?> Result)> OpenAsync()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await provider.InvokeAsync(async () => reference = await dialogs.ShowAsync<MergeDialog>("Merge", new DialogParameters<MergeDialog>
        {
            { d => d.FirstCardId, _a },
            { d => d.SecondCardId, _b },
        }));
        provider.WaitForElement("[data-testid=confirm-merge]:not([disabled])", TimeSpan.FromSeconds(10));
        return (provider, reference!.Result);
    }

    [Fact]
    public async Task TheDialogShowsBothValuesOfEachDifferingFieldAndReturnsTheChoices()
    {
        var (provider, result) = await OpenAsync();
        provider.Markup.ShouldContain("Lyon");
        provider.Markup.ShouldContain("Paris");
        provider.Find("[data-testid=take-merged-city]").Change(true);
        provider.Find("[data-testid=confirm-merge]").Click();
        var decision = (await result)!.Data.ShouldBeOfType<MergeDialog.MergeDecision>();
        decision.SurvivorId.ShouldBe(_a);
        decision.MergedId.ShouldBe(_b);
        decision.Choices["city"].ShouldBe(MergeChoice.Merged);
        decision.Choices["firstName"].ShouldBe(MergeChoice.Survivor);
    }

    [Fact]
    public async Task SwappingKeepsTheOtherCard()
    {
        var (provider, result) = await OpenAsync();
        provider.Find("[data-testid=swap-survivor]").Click();
        provider.WaitForAssertion(() => provider.Find("[data-testid=survivor-id]").TextContent.ShouldBe($"#{_b}"));
        provider.WaitForElement("[data-testid=confirm-merge]:not([disabled])").Click();
        var decision = (await result)!.Data.ShouldBeOfType<MergeDialog.MergeDecision>();
        decision.SurvivorId.ShouldBe(_b);
    }
}
