using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Tests.Inbox;
using AgentWorkspace.Web.Store.Crm;
using AgentWorkspace.Web.Store.Inbox;

namespace AgentWorkspace.Tests.Crm;

/// <summary>The CRM store's reducers (pure): sections, the arrow, link and unlink, the create dialog, the admin page, after-call work.</summary>
public class CrmReducerTests
{
    private static readonly CrmScope Scope = new(10, 100);
    private static readonly CrmScope Other = new(10, 101);

    private static CrmCardRecord Rec(CrmRecordType type, string id, bool linked = false, long? linkId = null, params CrmCardRecord[] children) =>
        new(new CrmRecord(type, id, $"{type} {id}", null, new Dictionary<string, string?>(), null), linked, linkId, null, children);

    private static CrmSections Sections(IReadOnlyList<CrmCardRecord> current, IReadOnlyList<CrmCardRecord> related) => new("builtin", current, related);

    private static CrmState Watched(params CrmScope[] scopes) =>
        scopes.Aggregate(new CrmFeature().GetInitialState(), (s, scope) => CrmReducers.Reduce(s, new WatchCrmSectionsAction(scope)));

    [Fact]
    public void AWatchedScopeLoads_AnOlderReadFinishingLastIsDropped_AndAFailureKeepsWhatWasShown()
    {
        var s = Watched(Scope);
        (s.For(Scope).Loading, s.For(Scope).Sections).ShouldBe((true, (CrmSections?)null));

        var newer = Sections([Rec(CrmRecordType.Contact, "2")], []);
        s = CrmReducers.Reduce(s, new CrmSectionsLoadedAction(Scope, newer, Load: 2));
        s = CrmReducers.Reduce(s, new CrmSectionsLoadedAction(Scope, Sections([Rec(CrmRecordType.Contact, "1")], []), Load: 1));
        s.For(Scope).Sections.ShouldBe(newer);
        s.For(Scope).Loading.ShouldBeFalse();

        s = CrmReducers.Reduce(s, new LoadCrmSectionsAction(Scope));
        s.For(Scope).Loading.ShouldBeTrue();
        s = CrmReducers.Reduce(s, new CrmSectionsFailedAction(Scope, "The CRM is not answering.", Load: 3));
        (s.For(Scope).Loading, s.For(Scope).Error, s.For(Scope).Sections).ShouldBe((false, "The CRM is not answering.", newer));
        // Another scope is untouched, and a scope nobody watches takes no result.
        s.Panels.ContainsKey(Other).ShouldBeFalse();
        CrmReducers.Reduce(s, new CrmSectionsLoadedAction(Other, newer)).Panels.ContainsKey(Other).ShouldBeFalse();
        CrmReducers.Reduce(s, new ReleaseCrmSectionsAction(Scope)).Panels.ShouldBeEmpty();
    }

    [Fact]
    public void TheArrowShowsChildrenAtOnceWhenTheSectionsBroughtThem_ElseWaitsForTheRead_AndClosesAgain()
    {
        var account = Rec(CrmRecordType.Account, "7");
        var contact = Rec(CrmRecordType.Contact, "1", children: account);
        var s = CrmReducers.Reduce(Watched(Scope), new CrmSectionsLoadedAction(Scope, Sections([contact], [account])));

        s = CrmReducers.Reduce(s, new ToggleCrmRecordAction(Scope, contact));
        s.For(Scope).Expanded[contact.Ref].ShouldBe(new CrmExpansion(false, contact.Children, null));

        s = CrmReducers.Reduce(s, new ToggleCrmRecordAction(Scope, account));
        s.For(Scope).Expanded[account.Ref].Loading.ShouldBeTrue();
        var member = Rec(CrmRecordType.Contact, "9");
        s = CrmReducers.Reduce(s, new CrmAssociatedLoadedAction(Scope, account.Ref, [member]));
        s.For(Scope).Expanded[account.Ref].Records.ShouldBe([member]);

        s = CrmReducers.Reduce(s, new ToggleCrmRecordAction(Scope, account));
        s.For(Scope).Expanded.ContainsKey(account.Ref).ShouldBeFalse();
        // A late answer for a closed arrow does not open it again; a failure of an open one is said there.
        CrmReducers.Reduce(s, new CrmAssociatedLoadedAction(Scope, account.Ref, [member])).For(Scope).Expanded.ContainsKey(account.Ref).ShouldBeFalse();
        s = CrmReducers.Reduce(s, new ToggleCrmRecordAction(Scope, account));
        CrmReducers.Reduce(s, new CrmAssociatedFailedAction(Scope, account.Ref, "down")).For(Scope).Expanded[account.Ref].Error.ShouldBe("down");
    }

