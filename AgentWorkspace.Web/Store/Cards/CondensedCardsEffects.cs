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
/// for it, or a change to the custom-field definitions reloads it at once.
/// </summary>
public sealed class CondensedCardsEffects(CardReads cards, CardEdits edits, ActorAccessor actors, IChangeFeed feed, IStringLocalizer<CardsResource> localizer) : IDisposable
{
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
            _subscription ??= feed.Subscribe(change =>
            {
                switch (change.Kind)
                {
                    case ChangeKind.CustomFieldsChanged:
                        cards.ForgetCustomFields();
                        foreach (var id in _watched.Keys) dispatcher.Dispatch(new ReloadCondensedCardAction(id));
                        break;
                    case ChangeKind.CardChanged or ChangeKind.MessageArrived or ChangeKind.CardMerged or ChangeKind.CaseChanged
                        when change.CardId is { } id && _watched.ContainsKey(id):
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

    [EffectMethod]
    public async Task Handle(SetPanelFieldAction action, IDispatcher dispatcher)
    {
        try
        {
            await edits.SetCustomFieldAsync(await actors.GetAsync(), action.CardId, action.Ident, action.Value);
            dispatcher.Dispatch(new PanelFieldSavedAction(action.CardId, action.Ident));
            await LoadAsync(action.CardId, dispatcher);
        }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException or CardMergedException)
        {
            dispatcher.Dispatch(new PanelFieldRejectedAction(action.CardId, action.Ident, CardErrors.ForField(localizer, action.Ident, ex, action.Type)));
            await LoadAsync(action.CardId, dispatcher);
        }
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
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            dispatcher.Dispatch(new CondensedCardFailedAction(cardId, ex.Message));
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
