using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Tests.Crm;

namespace AgentWorkspace.Tests.Scripts;

/// <summary>
/// The CRM world (inbox, queues, agents, built-in CRM) with the scripts feature on top: a "dispute" custom field (editable),
/// a read-only "tier" field, a "Welcome" quick reply, the admin's script service and the case's script service.
/// </summary>
public sealed class ScriptWorld : IAsyncDisposable
{
    public static readonly Actor ScriptAdmin = CrmWorld.Admin;
    public static readonly Actor Camille = CrmWorld.Camille;
    public static readonly Actor Lucas = CrmWorld.Lucas;
    public static readonly Actor Sophie = CrmWorld.Sophie;

    public CrmWorld Crm { get; private init; } = default!;
    public ScriptService Scripts { get; private init; } = default!;
    public CaseScriptService CaseScripts { get; private init; } = default!;
    public CardEdits Cards { get; private init; } = default!;

    public static async Task<ScriptWorld> CreateAsync()
    {
        var crm = await CrmWorld.CreateAsync();
        await using (var db = crm.Db.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            db.CustomFields.Add(new CustomFieldDefinition(FieldIdent.Parse("dispute"), "Dispute", CustomFieldType.Text, null, true, true, true, 50, now));
            db.CustomFields.Add(new CustomFieldDefinition(FieldIdent.Parse("tier"), "Tier", CustomFieldType.Text, null, true, false, true, 51, now));
            db.QuickReplies.Add(new QuickReply("Welcome", "Hello {{customer.firstName}}, thank you for writing to us.", "en"));
            await db.SaveChangesAsync();
        }
        var settings = new SettingsService(crm.Db, crm.Runner, new SettingsDefaults("FR", false));
        var cards = new CardEdits(crm.Db, crm.Runner, settings, TimeProvider.System);
        var replies = new QuickReplyService(crm.Db, crm.Runner);
        return new ScriptWorld
        {
            Crm = crm,
            Cards = cards,
            Scripts = new ScriptService(crm.Db, crm.Runner, crm.Settings),
            CaseScripts = new CaseScriptService(crm.Db, crm.Runner, crm.Cases, cards, crm.Crm, replies),
        };
    }

    public static ScriptStepInput Text(string title, string text) => new(ScriptStepKind.Text, title, text);

    public static ScriptStepInput Macro(string title, params MacroAction[] actions) => new(ScriptStepKind.Macro, title, null, actions);

    public static ScriptStepInput Sub(string title, long scriptId) => new(ScriptStepKind.SubScript, title, null, null, scriptId);

    public static ScriptInput Script(string name, IReadOnlyList<string>? queues, params ScriptStepInput[] steps) =>
        new(name, null, "en", queues ?? [], [], steps);

    public ValueTask DisposeAsync() => Crm.DisposeAsync();
}
