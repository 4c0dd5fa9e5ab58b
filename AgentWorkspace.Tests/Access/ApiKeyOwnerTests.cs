using System.Net;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Access;

/// <summary>An API key created by a user is no way around that user's rights: it goes when they are disabled or demoted below it.</summary>
public class ApiKeyOwnerTests
{
    private static async Task<Actor> DemoAdminAsync(AppHost app)
    {
        await using var db = app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        return (await db.Users.FirstAsync(u => u.Email == "admin@demo.local")).ToActor();
    }

    private static async Task<HttpStatusCode> CallAsync(AppHost app, string key)
    {
        using var http = app.CreateClient(withApiKey: false);
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var response = await http.GetAsync("api/v1/custom-fields");
        return response.StatusCode;
    }

    [Fact]
    public async Task DemotingAnAdministratorRevokesTheirKeysAboveTheNewRole_DisablingThemRevokesTheRest_AndEnablingBringsNoneBack()
    {
        await using var app = await AppHost.StartAsync(demoCards: 2);
        var users = app.GetRequiredService<UserAdminService>();
        var keys = app.GetRequiredService<ApiKeyService>();
        var admin = await DemoAdminAsync(app);
        var nina = await users.CreateAsync(admin, new NewUserInput("nina@demo.local", "Nina Petit", Role.Admin, "Nina-Petit-Password-1", []));
        var asNina = new Actor(nina.Id, nina.DisplayName, nina.Role);
        var adminKey = await keys.CreateAsync(asNina, "CRM sync", Role.Admin);
        var supervisorKey = await keys.CreateAsync(asNina, "Reporting", Role.Supervisor);
        var agentKey = await keys.CreateAsync(asNina, "Chat widget", Role.Agent);
        var othersKey = await keys.CreateAsync(admin, "Someone else's", Role.Admin);
        foreach (var k in new[] { adminKey, supervisorKey, agentKey, othersKey }) (await CallAsync(app, k.Secret)).ShouldBe(HttpStatusCode.OK);

        await users.SetRoleAsync(admin, nina.Id, Role.Supervisor);
        (await CallAsync(app, adminKey.Secret)).ShouldBe(HttpStatusCode.Unauthorized);
        (await CallAsync(app, supervisorKey.Secret)).ShouldBe(HttpStatusCode.OK);
        (await CallAsync(app, agentKey.Secret)).ShouldBe(HttpStatusCode.OK);

        await users.SetDisabledAsync(admin, nina.Id, true);
        (await CallAsync(app, supervisorKey.Secret)).ShouldBe(HttpStatusCode.Unauthorized);
        (await CallAsync(app, agentKey.Secret)).ShouldBe(HttpStatusCode.Unauthorized);

        await users.SetDisabledAsync(admin, nina.Id, false);
        await users.SetRoleAsync(admin, nina.Id, Role.Admin);
        (await CallAsync(app, adminKey.Secret)).ShouldBe(HttpStatusCode.Unauthorized, "a revoked key stays revoked");
        (await CallAsync(app, agentKey.Secret)).ShouldBe(HttpStatusCode.Unauthorized);

        // Another administrator's key and the keys of configuration are not touched.
        (await CallAsync(app, othersKey.Secret)).ShouldBe(HttpStatusCode.OK);
        (await CallAsync(app, AppHost.ApiKey)).ShouldBe(HttpStatusCode.OK);

        var list = await keys.ListAsync(admin);
        list.Where(k => k.Name is "CRM sync" or "Reporting" or "Chat widget").ShouldAllBe(k => !k.IsActive);
        list.Single(k => k.Name == "Someone else's").IsActive.ShouldBeTrue();
        await using var db = app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        var revocations = await db.Audit.Where(a => a.EntityType == "ApiKey" && a.Action == "Revoked" && a.Field == "owner")
            .OrderBy(a => a.Id).Select(a => new { a.Before, a.After }).ToListAsync();
        revocations.Select(r => r.Before).ShouldBe(["CRM sync", "Reporting", "Chat widget"], ignoreOrder: false);
        // Stored as sentences of ours (the audit log says them in the reader's language), not English text.
        AgentWorkspace.Core.Features.Audit.AuditValues.Read(revocations[0].After).ShouldBe(
            new AgentWorkspace.Core.Features.Audit.AuditValue.Sentence("OwnerDemoted", ["Supervisor", "Admin"]), new SentenceComparer());
        AgentWorkspace.Core.Features.Audit.AuditValues.Read(revocations[1].After).ShouldBe(
            new AgentWorkspace.Core.Features.Audit.AuditValue.Sentence("OwnerDisabled", []), new SentenceComparer());
    }

    [Fact]
    public async Task AKeyWhoseOwnerLostTheRightsIsRefusedEvenWhenItsRevocationWasMissed()
    {
        await using var app = await AppHost.StartAsync(demoCards: 2);
        var admin = await DemoAdminAsync(app);
        var key = await app.GetRequiredService<ApiKeyService>().CreateAsync(admin, "Nightly export", Role.Admin);
        (await CallAsync(app, key.Secret)).ShouldBe(HttpStatusCode.OK);

        // As a restored backup or a hand-made change could leave it: the owner disabled, the key still marked active.
        var factory = app.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
            await db.Users.Where(u => u.Id == admin.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, Role.Supervisor));
        (await CallAsync(app, key.Secret)).ShouldBe(HttpStatusCode.Unauthorized);

        await using (var db = factory.CreateDbContext())
        {
            (await db.ApiKeys.SingleAsync(k => k.Name == "Nightly export")).RevokedAt.ShouldBeNull();
            await db.Users.Where(u => u.Id == admin.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, Role.Admin).SetProperty(x => x.IsDisabled, true));
        }
        (await CallAsync(app, key.Secret)).ShouldBe(HttpStatusCode.Unauthorized);
    }
}

/// <summary>Two sentences are the same when code and arguments are (records compare lists by reference).</summary>
internal sealed class SentenceComparer : IEqualityComparer<AgentWorkspace.Core.Features.Audit.AuditValue?>
{
    public bool Equals(AgentWorkspace.Core.Features.Audit.AuditValue? x, AgentWorkspace.Core.Features.Audit.AuditValue? y) =>
        x is AgentWorkspace.Core.Features.Audit.AuditValue.Sentence a && y is AgentWorkspace.Core.Features.Audit.AuditValue.Sentence b && a.Code == b.Code && a.Args.SequenceEqual(b.Args);
    public int GetHashCode(AgentWorkspace.Core.Features.Audit.AuditValue? obj) => 0;
}