    [Fact]
    public void LinkingMarksTheRecordEverywhereItShows_UnlinkingClearsIt_AndARefusalIsSaidOnTheRecord()
    {
        var account = Rec(CrmRecordType.Account, "7");
        var contact = Rec(CrmRecordType.Contact, "1", children: account);
        var s = CrmReducers.Reduce(Watched(Scope), new CrmSectionsLoadedAction(Scope, Sections([contact], [account])));
        s = CrmReducers.Reduce(s, new ToggleCrmRecordAction(Scope, contact));

        s = CrmReducers.Reduce(s, new LinkCrmRecordAction(Scope, account.Ref));
        s.For(Scope).Busy.ShouldContain(account.Ref);
        s = CrmReducers.Reduce(s, new CrmRecordLinkedAction(Scope, account.Ref, 55));
        var p = s.For(Scope);
        p.Busy.ShouldBeEmpty();
        p.Sections!.Related.Single().LinkId.ShouldBe(55);
        p.Sections.Current.Single().Children.Single().LinkId.ShouldBe(55);
        p.Expanded[contact.Ref].Records!.Single().Linked.ShouldBeTrue();

        s = CrmReducers.Reduce(s, new UnlinkCrmRecordAction(Scope, account.Ref, 55));
        s = CrmReducers.Reduce(s, new CrmRecordUnlinkedAction(Scope, account.Ref));
        s.For(Scope).Sections!.Related.Single().Linked.ShouldBeFalse();
        s.For(Scope).Sections!.Related.Single().LinkId.ShouldBeNull();

        s = CrmReducers.Reduce(s, new LinkCrmRecordAction(Scope, contact.Ref));
        s = CrmReducers.Reduce(s, new CrmLinkFailedAction(Scope, contact.Ref, "Zoé is already linked to this case."));
        (s.For(Scope).ErrorOn, s.For(Scope).ActionError, s.For(Scope).Busy.Count).ShouldBe((contact.Ref, "Zoé is already linked to this case.", 0));
        // The next action on the sections clears it.
        CrmReducers.Reduce(s, new LoadCrmSectionsAction(Scope)).For(Scope).ActionError.ShouldBeNull();
    }

    [Fact]
    public void TheLinkStateOfOpenedRecordsFollowsTheSectionsWhenTheyAreReadAgain()
    {
        var account = Rec(CrmRecordType.Account, "7");
        var s = CrmReducers.Reduce(Watched(Scope), new CrmSectionsLoadedAction(Scope, Sections([], [Rec(CrmRecordType.Contact, "1")]), 1));
        s = CrmReducers.Reduce(s, new ToggleCrmRecordAction(Scope, Rec(CrmRecordType.Contact, "1")));
        s = CrmReducers.Reduce(s, new CrmAssociatedLoadedAction(Scope, new CrmRecordRef(CrmRecordType.Contact, "1"), [account]));

        // Someone linked the account elsewhere: the sections now say so, and so does the opened list.
        s = CrmReducers.Reduce(s, new CrmSectionsLoadedAction(Scope, Sections([account with { Linked = true, LinkId = 9 }], [Rec(CrmRecordType.Contact, "1")]), 2));
        s.For(Scope).Expanded[new CrmRecordRef(CrmRecordType.Contact, "1")].Records!.Single().LinkId.ShouldBe(9);
    }

