using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Merge;

/// <summary>Issue 21, "merge requests: agents notice, supervisors decide", on SQLite.</summary>
[Trait("Category", "Service")]
public class MergeRequestTests
{
    private static readonly Actor Camille = new("u-camille", "Camille Laurent", Role.Agent);
    private static readonly Actor Sophie = new("u-sophie", "Sophie Moreau", Role.Supervisor);

    private sealed record World(TestDatabase Test, MergeRequestService Requests, SettingsService Settings, CardEdits Cards, List<ChangeEvent> Events, long Call, long Mail);

    private static async Task<World> WorldAsync(bool agentsMayMerge = false)
    {
        var test = await TestDatabase.CreateAsync();
        await new Core.Features.Demo.ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var feed = new InProcessChangeFeed();
        var events = new List<ChangeEvent>();
        feed.Subscribe(e => { lock (events) events.Add(e); return Task.CompletedTask; });
        var runner = test.Runner(feed);
        var settings = new SettingsService(test.Factory, runner, new SettingsDefaults("FR", agentsMayMerge));
        var cards = new CardEdits(test.Factory, runner, settings, TimeProvider.System);
        var call = await cards.CreateAsync(Camille, new CardProfile { FirstName = "Edward", LastName = "Ferrars", MobilePhone = "+33611223344" }, []);
        var mail = await cards.CreateAsync(Camille, new CardProfile { FirstName = "Edward", LastName = "Ferrars", PrimaryEmail = "edward@example.org" }, []);
        return new World(test, new MergeRequestService(test.Factory, runner, settings), settings, cards, events, call, mail);
    }

    [Fact]
    public async Task AnAgentProposesWhereAgentsMayNotMerge_ASupervisorOrAnAllowedAgentMerges()
    {
        await using var test = (await WorldAsync()).Test;
        var requests = new MergeRequestService(test.Factory, test.Runner(), new SettingsService(test.Factory, test.Runner(), new SettingsDefaults("FR", false)));
        (await requests.RightAsync(Camille)).ShouldBe(MergeRight.Propose);
        (await requests.RightAsync(Sophie)).ShouldBe(MergeRight.Merge);
        var open = new MergeRequestService(test.Factory, test.Runner(), new SettingsService(test.Factory, test.Runner(), new SettingsDefaults("FR", true)));
        (await open.RightAsync(Camille)).ShouldBe(MergeRight.Merge);
    }

