using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// Issue 22 item 12: the inbox's text search finds the panel's cases by the contact's name (as folded, and a handle the
/// channel gave), their number typed in any usual form, their address, and the words of the last message; every word
/// must be found; the panel's scope and filters still hold; the search's own characters are text, not patterns.
/// </summary>
[Trait("Category", "Service")]
public class InboxSearchTests
{
    private static async Task<List<long>> FindAsync(InboxWorld w, string text, InboxFilter? filter = null, Core.Domain.Identity.Actor? actor = null) =>
        (await w.Inbox.ListAsync(actor ?? Camille, (filter ?? new InboxFilter()) with { Text = text })).Tiles.Select(t => t.Id).ToList();

    [Fact]
    public async Task NamesAreFoundWithoutCaseOrAccents_AndEveryWordMustBeFound()
    {
        await using var w = await CreateAsync();
        var (_, zoe) = await w.InboundAsync("Support", firstName: "Zoé");
        var (_, lea) = await w.InboundAsync("Support", firstName: "Léa");
        var (_, marc) = await w.InboundAsync(Queue.DefaultName, firstName: "Marc", text: "Ma livraison est en retard");

        (await FindAsync(w, "zoe")).ShouldBe([zoe]);
        (await FindAsync(w, "LÉA")).ShouldBe([lea]);
        (await FindAsync(w, "le gall")).ShouldBe([marc, lea, zoe], ignoreOrder: true);
        (await FindAsync(w, "zoe livraison")).ShouldBeEmpty();
        (await FindAsync(w, "marc LIVRAISON")).ShouldBe([marc]);
        (await FindAsync(w, "  ")).ShouldBe([marc, lea, zoe], ignoreOrder: true);
    }

    [Fact]
    public async Task ANumberIsFoundAsTheAgentSaysIt_AndAnAddressOrAHandleByAPart()
    {
        await using var w = await CreateAsync();
        var (_, sms) = await w.InboundAsync("Support", Channel.Sms, firstName: "Paul", address: "+33612345678");
        var (_, mail) = await w.InboundAsync("Support", Channel.Email, firstName: "Anne", address: "anne.durand@example.org");
        var (_, dm) = await w.InboundAsync("Support", Channel.Twitter, firstName: "Jo", address: "marguerite_92");

        foreach (var typed in new[] { "06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612345678", "(0)6.12.34.56.78", "5678" })
            (await FindAsync(w, typed)).ShouldBe([sms], customMessage: typed);
        (await FindAsync(w, "durand@example")).ShouldBe([mail]);
        (await FindAsync(w, "marguerite_92")).ShouldBe([dm]);
        (await FindAsync(w, "0699999999")).ShouldBeEmpty();
    }

    [Fact]
    public async Task TheSearchsCharactersAreTextNotPatterns()
    {
        await using var w = await CreateAsync();
        var (_, percent) = await w.InboundAsync("Support", firstName: "Eve", text: "Remise de 100% sur ma_commande [urgent]");
        await w.InboundAsync("Support", firstName: "Ivan", text: "Remise de 1000 euros sur macommande");

        (await FindAsync(w, "100%")).ShouldBe([percent]);
        (await FindAsync(w, "ma_commande")).ShouldBe([percent]);
        (await FindAsync(w, "[urgent]")).ShouldBe([percent]);
        (await FindAsync(w, "%")).ShouldBe([percent]);
        (await FindAsync(w, "\\")).ShouldBeEmpty();
    }

    [Fact]
    public async Task TheScopeAndFiltersStillHold_AndPagesWalkEveryMatchOnce()
    {
        await using var w = await CreateAsync();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var mine = new List<long>();
        for (var i = 0; i < 7; i++)
            mine.Add((await w.InboundAsync("Support", firstName: "Nina", text: "colis perdu", at: start.AddMinutes(i))).CaseId);
        var (_, sales) = await w.InboundAsync("Sales", firstName: "Nina", text: "colis perdu");
        var (_, assigned) = await w.InboundAsync("Sales", firstName: "Nina", text: "colis perdu", assignedTo: Camille.UserId);
        var (_, email) = await w.InboundAsync("Support", Channel.Email, firstName: "Nina", text: "colis perdu", at: start.AddMinutes(-5));

        // Camille is not in Sales: its case is not hers to find, the one assigned to her is.
        var all = await FindAsync(w, "nina colis");
        all.ShouldNotContain(sales);
        all.ShouldContain(assigned);
        all.Count.ShouldBe(9);
        (await FindAsync(w, "nina", new InboxFilter(Scope: InboxScope.Mine))).ShouldBe([assigned]);
        (await FindAsync(w, "nina", new InboxFilter(Channel: Channel.Email))).ShouldBe([email]);
        (await FindAsync(w, "nina", new InboxFilter(Sort: InboxSort.Oldest))).First().ShouldBe(email);
        (await FindAsync(w, "nina", actor: Lucas)).ShouldBe([assigned, sales], ignoreOrder: true);
        await w.QueryAsync(db => db.Cases.Where(c => c.Id == mine[0]).ExecuteUpdateAsync(c => c.SetProperty(x => x.Status, CaseStatus.Resolved)));
        (await FindAsync(w, "nina")).ShouldNotContain(mine[0]);
        (await FindAsync(w, "nina", new InboxFilter(Status: CaseStatus.Resolved))).ShouldBe([mine[0]]);

        var seen = new List<long>();
        InboxCursor? after = null;
        do
        {
            var page = await w.Inbox.ListAsync(Camille, new InboxFilter(Text: "colis"), after, pageSize: 3);
            seen.AddRange(page.Tiles.Select(t => t.Id));
            after = page.Next;
        } while (after is not null);
        seen.ShouldBe(all.Where(id => id != mine[0]).ToList());
    }
}