    [Fact]
    public void TheCreateDialogIsPrefilled_ARefusalGoesToItsField_AndTheCreatedRecordShowsFirstUntilTheCrmReturnsIt()
    {
        var s = Watched(Scope);
        s = CrmReducers.Reduce(s, new CrmSectionsLoadedAction(Scope, Sections([Rec(CrmRecordType.Contact, "1")], [])));
        s = CrmReducers.Reduce(s, new OpenCrmCreateAction(Scope, CrmRecordType.Contact));
        s.Create!.Loading.ShouldBeTrue();
        var fields = new CrmPrefill("Zoé", "Le Gall", "zoe@example.com", "+33612345678", "Acme", "Commande", null).FieldsFor(CrmRecordType.Contact);
        s = CrmReducers.Reduce(s, new CrmCreatePrefilledAction(Scope, CrmRecordType.Contact, fields));
        (s.Create!.Loading, s.Create.Fields[CrmFields.LastName]).ShouldBe((false, "Le Gall"));
        // A prefill for another dialog is not this one's.
        CrmReducers.Reduce(s, new CrmCreatePrefilledAction(Other, CrmRecordType.Contact, new Dictionary<string, string?>())).Create!.Fields.ShouldBe(fields);

        s = CrmReducers.Reduce(s, new SaveCrmRecordAction(Scope, CrmRecordType.Contact, fields));
        s.Create!.Saving.ShouldBeTrue();
        s = CrmReducers.Reduce(s, new CrmCreateFailedAction(Scope, CrmFields.Email, "'x' is not a valid e-mail address."));
        (s.Create!.Saving, s.Create.Errors[CrmFields.Email], s.Create.Error).ShouldBe((false, "'x' is not a valid e-mail address.", (string?)null));
        s = CrmReducers.Reduce(s, new CrmCreateFailedAction(Scope, "nonsense", "The CRM refused the request: busy"));
        s.Create!.Error.ShouldBe("The CRM refused the request: busy");
        // Saving again starts without the old refusals.
        CrmReducers.Reduce(s, new SaveCrmRecordAction(Scope, CrmRecordType.Contact, fields)).Create!.Errors.ShouldBeEmpty();

        var created = new CreatedCrmRecord(new CrmRecord(CrmRecordType.Contact, "50", "Zoé Le Gall", null, new Dictionary<string, string?>(), new Uri("/crm/contact/50", UriKind.Relative)), 77);
        s = CrmReducers.Reduce(s, new CrmRecordCreatedAction(Scope, created));
        s.Create.ShouldBeNull();
        var first = s.For(Scope).Current[0];
        (first.Ref, first.Linked, first.LinkId).ShouldBe((new CrmRecordRef(CrmRecordType.Contact, "50"), true, (long?)77));
        // Once the CRM returns it, it shows once.
        s = CrmReducers.Reduce(s, new CrmSectionsLoadedAction(Scope, Sections([first, Rec(CrmRecordType.Contact, "1")], [])));
        s.For(Scope).Current.Count(r => r.Ref == first.Ref).ShouldBe(1);
        CrmReducers.Reduce(CrmReducers.Reduce(s, new OpenCrmCreateAction(Scope, CrmRecordType.Case)), new CancelCrmCreateAction()).Create.ShouldBeNull();
    }