    [Fact]
    public async Task TheSupervisorApproves_TheMergeHappens_TheAgentIsTold_AndBothTimelinesSayIt()
    {
        var w = await WorldAsync();
        await using var _ = w.Test;
        var proposal = await w.Requests.ProposeAsync(Camille, w.Call, w.Mail, "Il a écrit hier");
        (proposal.Status, proposal.ProposedByName, proposal.Comment, proposal.SurvivorName).ShouldBe((MergeRequestStatus.Pending, "Camille Laurent", "Il a écrit hier", "Edward Ferrars"));
        (await w.Requests.PendingAsync(Sophie)).ShouldHaveSingleItem().Id.ShouldBe(proposal.Id);

        // The agent may neither read the queue nor decide.
        (await Should.ThrowAsync<ForbiddenException>(() => w.Requests.ApproveAsync(Camille, proposal.Id))).Code.ShouldBe("MergeRequestNeedsSupervisor");
        (await Should.ThrowAsync<ForbiddenException>(() => w.Requests.PendingAsync(Camille))).Code.ShouldBe("MergeRequestNeedsSupervisor");
        // The same pair again, either way round, is refused while the first waits.
        (await Should.ThrowAsync<ConflictException>(() => w.Requests.ProposeAsync(Camille, w.Mail, w.Call, null))).Code.ShouldBe("MergeRequestPending");

        var result = await w.Requests.ApproveAsync(Sophie, proposal.Id, new Dictionary<string, MergeChoice> { ["primaryEmail"] = MergeChoice.Merged });
        (result.SurvivorId, result.MergedId).ShouldBe((w.Call, w.Mail));
        await using (var db = w.Test.Factory.CreateDbContext())
        {
            var survivor = await db.Cards.SingleAsync(c => c.Id == w.Call);
            (survivor.MobilePhone, survivor.PrimaryEmail).ShouldBe(("+33611223344", "edward@example.org"));
            (await db.Cards.SingleAsync(c => c.Id == w.Mail)).Status.ShouldBe(CardStatus.Merged);
            var stored = await db.MergeRequests.SingleAsync();
            (stored.Status, stored.DecidedByName, stored.MergeId).ShouldBe((MergeRequestStatus.Approved, "Sophie Moreau", (long?)result.MergeId));
            (await db.Audit.Where(a => a.EntityType == "Card").Select(a => a.Action).ToListAsync())
                .ShouldBeSubsetOf(["Created", "MergeProposed", "MergeApproved", "Merged", "MergedInto"]);
            (await db.Audit.CountAsync(a => a.Action == "MergeApproved")).ShouldBe(1);
        }
        (await w.Requests.PendingAsync(Sophie)).ShouldBeEmpty();
        await Eventually.TrueAsync(() => w.Events.Any(e => e.Kind == ChangeKind.MergeRequestChanged && e.AgentId == Camille.UserId && e.ActorId == Sophie.UserId), "the merge request's change was published to Camille");

        // Two supervisors at once: the second decision is a conflict naming the first, and nothing is merged twice.
        var again = await Should.ThrowAsync<ConflictException>(() => w.Requests.ApproveAsync(Sophie, proposal.Id));
        (again.Code, again.Args.Single()).ShouldBe(("MergeRequestDecided", (object)"Sophie Moreau"));
        await using (var db = w.Test.Factory.CreateDbContext()) (await db.Merges.CountAsync()).ShouldBe(1);

        var reads = new CardReads(w.Test.Factory, new InProcessChangeFeed(), TimeProvider.System);
        var timeline = await reads.GetTimelineAsync(Camille, w.Call, TimelineFilter.Customer);
        var entry = timeline.Items.Single(i => i.Kind == TimelineKind.MergeRequest);
        (entry.Actor, entry.Text, entry.MergeRequest!.Status, entry.MergeRequest.DecidedByName).ShouldBe(("Camille Laurent", "Il a écrit hier", MergeRequestStatus.Approved, "Sophie Moreau"));
    }

    [Fact]
    public async Task ADeclineNeedsItsComment_AndLeavesBothCardsAsTheyWere()
    {
        var w = await WorldAsync();
        await using var _ = w.Test;
        var proposal = await w.Requests.ProposeAsync(Camille, w.Call, w.Mail, null);
        (await Should.ThrowAsync<DomainException>(() => w.Requests.DeclineAsync(Sophie, proposal.Id, "   "))).Code.ShouldBe("MergeRequestDeclineNeedsComment");
        var declined = await w.Requests.DeclineAsync(Sophie, proposal.Id, "Deux Edward Ferrars différents");
        (declined.Status, declined.DecisionComment).ShouldBe((MergeRequestStatus.Declined, "Deux Edward Ferrars différents"));
        (await Should.ThrowAsync<ConflictException>(() => w.Requests.ApproveAsync(Sophie, proposal.Id))).Code.ShouldBe("MergeRequestDecided");
        await using var db = w.Test.Factory.CreateDbContext();
        (await db.Cards.CountAsync(c => c.Status == CardStatus.Active)).ShouldBe(2);
        (await db.Merges.CountAsync()).ShouldBe(0);
        // Declined, a new proposal of the same pair may be made.
        (await w.Requests.ProposeAsync(Camille, w.Call, w.Mail, "Même numéro de client")).Status.ShouldBe(MergeRequestStatus.Pending);
    }

