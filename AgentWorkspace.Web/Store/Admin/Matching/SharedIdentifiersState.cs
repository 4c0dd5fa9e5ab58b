using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Matching;

/// <summary>The matching page's shared identifiers (ADR 020): the threshold, the list with card counts, what was refused.</summary>
public sealed record SharedIdentifiersState(
    bool Loading,
    SharedIdentifiersView? View,
    bool Saving,
    ImmutableDictionary<string, Exception> Errors);

public sealed class SharedIdentifiersFeature : Feature<SharedIdentifiersState>
{
    public override string Name => "SharedIdentifiers";
    public override SharedIdentifiersState GetInitialState() => new(false, null, false, FormErrors.None);
}

public sealed record LoadSharedIdentifiersAction;
public sealed record SharedIdentifiersLoadedAction(SharedIdentifiersView View);
public sealed record AddSharedIdentifierAction(SharedKind Kind, string? Address, string? Note);
public sealed record RemoveSharedIdentifierAction(long Id);
public sealed record RestoreSharedIdentifierAction(long Id);
/// <summary>Saves the threshold and counts every address again with it.</summary>
public sealed record SaveSharedThresholdAction(int Threshold);
public sealed record CountSharedAgainAction;
/// <summary>A change was saved: the list as it is now, and how many addresses a count shared (null: no count ran).</summary>
public sealed record SharedIdentifiersSavedAction(SharedIdentifiersView View, int? NewlyShared);
public sealed record SharedIdentifiersFailedAction(IReadOnlyList<Exception> Errors, string Where);