    [Fact]
    public void TheAdminPageSaysRefusalsByField_AndARetriedPushLeavesTheFailures()
    {
        var s = CrmAdminReducers.Reduce(new CrmAdminFeature().GetInitialState(), new LoadCrmAdminAction());
        s.Loading.ShouldBeTrue();
        var failure = new CrmPushFailure(3, 4, 5, "builtin", CrmRecordType.Account, "7", "Acme", CrmPushTrigger.WrapUp, 1, "refused", DateTimeOffset.UtcNow);
        var view = new CrmSettingsView("builtin", ["builtin"], new Dictionary<string, string?>(), [], [CrmRecordType.Case], CrmPushedFields.All, 5, null, null, null, null, null);
        s = CrmAdminReducers.Reduce(s, new CrmAdminLoadedAction(view, [new CrmKindInfo("builtin", [], [])], [new DispositionView(1, "Sale", 1, true)], new CrmPushFailurePage([failure], null)));
        (s.Loading, s.Failures.Count, s.Dispositions.Count).ShouldBe((false, 1, 1));

        s = CrmAdminReducers.Reduce(s, new SaveCrmSettingsAction(new CrmSettingsInput("builtin", new Dictionary<string, string?>(), new Dictionary<string, string?>(), [], [], 0)));
        s = CrmAdminReducers.Reduce(s, new CrmSettingsRejectedAction("timeoutSeconds", "The time-out is between 1 and 60 seconds."));
        (s.Saving, s.Errors["timeoutSeconds"]).ShouldBe((false, "The time-out is between 1 and 60 seconds."));
        CrmAdminReducers.Reduce(s, new SaveCrmSettingsAction(new CrmSettingsInput("builtin", new Dictionary<string, string?>(), new Dictionary<string, string?>(), [], [], 5))).Errors.ShouldBeEmpty();

        s = CrmAdminReducers.Reduce(s, new AddDispositionAction("Sale"));
        s = CrmAdminReducers.Reduce(s, new DispositionRejectedAction("new", "The disposition 'Sale' already exists."));
        s.DispositionErrors["new"].ShouldBe("The disposition 'Sale' already exists.");
        s = CrmAdminReducers.Reduce(s, new DispositionSavedAction(new DispositionView(2, "Callback", 0, true), Added: true));
        s.Dispositions.Select(d => d.Label).ShouldBe(["Callback", "Sale"]);
        s.DispositionsAdded.ShouldBe(1);

        s = CrmAdminReducers.Reduce(s, new RetryCrmPushAction(3));
        s.Retrying.ShouldContain(3);
        CrmAdminReducers.Reduce(s, new CrmPushRetryFailedAction(3, "unlinked since")).FailureErrors[3].ShouldBe("unlinked since");
        s = CrmAdminReducers.Reduce(s, new CrmPushRetriedAction(3));
        (s.Retrying.Count, s.Failures.Count).ShouldBe((0, 0));
    }

    [Fact]
    public void AfterCallWorkIsKeptOnItsOpenCase_AndTheDispositionsOnTheInbox()
    {
        var s = InboxReducers.Reduce(new InboxFeature().GetInitialState(), new OpenCaseAction(7));
        var work = new AfterCallWorkView(7, true, AfterCallWork.WrapUp, DateTimeOffset.UtcNow, null, null, null);
        s = InboxReducers.Reduce(s, new AfterCallWorkLoadedAction(work));
        s.Cases[7].AfterCall.ShouldBe(work);
        // A case not open takes nothing.
        InboxReducers.Reduce(s, new AfterCallWorkLoadedAction(work with { CaseId = 8 })).Cases.ContainsKey(8).ShouldBeFalse();
        // A command's answer keeps it until the next read.
        s = InboxReducers.Reduce(s, new CaseCommandSucceededAction(7, InboxReducerTests.Tile(7), false));
        s.Cases[7].AfterCall.ShouldBe(work);
        s = InboxReducers.Reduce(s, new DispositionsLoadedAction([new DispositionView(1, "Sale", 1, true)]));
        s.Dispositions.Single().Label.ShouldBe("Sale");
        // The wrap-up's refusal names its field, for the form to say it there.
        s = InboxReducers.Reduce(s, new CompleteWrapUpAction(7, null, "notes"));
        s = InboxReducers.Reduce(s, new CaseCommandFailedAction(7, "Choose a disposition.", "disposition"));
        (s.Cases[7].Error, s.Cases[7].ErrorField, s.Cases[7].Busy).ShouldBe(("Choose a disposition.", "disposition", false));
    }
}
