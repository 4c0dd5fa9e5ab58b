using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Demo;

/// <summary>What every database needs from its first start (the default queue), and the demo's reference data.</summary>
public sealed class ReferenceData(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, TimeProvider clock)
{
    public static readonly (string Name, int Frt, int St, string[] Skills)[] DemoQueues =
    [
        (Queue.DefaultName, 60, 1440, []),
        ("Support", 30, 480, ["technical", "french", "english"]),
        ("Sales", 120, 2880, ["sales"]),
        ("Social Media", 15, 240, ["social", "community"]),
        ("VIP", 10, 120, ["vip"]),
    ];

    /// <summary>The default queue exists from the first start, demo or not.</summary>
    public async Task EnsureDefaultQueueAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Queues.AnyAsync(q => q.IsDefault, ct)) return;
        var existing = await db.Queues.FirstOrDefaultAsync(q => q.NormalizedName == Domain.Common.Text.Fold(Queue.DefaultName), ct);
        if (existing is not null) existing.MakeDefault(true);
        else db.Queues.Add(new Queue(Queue.DefaultName, 60, 1440, isDefault: true));
        await db.SaveChangesAsync(ct);
    }

    public async Task EnsureDemoReferenceDataAsync(CancellationToken ct = default)
    {
        await EnsureDefaultQueueAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var names = await db.Queues.Select(q => q.NormalizedName).ToListAsync(ct);
        foreach (var (name, frt, st, skills) in DemoQueues)
            if (!names.Contains(Domain.Common.Text.Fold(name))) db.Queues.Add(new Queue(name, frt, st, skills: skills));

        if (!await db.CustomFields.AnyAsync(ct))
        {
            var now = clock.GetUtcNow();
            db.CustomFields.AddRange(
                new CustomFieldDefinition(FieldIdent.Parse("loyalty-tier"), "Loyalty tier", CustomFieldType.Dropdown, ["Bronze", "Silver", "Gold", "Platinum"], true, true, true, 1, now, "Niveau de fidélité", "Loyalty tier"),
                new CustomFieldDefinition(FieldIdent.Parse("customer_number"), "Customer number", CustomFieldType.Text, null, true, false, true, 2, now, "Numéro client", "Customer number"),
                new CustomFieldDefinition(FieldIdent.Parse("birth-date"), "Birth date", CustomFieldType.Date, null, false, true, true, 3, now, "Date de naissance", "Birth date"),
                new CustomFieldDefinition(FieldIdent.Parse("newsletter"), "Newsletter", CustomFieldType.Checkbox, null, false, true, true, 4, now, "Newsletter", "Newsletter"));
        }
        if (!await db.QuickReplies.AnyAsync(ct))
        {
            db.QuickReplies.AddRange(
                new QuickReply("Accusé de réception", "Bonjour {{customer.firstName}}, merci pour votre message. Je regarde votre dossier et je reviens vers vous rapidement.\n{{agent.name}}", "fr", ["accueil"], "Accueil"),
                new QuickReply("Suivi de livraison", "Bonjour {{customer.firstName}}, votre colis est en cours d'acheminement. Vous pouvez suivre sa livraison depuis votre espace client, rubrique « Mes commandes ».", "fr", ["livraison"], "Livraison",
                    "Suivre mon colis", "https://www.example.com/suivi"),
                new QuickReply("Remboursement", "Le remboursement a été initié : il apparaîtra sur votre compte sous 3 à 5 jours ouvrés.", "fr", ["facturation"], "Paiement"),
                new QuickReply("Demande de paiement", "Bonjour {{customer.firstName}} {{customer.lastName}}, voici le lien sécurisé pour régler votre facture.", "fr", ["facturation"], "Paiement",
                    "Payer en ligne", "https://www.example.com/paiement"),
                new QuickReply("Formulaire de réclamation", "Pour que le service {{case.queue}} traite votre demande, merci de remplir ce formulaire.", "fr", ["réclamation"], "Formulaires",
                    "Formulaire de réclamation", "https://www.example.com/reclamation"),
                new QuickReply("Acknowledgement", "Hello {{customer.firstName}}, thanks for your message. I'm looking into your account and will get back to you shortly.\n{{agent.name}}", "en", ["greeting"], "Greeting"),
                new QuickReply("Delivery tracking", "Hello {{customer.firstName}}, your parcel is on its way. You can follow it from your account, under \"My orders\".", "en", ["delivery"], "Delivery",
                    "Track my parcel", "https://www.example.com/tracking"),
                new QuickReply("Refund", "The refund has been issued and will reach your account within 3 to 5 business days.", "en", ["billing"], "Payment"),
                new QuickReply("Payment request", "Hello {{customer.firstName}} {{customer.lastName}}, here is the secure link to pay your invoice.", "en", ["billing"], "Payment",
                    "Pay online", "https://www.example.com/pay"));
        }
        if (!await db.Dispositions.AnyAsync(ct))
        {
            var now = clock.GetUtcNow();
            var order = 1;
            foreach (var label in DemoDispositions) db.Dispositions.Add(new Domain.Crm.Disposition(label, order++, now));
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The demo's agent script (seed 004) and the queue that opens it.</summary>
    public const string DemoScriptName = "Incident support";
    public const string DemoSubScriptName = "Procédure de remboursement";
    public const string DemoScriptQueue = "Support";

    /// <summary>
    /// Seed 004's agent script on the Support queue: greet the customer with the acknowledgement quick reply, a
    /// "Create an incident" macro (a CRM case from the customer's context, the acknowledgement in the reply box, a note),
    /// and the refund procedure as a sub-script. Written once: a script of that name, or a queue that already opens
    /// another script, is left as the administrator has it. Its placeholders, quick replies and CRM type are the demo's
    /// own (a test checks it against the editor's rules).
    /// </summary>
    public async Task EnsureDemoScriptsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var refund = await db.Scripts.Where(s => s.Name == DemoSubScriptName).Select(s => (long?)s.Id).FirstOrDefaultAsync(ct)
            ?? await PublishAsync(db, DemoSubScriptName, "Rembourser une commande, avec les mots approuvés.",
            [
                new AgentScriptStep(ScriptStepKind.Text, "Vérifier l'éligibilité",
                    "Demandez à {{customer.firstName}} son numéro de commande. Un remboursement est possible dans les 14 jours qui suivent la livraison.", null, null),
                new AgentScriptStep(ScriptStepKind.Macro, "Confirmer le remboursement", "Met la réponse « Remboursement » dans la réponse et note la décision.",
                [
                    new MacroAction { Type = MacroActionType.InsertQuickReply, QuickReply = "Remboursement" },
                    new MacroAction { Type = MacroActionType.AddNote, Text = "Remboursement confirmé à {{customer.fullName}} par {{agent.name}}." },
                ], null),
            ], now, ct);
        if (await db.Scripts.AnyAsync(s => s.Name == DemoScriptName, ct)) return;
        var script = await PublishAsync(db, DemoScriptName, "Seed 004 : accueillir, créer l'incident, rembourser si besoin.",
        [
            new AgentScriptStep(ScriptStepKind.Text, "Accueillir le client",
                "Accueillez {{customer.firstName}} avec la réponse rapide « Accusé de réception », puis reformulez sa demande ({{case.channel}}).", null, null),
            new AgentScriptStep(ScriptStepKind.Macro, "Créer un incident", "Crée un incident dans le CRM à partir du contexte du client, le lie à la conversation et accuse réception.",
            [
                new MacroAction
                {
                    Type = MacroActionType.CreateCrmRecord, RecordType = "case",
                    Fields = new Dictionary<string, string?> { ["subject"] = "Incident {{customer.fullName}} ({{case.channel}})" },
                },
                new MacroAction { Type = MacroActionType.InsertQuickReply, QuickReply = "Accusé de réception" },
                new MacroAction { Type = MacroActionType.AddNote, Text = "Incident créé depuis le script d'agent." },
            ], null),
            new AgentScriptStep(ScriptStepKind.SubScript, "Si le client demande un remboursement", null, null, refund),
        ], now, ct);
        var queue = await db.Queues.Where(q => q.Name == DemoScriptQueue).Select(q => (long?)q.Id).FirstOrDefaultAsync(ct);
        if (queue is { } queueId && !await db.ScriptAssignments.AnyAsync(a => a.QueueId == queueId && a.ChannelCode == 0, ct))
        {
            db.ScriptAssignments.Add(new AgentScriptAssignment(script, queueId, null));
            await db.SaveChangesAsync(ct);
        }
    }

    private static async Task<long> PublishAsync(AgentWorkspaceDbContext db, string name, string description, IEnumerable<AgentScriptStep> steps, DateTimeOffset now,
        CancellationToken ct)
    {
        var script = new AgentScript(name, description, "fr", now);
        db.Scripts.Add(script);
        await db.SaveChangesAsync(ct);
        var version = new AgentScriptVersion(script.Id, 1, script.Name, steps, "AgentWorkspace (demo)", now);
        db.ScriptVersions.Add(version);
        await db.SaveChangesAsync(ct);
        script.Published(version, now);
        await db.SaveChangesAsync(ct);
        return script.Id;
    }

    /// <summary>The wrap-up dispositions of the demo (after-call work, seed 001).</summary>
    public static readonly string[] DemoDispositions = ["Resolved on first call", "Callback scheduled", "Information given", "Complaint", "Sale", "Wrong number"];
}