    [Fact]
    public async Task AProposalThatCanNoLongerBeMergedSaysWhy_AndItsApprovalIsRefusedLeavingItPending()
    {
        var w = await WorldAsync();
        await using var _ = w.Test;
        var proposal = await w.Requests.ProposeAsync(Camille, w.Call, w.Mail, null);
        var privacy = new PrivacyService(w.Test.Factory, w.Test.Runner(), TimeProvider.System);
        await privacy.LockAsync(Sophie, w.Mail);
        var pending = (await w.Requests.PendingAsync(Sophie)).ShouldHaveSingleItem();
        (pending.BlockedCode, pending.BlockedArgs!.Single()).ShouldBe(("CardLockedNoMerge", (object)w.Mail));
        (await Should.ThrowAsync<DomainException>(() => w.Requests.ApproveAsync(Sophie, proposal.Id))).Code.ShouldBe("CardLockedNoMerge");
        (await w.Requests.GetAsync(Sophie, proposal.Id)).Status.ShouldBe(MergeRequestStatus.Pending);
        // A locked card cannot be proposed either, and a card is not proposed with itself.
        (await Should.ThrowAsync<DomainException>(() => w.Requests.ProposeAsync(Camille, w.Mail, w.Call, null))).Code.ShouldBe("CardLockedNoMerge");
        (await Should.ThrowAsync<DomainException>(() => w.Requests.ProposeAsync(Camille, w.Call, w.Call, null))).Code.ShouldBe("MergeWithItself");
        (await Should.ThrowAsync<NotFoundException>(() => w.Requests.ProposeAsync(Camille, w.Call, 987654, null))).ShouldNotBeNull();
    }
}

/// <summary>The merge-request operations and the duplicates' weights over HTTP (issue 21).</summary>
public class MergeRequestApiTests(MergeApiFixture fixture) : IClassFixture<MergeApiFixture>
{
    private async Task<(long, long)> TwoNewCardsAsync(string name)
    {
        await using var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var a = new CustomerCard(new CardProfile { FirstName = name, LastName = "Ferrars" }, "FR", now);
        var b = new CustomerCard(new CardProfile { FirstName = name.ToUpperInvariant(), LastName = "FERRARS" }, "FR", now);
        db.Cards.AddRange(a, b);
        await db.SaveChangesAsync();
        return (a.Id, b.Id);
    }

    [Fact]
    public async Task ProposeApproveAndDeclineOverHttp()
    {
        var (a, b) = await TwoNewCardsAsync("Edwardapi");
        using var http = fixture.App.CreateClient();

        var duplicates = await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{a}/duplicates");
        var candidate = duplicates.EnumerateArray().Single(c => c.GetProperty("cardId").GetInt64() == b);
        var reason = candidate.GetProperty("reasons").EnumerateArray().Single();
        (reason.GetProperty("kind").ToString(), reason.GetProperty("weight").GetDouble()).ShouldBe(("sameName", DuplicateService.SameNameWeight));

        var created = await http.PostAsJsonAsync("api/v1/merge-requests", new { survivorId = a, mergedId = b, comment = "Même personne" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var twice = await http.PostAsJsonAsync("api/v1/merge-requests", new { survivorId = b, mergedId = a });
        twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        twice.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        (await http.GetFromJsonAsync<JsonElement>("api/v1/merge-requests")).EnumerateArray().ShouldContain(r => r.GetProperty("id").GetInt64() == id);

        var noComment = await http.PostAsJsonAsync($"api/v1/merge-requests/{id}/decline", new { });
        noComment.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noComment.Content.ReadAsStringAsync()).ShouldContain("comment");

        var approved = await http.PostAsJsonAsync($"api/v1/merge-requests/{id}/approve", new { choices = new { firstName = "merged" } });
        approved.StatusCode.ShouldBe(HttpStatusCode.OK);
        var merge = await approved.Content.ReadFromJsonAsync<JsonElement>();
        (merge.GetProperty("survivorId").GetInt64(), merge.GetProperty("mergedId").GetInt64()).ShouldBe((a, b));
        (await http.PostAsJsonAsync($"api/v1/merge-requests/{id}/decline", new { comment = "trop tard" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("api/v1/merge-requests", "{\"survivorId\":1}", "mergedId")]
    [InlineData("api/v1/merge-requests", "{\"survivorId\":\"1\",\"mergedId\":2}", "survivorId")]
    [InlineData("api/v1/merge-requests", "{\"survivorId\":1,\"mergedId\":2,\"why\":\"x\"}", "why")]
    [InlineData("api/v1/merge-requests/1/approve", "{\"choices\":{\"city\":\"1\"}}", "choices.city")]
    [InlineData("api/v1/merge-requests/1/decline", "{\"comment\":5}", "comment")]
    [InlineData("api/v1/merge-requests/1/decline", "", "$")]
    public async Task BadBodiesAreProblemsNamingTheField(string url, string json, string field)
    {
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetRawText().ShouldContain($"\"{field}\"");
    }
}
