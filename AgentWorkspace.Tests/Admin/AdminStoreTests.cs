using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Core.Features.Audit;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Web.Store.Admin.ApiKeys;
using AgentWorkspace.Web.Store.Admin.Audit;
using AgentWorkspace.Web.Store.Admin.Queues;
using AgentWorkspace.Web.Store.Admin.QuickReplies;
using AgentWorkspace.Web.Store.Admin.Users;

namespace AgentWorkspace.Tests.Admin;

/// <summary>The administration pages' reducers: a command's answer is applied once, in the service's order; refusals land by field.</summary>
public class AdminStoreTests
{
    private static QueueView Queue(long id, string name, bool isDefault = false) => new(id, name, [], 60, 1440, isDefault, 0);

    [Fact]
    public void ASavedQueueTakesItsPlaceInTheServicesOrder_AndClosesTheForm()
    {
        var s = QueuesReducers.Reduce(new QueuesFeature().GetInitialState(), new QueuesLoadedAction([Queue(1, "General", true), Queue(2, "Sales")]));
        s = QueuesReducers.Reduce(s, new EditQueueAction(null));
        s = QueuesReducers.Reduce(s, new SaveQueueAction(null, new QueueInput("Billing", [], 60, 1440)));
        s.Saving.ShouldBeTrue();

        s = QueuesReducers.Reduce(s, new QueueSavedAction(Queue(3, "billing")));

        s.Queues.Select(q => q.Name).ShouldBe(["General", "billing", "Sales"]);
        (s.Editing, s.Saving).ShouldBe((false, false));
        QueuesReducers.Reduce(s, new QueueSavedAction(Queue(2, "Ventes"))).Queues.Select(q => q.Name).ShouldBe(["General", "billing", "Ventes"]);
    }

    [Fact]
    public void RefusalsLandByTheirField_AndOneWithoutAFieldWhereTheAdministratorActed()
    {
        var rule = new AdminRuleException("QueueNameRequired", "A queue needs a name.", "name");
        var s = QueuesReducers.Reduce(new QueuesFeature().GetInitialState(), new QueuesFailedAction([rule]));
        s.Errors["name"].ShouldBeSameAs(rule);

        var fault = new InvalidOperationException("disk full");
        var users = UsersReducers.Reduce(new UsersFeature().GetInitialState() with { Busy = true }, new UsersFailedAction([fault], "disabled"));
        users.Errors["disabled"].ShouldBeSameAs(fault);
        users.Busy.ShouldBeFalse();
        UsersReducers.Reduce(users, new SelectUserAction("u1")).Errors.ShouldBeEmpty();
    }

    [Fact]
    public void AChangedUserIsReplacedInPlace_AndACreatedOneIsManagedNext()
    {
        static UserView User(string id, string name, Role role = Role.Agent) => new(id, name + "@x.org", name, role, false, [], DateTimeOffset.UnixEpoch);
        var s = UsersReducers.Reduce(new UsersFeature().GetInitialState(), new UsersLoadedAction([User("a", "Ana"), User("c", "Chloé")], []));
        s = UsersReducers.Reduce(s, new SetUserRoleAction("c", Role.Supervisor));
        s.Busy.ShouldBeTrue();
        s = UsersReducers.Reduce(s, new UserSavedAction(User("c", "Chloé", Role.Supervisor), UserChange.Role));
        s.Users.Single(u => u.Id == "c").Role.ShouldBe(Role.Supervisor);

        s = UsersReducers.Reduce(UsersReducers.Reduce(s, new StartNewUserAction()), new UserCreatedAction(User("b", "Bruno")));
        s.Users.Select(u => u.DisplayName).ShouldBe(["Ana", "Bruno", "Chloé"]);
        (s.Creating, s.Selected?.Id).ShouldBe((false, "b"));
    }

    [Fact]
    public void AnApiKeysSecretIsShownOnce_AndForgotten()
    {
        var key = new ApiKeyView(5, "crm", Role.Agent, "abc", DateTimeOffset.UnixEpoch, "Alex", null);
        var s = ApiKeysReducers.Reduce(new ApiKeysFeature().GetInitialState(), new ApiKeyCreatedAction(new CreatedApiKey(key, "aw_abc_secret")));
        s.Created!.Secret.ShouldBe("aw_abc_secret");
        s.Keys.ShouldHaveSingleItem();
        ApiKeysReducers.Reduce(s, new ForgetApiKeySecretAction()).Created.ShouldBeNull();
        ApiKeysReducers.Reduce(s, new LoadApiKeysAction()).Created.ShouldBeNull("coming back to the page does not show it again");
        ApiKeysReducers.Reduce(s, new ApiKeyRevokedAction(key with { RevokedAt = DateTimeOffset.UnixEpoch })).Keys.Single().IsActive.ShouldBeFalse();
    }

    [Fact]
    public void ADeletedReplyLeavesTheList_AndItsFormIfItWasOpen()
    {
        var reply = new QuickReplyView(4, "Délai", "48 h", "fr", []);
        var s = QuickRepliesReducers.Reduce(new QuickRepliesFeature().GetInitialState(), new QuickRepliesLoadedAction([reply]));
        s = QuickRepliesReducers.Reduce(s, new EditQuickReplyAction(4));
        s = QuickRepliesReducers.Reduce(s, new QuickReplyDeletedAction(4));
        s.Replies.ShouldBeEmpty();
        (s.Editing, s.EditedId).ShouldBe((false, null));
    }

    [Fact]
    public void AnAuditPageAnsweringAnEarlierFilterIsDropped()
    {
        static AuditEntry Entry(long id) => new(DateTimeOffset.UnixEpoch, "u", "Alex", "QuickReply", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "Created");
        var all = new AuditFilter();
        var replies = new AuditFilter(What: "QuickReply");
        var s = AuditReducers.Reduce(new AuditFeature().GetInitialState(), new LoadAuditAction(all));
        s = AuditReducers.Reduce(s, new SearchAuditAction(replies));

        AuditReducers.Reduce(s, new AuditPageLoadedAction(all, new AuditPage([Entry(1)], null), false)).Entries.ShouldBeEmpty();
        AuditReducers.Reduce(s, new AuditPageLoadedAction(replies, new AuditPage([Entry(2)], null), false)).Entries.ShouldHaveSingleItem();
        AuditReducers.Reduce(s, new AuditFailedAction(new ForbiddenException("no"))).Loading.ShouldBeFalse();
    }
}
