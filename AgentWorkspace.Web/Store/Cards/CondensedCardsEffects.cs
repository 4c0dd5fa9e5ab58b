using System.Collections.Concurrent;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Cards;

/// <summary>
/// Loads the condensed cards this circuit shows and keeps them live: a change to the card, a message
/// for it, or a change to the custom-field definitions reloads it at once. The change feed's echo of a
/// value set here is recognised and not read again: the save already read the card once.
/// </summary>
public sealed class CondensedCardsEffects(CardReads cards, CardEdits edits, ActorAccessor actors, IChangeFeed feed, IStringLocalizer<CardsResource> localizer,
    ILogger<CondensedCardsEffects> logger) : IDisposable
{
    private readonly OwnChanges _own = new();
    private readonly ConcurrentDictionary<long, int> _watched = new();
    private IDisposable? _subscription;
    private readonly Lock _gate = new();
    private long _loads;

    [EffectMethod]
    public async Task Handle(WatchCondensedCardAction action, IDispatcher dispatcher)
    {
        _watched.AddOrUpdate(action.CardId, 1, (_, n) => n + 1);
        lock (_gate)
        {
            _subscription ??= feed.Subscribe(logger, change =>
            {
                switch (change.Kind)
                {
                    case ChangeKind.CustomFieldsChanged or ChangeKind.Resync:
                        cards.ForgetCustomFields();
                        foreach (var id in _watched.Keys) dispatcher.Dispatch(new ReloadCondensedCardAction(id));
                        break;
                    case ChangeKind.CardChanged or ChangeKind.MessageArrived or ChangeKind.CardMerged or ChangeKind.CaseChanged
                        when change.CardId is { } id && _watched.ContainsKey(id) && !_own.IsEcho(change):
                        dispatcher.Dispatch(new ReloadCondensedCardAction(id));
                        break;
                }
                return Task.CompletedTask;
            });
        }
        await LoadAsync(action.CardId, dispatcher);
    }

    [EffectMethod]
    public Task Handle(ReleaseCondensedCardAction action, IDispatcher dispatcher)
    {
        _watched.AddOrUpdate(action.CardId, 0, (_, n) => n - 1);
        if (_watched.TryGetValue(action.CardId, out var n) && n <= 0) _watched.TryRemove(action.CardId, out _);
        return Task.CompletedTask;
    }

    [EffectMethod]
    public Task Handle(ReloadCondensedCardAction action, IDispatcher dispatcher) => LoadAsync(action.CardId, dispatcher);

    /// <summary>Saved or refused, the card is read once after the save to show what is stored.</summary>
    [EffectMethod]
    public async Task Handle(SetPanelFieldAction action, IDispatcher dispatcher)
    {
        IDisposable? own = null;
        try
        {
            var actor = await actors.GetAsync();
            own = _own.Begin(actor.UserId, change => change.CardId == action.CardId);
            await edits.SetCustomFieldAsync(actor, action.CardId, action.Ident, action.Value);
            dispatcher.Dispatch(new PanelFieldSavedAction(action.CardId, action.Ident));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new PanelFieldRejectedAction(action.CardId, action.Ident, CardErrors.ForField(localizer, action.Ident, ex, action.Type)));
        }
        using (own) await LoadAsync(action.CardId, dispatcher);
    }

    private async Task LoadAsync(long cardId, IDispatcher dispatcher)
    {
        try
        {
            var load = Interlocked.Increment(ref _loads);
            dispatcher.Dispatch(new CondensedCardLoadedAction(cardId, await cards.GetCondensedAsync(await actors.GetAsync(), cardId), load));
        }
        catch (CardMergedException ex)
        {
            dispatcher.Dispatch(new CondensedCardMergedAction(cardId, ex.SurvivorId));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, new ReloadCondensedCardAction(cardId), ex);
            dispatcher.Dispatch(new CondensedCardFailedAction(cardId, CardErrors.General(localizer, ex)));
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
