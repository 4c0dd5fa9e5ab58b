using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Admin.AdminTestData;

namespace AgentWorkspace.Tests.Admin;

[Trait("Category", "Service")]
public class AdminServicesTests : IAsyncLifetime
{
    private TestDatabase _test = default!;
    private readonly RecordingFeed _feed = new();

    public async ValueTask InitializeAsync() => _test = await TestDatabase.CreateAsync();
    public async ValueTask DisposeAsync() => await _test.DisposeAsync();

    private async Task<List<string>> AuditAsync(string entity)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await db.Audit.Where(a => a.EntityType == entity).OrderBy(a => a.Id).Select(a => a.Action + ":" + a.Field).ToListAsync();
    }

    [Fact]
    public async Task QueuesAreCreatedAndEditedWithSkillsAndSlaTargets()
    {
        var queues = new QueueService(_test.Factory, _test.Runner(_feed));
        var q = await queues.CreateAsync(AdminActor, new QueueInput("Billing", ["invoices", "refunds", "Invoices"], 20, 480));
        q.Skills.ShouldBe(["invoices", "refunds"]);
        var edited = await queues.UpdateAsync(AdminActor, q.Id, new QueueInput("Billing", ["invoices"], 15, 240));
        edited.FirstResponseTargetMinutes.ShouldBe(15);
        edited.ResolutionTargetMinutes.ShouldBe(240);
        (await AuditAsync("Queue")).ShouldBe(["Created:queue", "Updated:skills", "Updated:firstResponseTargetMinutes", "Updated:resolutionTargetMinutes"]);
        _feed.Published.Count(e => e.Kind == ChangeKind.SettingsChanged).ShouldBe(2);
    }

    [Fact]
    public async Task AQueueRefusesBadTargetsAndDuplicateNamesAndKeepsItsValues()
    {
        var queues = new QueueService(_test.Factory, _test.Runner(_feed));
        var q = await queues.CreateAsync(AdminActor, new QueueInput("Billing", [], 20, 480));
        (await Should.ThrowAsync<AdminRuleException>(() => queues.UpdateAsync(AdminActor, q.Id, new QueueInput("Billing", [], 60, 30)))).Code.ShouldBe("ResolutionShorter");
        (await Should.ThrowAsync<ConflictException>(() => queues.CreateAsync(AdminActor, new QueueInput("billing", [], 20, 480)))).Field.ShouldBe("name");
        await Should.ThrowAsync<ForbiddenException>(() => queues.CreateAsync(Supervisor, new QueueInput("Other", [], 20, 480)));
        (await queues.ListAsync(Agent)).ShouldHaveSingleItem().FirstResponseTargetMinutes.ShouldBe(20);
    }

    [Fact]
    public async Task AnApiKeyIsShownOnceStoredHashedAndRevoked()
    {
        var keys = new ApiKeyService(_test.Factory, _test.Runner(_feed));
        var created = await keys.CreateAsync(AdminActor, "CRM sync", Role.Supervisor);
        created.Secret.ShouldStartWith("aw_" + created.Key.Prefix + "_");
        await using (var db = _test.Factory.CreateDbContext())
        {
            var row = await db.ApiKeys.SingleAsync();
            row.SecretHash.ShouldBe(ApiKeySecret.Hash(created.Secret));
            row.SecretHash.ShouldNotContain(created.Secret);
            (await db.Audit.AnyAsync(a => a.After != null && a.After.Contains(created.Secret))).ShouldBeFalse();
        }
        (await keys.RevokeAsync(AdminActor, created.Key.Id)).IsActive.ShouldBeFalse();
        (await AuditAsync("ApiKey")).ShouldBe(["Created:key", "Revoked:key"]);
        (await Should.ThrowAsync<AdminRuleException>(() => keys.CreateAsync(AdminActor, " ", Role.Agent))).Field.ShouldBe("name");
        await Should.ThrowAsync<ForbiddenException>(() => keys.CreateAsync(Supervisor, "x", Role.Agent));
        await Should.ThrowAsync<ForbiddenException>(() => keys.ListAsync(Supervisor));
    }

    [Fact]
    public async Task QuickRepliesAreCreatedEditedDeletedAndAgentsReadThem()
    {
        var replies = new QuickReplyService(_test.Factory, _test.Runner(_feed));
        var r = await replies.CreateAsync(AdminActor, new QuickReplyInput("Délai de livraison", "Votre commande arrive sous 48 h.", "fr", ["livraison", "delai"]));
        r.Tags.ShouldBe(["livraison", "delai"]);
        await replies.CreateAsync(AdminActor, new QuickReplyInput("Delivery time", "Your order arrives within 48 h.", "en", []));
        (await replies.ListAsync(Agent, "fr")).ShouldHaveSingleItem().Title.ShouldBe("Délai de livraison");
        await replies.UpdateAsync(AdminActor, r.Id, new QuickReplyInput("Délai", "Sous 48 h.", "fr", ["livraison"]));
        await replies.DeleteAsync(AdminActor, r.Id);
        (await replies.ListAsync(Agent)).ShouldHaveSingleItem().Language.ShouldBe("en");
        (await AuditAsync("QuickReply")).ShouldBe(["Created:title", "Created:title", "Updated:title", "Updated:body", "Updated:tags", "Deleted:title"]);
        await Should.ThrowAsync<ForbiddenException>(() => replies.CreateAsync(Supervisor, new QuickReplyInput("x", "y", "fr", [])));
        (await Should.ThrowAsync<AdminRuleException>(() => replies.CreateAsync(AdminActor, new QuickReplyInput("x", "y", "de", [])))).Field.ShouldBe("language");
    }

    [Fact]
    public async Task SettingsRefuseARegionLibphonenumberDoesNotKnow()
    {
        var settings = new SettingsService(_test.Factory, _test.Runner(_feed), new SettingsDefaults());
        (await Should.ThrowAsync<DomainException>(() => settings.UpdateAsync(AdminActor, "XX", true))).Field.ShouldBe("defaultPhoneRegion");
        (await settings.GetAsync()).DefaultPhoneRegion.ShouldBe("FR");
        (await settings.UpdateAsync(AdminActor, "be", true)).ShouldBe(new EffectiveSettings("BE", true));
        _feed.Published.ShouldContain(e => e.Kind == ChangeKind.SettingsChanged);
    }
}
