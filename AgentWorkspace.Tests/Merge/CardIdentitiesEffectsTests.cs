using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Merge;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Merge;

/// <summary>
/// The Identities tab's effects: a merge or a lock shows its answer and the card read after it in one update, and
/// the change feed's echo of it reads nothing again; another supervisor's change still reaches the tab.
/// </summary>
public class CardIdentitiesEffectsTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private readonly List<object> _actions = [];
    private Web.Store.Core.Store _store = default!;
    private long _kept, _other;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using (var db = _db.Factory.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            var a = new CustomerCard(new CardProfile { FirstName = "Zoé", LastName = "Martin", Company = "Acme", City = "Lyon" }, "FR", now);
            var b = new CustomerCard(new CardProfile { FirstName = "Zoe", LastName = "Martin", Company = "Acme", City = "Paris" }, "FR", now);
            db.Cards.AddRange(a, b);
            await db.SaveChangesAsync();
            (_kept, _other) = (a.Id, b.Id);
        }
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        Services.AddSingleton<AgentWorkspace.Core.UseCases.UseCaseRunner>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new SettingsDefaults());
        Services.AddSingleton<SettingsService>();
        Services.AddSingleton<CardReads>();
        Services.AddSingleton<CardSearch>();
        Services.AddSingleton<CardEdits>();
        Services.AddSingleton<DuplicateService>();
        Services.AddSingleton<MergeService>();
        Services.AddSingleton<PrivacyService>();
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        var auth = AddAuthorization();
        auth.SetAuthorized("Sophie Moreau");
        auth.SetRoles("Supervisor");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "sup-1"));
        _store = Services.GetRequiredService<Web.Store.Core.Store>();
        _store.ActionDispatched += a => { lock (_actions) _actions.Add(a); };
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private List<T> Seen<T>() { lock (_actions) return _actions.OfType<T>().ToList(); }

    private async Task<T> WaitFor<T>(Func<T, bool>? where = null)
    {
        for (var i = 0; i < 250; i++)
        {
            if (Seen<T>().FirstOrDefault(a => where?.Invoke(a) ?? true) is { } found) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException($"No {typeof(T).Name} was dispatched.");
    }

    private CardIdentitiesState State => Services.GetRequiredService<IState<CardIdentitiesState>>().Value;

    [Fact]
    public async Task AMergeShowsItsAnswerWithTheCardReadAfterIt_AndItsEchoIsNotReadAgain()
    {
        _store.Dispatch(new LoadCardIdentitiesAction(_kept));
        await WaitFor<CardIdentitiesLoadedAction>();
        var loads = Seen<CardIdentitiesLoadedAction>().Count;

        _store.Dispatch(new MergeFromIdentitiesAction(_kept, _other, new Dictionary<string, MergeChoice>()));

        var merged = await WaitFor<MergedFromIdentitiesAction>();
        merged.Now.ShouldNotBeNull().Card.Id.ShouldBe(_kept);
        State.LastMerge!.MergedId.ShouldBe(_other);
        State.Busy.ShouldBeFalse();
        // The merge announced both cards on the feed: give the echo time to arrive (and the tab's 300 ms debounce to pass).
        await Task.Delay(900);
        Seen<CardIdentitiesLoadedAction>().Count.ShouldBe(loads);
    }

    [Fact]
    public async Task AnotherSupervisorsLockReachesTheTabLive()
    {
        _store.Dispatch(new LoadCardIdentitiesAction(_kept));
        await WaitFor<CardIdentitiesLoadedAction>();

        await Services.GetRequiredService<PrivacyService>().LockAsync(new Actor("sup-2", "Hugo Blanc", Role.Supervisor), _kept);

        await WaitFor<CardIdentitiesLoadedAction>(a => a.Card.IsLocked);
        State.Card!.IsLocked.ShouldBeTrue();
    }

    [Fact]
    public async Task ALockDoneHereIsShownFromTheCommand_NotFromItsEcho()
    {
        _store.Dispatch(new LoadCardIdentitiesAction(_kept));
        await WaitFor<CardIdentitiesLoadedAction>();
        var loads = Seen<CardIdentitiesLoadedAction>().Count;

        _store.Dispatch(new SetCardLockAction(true));

        (await WaitFor<CardPrivacyDoneAction>()).Now!.Card.IsLocked.ShouldBeTrue();
        State.Card!.IsLocked.ShouldBeTrue();
        await Task.Delay(900);
        Seen<CardIdentitiesLoadedAction>().Count.ShouldBe(loads);
    }

    [Fact]
    public async Task ARefusalIsSaidInTheUsersLanguage()
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("fr");
        try
        {
            _store.Dispatch(new LoadCardIdentitiesAction(_kept));
            await WaitFor<CardIdentitiesLoadedAction>();
            _store.Dispatch(new UndoMergeFromIdentitiesAction(987_654));
            (await WaitFor<CardIdentitiesFailedAction>()).Error.ShouldBe("Action refusée : cet élément n'existe plus ; rechargez la page.");
            State.Busy.ShouldBeFalse();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = culture;
        }
    }
}
