using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Crm;

/// <summary>A connector kind as /admin/crm offers it: the settings and secrets it takes, in display order.</summary>
public sealed record CrmKindInfo(string Kind, IReadOnlyList<string> SettingNames, IReadOnlyList<string> SecretNames);

/// <summary>
/// /admin/crm: the connection (secrets only as "set"), the kinds with their settings, the last "Test connection", the
/// wrap-up dispositions and the pushes that failed for good. Refusals are said in the user's language, by field
/// (<c>""</c>: the form as a whole; a disposition's by its id, <c>"new"</c> for the one being added; a push's by its id).
/// </summary>
public sealed record CrmAdminState(
    bool Loading,
    CrmSettingsView? Settings,
    IReadOnlyList<CrmKindInfo> Kinds,
    bool Saving,
    ImmutableDictionary<string, string> Errors,
    bool Testing,
    CrmConnectionCheck? Test,
    ImmutableList<DispositionView> Dispositions,
    bool DispositionBusy,
    ImmutableDictionary<string, string> DispositionErrors,
    ImmutableList<CrmPushFailure> Failures,
    CrmPushCursor? NextFailures,
    ImmutableHashSet<long> Retrying,
    ImmutableDictionary<long, string> FailureErrors)
{
    /// <summary>Bumped when a disposition was added: the page empties its field.</summary>
    public int DispositionsAdded { get; init; }
}

public sealed class CrmAdminFeature : Feature<CrmAdminState>
{
    public override string Name => "CrmAdmin";
    public override CrmAdminState GetInitialState() => new(false, null, [], false, ImmutableDictionary<string, string>.Empty, false, null, [], false,
        ImmutableDictionary<string, string>.Empty, [], null, [], ImmutableDictionary<long, string>.Empty);
}

public sealed record LoadCrmAdminAction;
public sealed record CrmAdminLoadedAction(CrmSettingsView Settings, IReadOnlyList<CrmKindInfo> Kinds, IReadOnlyList<DispositionView> Dispositions, CrmPushFailurePage Failures);
public sealed record CrmAdminFailedAction(string Error);
public sealed record SaveCrmSettingsAction(CrmSettingsInput Input);
public sealed record CrmSettingsSavedAction(CrmSettingsView Settings);
public sealed record CrmSettingsRejectedAction(string Field, string Error);
public sealed record TestCrmConnectionAction;
public sealed record CrmConnectionTestedAction(CrmConnectionCheck Check, CrmSettingsView? Settings);
public sealed record AddDispositionAction(string? Label);
public sealed record RenameDispositionAction(long Id, string? Label);
public sealed record SetDispositionActiveAction(long Id, bool Active);
public sealed record DispositionSavedAction(DispositionView Disposition, bool Added);
/// <param name="Key">The disposition's id, or "new".</param>
public sealed record DispositionRejectedAction(string Key, string Error);
public sealed record RetryCrmPushAction(long PushId);
public sealed record CrmPushRetriedAction(long PushId);
public sealed record CrmPushRetryFailedAction(long PushId, string Error);
public sealed record LoadMoreCrmFailuresAction;
public sealed record CrmFailuresLoadedAction(CrmPushFailurePage Page, bool Append);

public static class CrmAdminReducers
{
    private static readonly ImmutableDictionary<string, string> NoErrors = ImmutableDictionary<string, string>.Empty;

    /// <summary>Opening the page starts from what is saved.</summary>
    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, LoadCrmAdminAction _) => new CrmAdminFeature().GetInitialState() with { Loading = true, Settings = s.Settings, Kinds = s.Kinds };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmAdminLoadedAction a) => s with
    {
        Loading = false, Settings = a.Settings, Kinds = a.Kinds, Dispositions = [.. a.Dispositions], Failures = [.. a.Failures.Items], NextFailures = a.Failures.Next,
    };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmAdminFailedAction a) => s with { Loading = false, Errors = s.Errors.SetItem("", a.Error) };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, SaveCrmSettingsAction _) => s with { Saving = true, Errors = NoErrors };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmSettingsSavedAction a) => s with { Saving = false, Settings = a.Settings, Test = null };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmSettingsRejectedAction a) => s with { Saving = false, Errors = s.Errors.SetItem(a.Field, a.Error) };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, TestCrmConnectionAction _) => s with { Testing = true, Test = null };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmConnectionTestedAction a) => s with { Testing = false, Test = a.Check, Settings = a.Settings ?? s.Settings };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, AddDispositionAction _) => s with { DispositionBusy = true, DispositionErrors = NoErrors };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, RenameDispositionAction _) => s with { DispositionBusy = true, DispositionErrors = NoErrors };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, SetDispositionActiveAction _) => s with { DispositionBusy = true, DispositionErrors = NoErrors };

    /// <summary>The saved disposition takes its place (the list's order: display order, then id).</summary>
    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, DispositionSavedAction a) => s with
    {
        DispositionBusy = false,
        Dispositions = [.. s.Dispositions.Where(d => d.Id != a.Disposition.Id).Append(a.Disposition).OrderBy(d => d.DisplayOrder).ThenBy(d => d.Id)],
        DispositionsAdded = a.Added ? s.DispositionsAdded + 1 : s.DispositionsAdded,
    };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, DispositionRejectedAction a) => s with { DispositionBusy = false, DispositionErrors = s.DispositionErrors.SetItem(a.Key, a.Error) };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, RetryCrmPushAction a) => s with { Retrying = s.Retrying.Add(a.PushId), FailureErrors = s.FailureErrors.Remove(a.PushId) };

    /// <summary>Retried: pending again, so no longer a failure; it comes back here if it fails again.</summary>
    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmPushRetriedAction a) => s with
    {
        Retrying = s.Retrying.Remove(a.PushId), Failures = s.Failures.RemoveAll(f => f.PushId == a.PushId),
    };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmPushRetryFailedAction a) => s with { Retrying = s.Retrying.Remove(a.PushId), FailureErrors = s.FailureErrors.SetItem(a.PushId, a.Error) };

    [ReducerMethod]
    public static CrmAdminState Reduce(CrmAdminState s, CrmFailuresLoadedAction a) => s with
    {
        Failures = a.Append ? s.Failures.AddRange(a.Page.Items.Where(f => s.Failures.All(x => x.PushId != f.PushId))) : [.. a.Page.Items],
        NextFailures = a.Page.Next,
    };
}

