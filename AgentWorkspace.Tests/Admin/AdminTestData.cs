using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Admin;

/// <summary>Actors, a recording change feed and small helpers shared by the administration tests.</summary>
internal static class AdminTestData
{
    public static readonly Actor AdminActor = new("admin-1", "Alex Martin", Role.Admin);
    public static readonly Actor Supervisor = new("sup-1", "Sophie Moreau", Role.Supervisor);
    public static readonly Actor Agent = new("agent-1", "Camille Laurent", Role.Agent);

    public static CustomFieldInput Dropdown(string ident, params string[] options) =>
        new(ident, "Tier " + ident, "Niveau", "Tier", "dropdown", options, true, true, true);

    public static CustomFieldInput TextField(string ident) => new(ident, "Text " + ident, null, null, "text", [], true, true, false);

    /// <summary>Creates <paramref name="count"/> cards and gives each the value <paramref name="value"/> for the field.</summary>
    public static async Task<List<long>> CardsWithValueAsync(TestDatabase test, string ident, string value, int count)
    {
        await using var db = test.Factory.CreateDbContext();
        var field = await db.CustomFields.FirstAsync(f => f.Ident == ident);
        var now = DateTimeOffset.UtcNow;
        var cards = Enumerable.Range(0, count).Select(i => new CustomerCard(new CardProfile { FirstName = "Card", LastName = value + i }, "FR", now)).ToList();
        db.Cards.AddRange(cards);
        await db.SaveChangesAsync();
        db.CustomFieldValues.AddRange(cards.Select(c => new CustomFieldValue(c.Id, field.Id, value, now)));
        await db.SaveChangesAsync();
        return cards.Select(c => c.Id).ToList();
    }
}

/// <summary>Keeps every published change, to prove what a service announced (and that a refused change announced nothing).</summary>
internal sealed class RecordingFeed : IChangeFeed
{
    public List<ChangeEvent> Published { get; } = [];
    public void Publish(ChangeEvent change) { lock (Published) Published.Add(change); }
    public IDisposable Subscribe(Func<ChangeEvent, Task> handler) => new Nothing();
    private sealed class Nothing : IDisposable { public void Dispose() { } }
}