/// <summary>The I/O of /admin/crm through <see cref="CrmSettingsService"/>, <see cref="DispositionService"/> and <see cref="CrmPushService"/>.</summary>
public sealed class CrmAdminEffects(CrmSettingsService settings, CrmConnectorFactory factory, DispositionService dispositions, CrmPushService pushes, ActorAccessor actors,
    IState<CrmAdminState> state, IStringLocalizer<CrmResource> crmText, IStringLocalizer<InboxResource> inboxText, ILogger<CrmAdminEffects> logger)
{
    private readonly CrmErrors _errors = new(crmText, inboxText);

    [EffectMethod]
    public async Task Handle(LoadCrmAdminAction action, IDispatcher dispatcher)
    {
        try
        {
            var actor = await actors.GetAsync();
            var view = await settings.GetAsync(actor);
            var kinds = view.Kinds.Select(k => factory.Find(k) is { } kind ? new CrmKindInfo(kind.Kind, kind.SettingNames, kind.SecretNames) : new CrmKindInfo(k, [], [])).ToList();
            dispatcher.Dispatch(new CrmAdminLoadedAction(view, kinds, await dispositions.ListAsync(actor, includeInactive: true), await pushes.ListFailedAsync(actor)));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmAdminFailedAction(_errors.Say(ex)));
        }
    }

    [EffectMethod]
    public async Task Handle(SaveCrmSettingsAction action, IDispatcher dispatcher)
    {
        try
        {
            dispatcher.Dispatch(new CrmSettingsSavedAction(await settings.SaveAsync(await actors.GetAsync(), action.Input)));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmSettingsRejectedAction(CrmErrors.FieldOf(ex) ?? "", _errors.Say(ex)));
        }
    }

    /// <summary>A failed test is an answer, not an error (the service says so); only a fault of ours is an error here.</summary>
    [EffectMethod]
    public async Task Handle(TestCrmConnectionAction action, IDispatcher dispatcher)
    {
        try
        {
            var actor = await actors.GetAsync();
            var check = await settings.TestConnectionAsync(actor);
            dispatcher.Dispatch(new CrmConnectionTestedAction(check, await settings.GetAsync(actor)));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmConnectionTestedAction(new CrmConnectionCheck(false, _errors.Say(ex)), null));
        }
    }

    [EffectMethod]
    public Task Handle(AddDispositionAction action, IDispatcher dispatcher) => Disposition(action, "new", dispatcher, async actor =>
        dispatcher.Dispatch(new DispositionSavedAction(await dispositions.CreateAsync(actor, action.Label ?? ""), true)));

    [EffectMethod]
    public Task Handle(RenameDispositionAction action, IDispatcher dispatcher) => Disposition(action, Key(action.Id), dispatcher, async actor =>
        dispatcher.Dispatch(new DispositionSavedAction(await dispositions.RenameAsync(actor, action.Id, action.Label ?? ""), false)));

    [EffectMethod]
    public Task Handle(SetDispositionActiveAction action, IDispatcher dispatcher) => Disposition(action, Key(action.Id), dispatcher, async actor =>
        dispatcher.Dispatch(new DispositionSavedAction(await dispositions.SetActiveAsync(actor, action.Id, action.Active), false)));

    public static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task Disposition(object action, string key, IDispatcher dispatcher, Func<AgentWorkspace.Core.Domain.Identity.Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new DispositionRejectedAction(key, _errors.Say(ex)));
        }
    }

    [EffectMethod]
    public async Task Handle(RetryCrmPushAction action, IDispatcher dispatcher)
    {
        try
        {
            await pushes.RetryAsync(await actors.GetAsync(), action.PushId);
            dispatcher.Dispatch(new CrmPushRetriedAction(action.PushId));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmPushRetryFailedAction(action.PushId, _errors.Say(ex)));
        }
    }

    [EffectMethod]
    public async Task Handle(LoadMoreCrmFailuresAction action, IDispatcher dispatcher)
    {
        if (state.Value.NextFailures is not { } next) return;
        try
        {
            dispatcher.Dispatch(new CrmFailuresLoadedAction(await pushes.ListFailedAsync(await actors.GetAsync(), next), true));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmAdminFailedAction(_errors.Say(ex)));
        }
    }
}
