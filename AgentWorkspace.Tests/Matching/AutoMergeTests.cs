using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Matching;

/// <summary>A clock that can be moved forward (a preview made "an hour ago").</summary>
internal sealed class MovableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>The services of the auto-merge over one test database, and cards planted directly.</summary>
internal sealed class AutoMergeKit
{
    public static readonly Actor Admin = new("admin-1", "Alex Admin", Role.Admin);
    public static readonly Actor Supervisor = new("sup-1", "Sophie Moreau", Role.Supervisor);
    public readonly MovableClock Clock = new();
    public readonly InProcessChangeFeed Feed = new();
    public TestDatabase Test { get; }
    public SettingsService Settings { get; }
    public MatchingRuleService Rules { get; }
    public AutoMergeService AutoMerge { get; private set; }

    private AutoMergeKit(TestDatabase test)
    {
        Test = test;
        var runner = new UseCaseRunner(test.Factory, Feed, Clock);
        Settings = new SettingsService(test.Factory, runner, new SettingsDefaults());
        Rules = new MatchingRuleService(test.Factory, runner);
        AutoMerge = new AutoMergeService(test.Factory, runner, Settings, Clock);
    }

    public static async Task<AutoMergeKit> CreateAsync()
    {
        var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        return new AutoMergeKit(test);
    }

    /// <summary>A new service over the same database, as after a restart.</summary>
    public void Restart()
    {
        var runner = new UseCaseRunner(Test.Factory, Feed, Clock);
        AutoMerge = new AutoMergeService(Test.Factory, runner, new SettingsService(Test.Factory, runner, new SettingsDefaults()), Clock);
    }

    public async Task DrainAsync()
    {
        for (var i = 0; i < 10_000 && await AutoMerge.WorkAsync(); i++) { }
    }

    public async Task<long> CardAsync(string first, string last, string? phone = null, string? email = null, string? company = null, string? city = null,
        bool locked = false, string? phoneIdentity = null, string? emailIdentity = null)
    {
        // An address identifies one card only (a unique index): duplicates hold it as an identity on one card and in the
        // profile (mobile phone, primary e-mail) of others.
        await using var db = Test.Factory.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var card = new CustomerCard(new CardProfile { FirstName = first, LastName = last, Company = company, City = city, MobilePhone = phone, PrimaryEmail = email }, "FR", now);
        if (phoneIdentity is not null) card.AddIdentity(Channel.Sms, phoneIdentity, IdentityAddress.Normalize(Channel.Sms, phoneIdentity, "FR"), now);
        if (emailIdentity is not null) card.AddIdentity(Channel.Email, emailIdentity, IdentityAddress.Normalize(Channel.Email, emailIdentity, "FR"), now);
        if (locked) card.Lock();
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        return card.Id;
    }

    public async Task<MatchingRuleView> RuleAsync(string name, MatchAttributes attributes, double minScore = 0, bool excludeLocked = true, long? customFieldId = null,
        long? excludeFieldId = null, string? excludeFieldValue = null) =>
        await Rules.CreateAsync(Admin, new MatchingRuleInput(name, true, attributes, customFieldId, minScore, excludeLocked, null, excludeFieldId, excludeFieldValue));

    public async Task<MatchPreviewView> PreviewAsync()
    {
        var started = await AutoMerge.StartPreviewAsync(Admin);
        await DrainAsync();
        var view = await AutoMerge.GetPreviewAsync(Admin, started.Id);
        view.State.ShouldBe(MatchPreviewState.Ready, view.Error);
        return view;
    }

    public async Task<List<MatchPairView>> PairsAsync(long previewId)
    {
        var all = new List<MatchPairView>();
        long? after = null;
        do
        {
            var page = await AutoMerge.GetPairsAsync(Admin, previewId, after, 7);
            all.AddRange(page.Pairs);
            after = page.Next;
        } while (after is not null);
        return all;
    }

    public async Task<HashSet<(long, long)>> MergesAsync()
    {
        await using var db = Test.Factory.CreateDbContext();
        return (await db.Merges.AsNoTracking().Where(m => m.UndoneAt == null).Select(m => new { m.SurvivorId, m.MergedId }).ToListAsync())
            .Select(m => (m.SurvivorId, m.MergedId)).ToHashSet();
    }
}

/// <summary>
/// Auto-merge (issue 21, ADR 023): the levels' rules, the preview's exactness (a run merges every listed pair and only
/// those), shared identifiers and exclusions, excluded pairs, stale previews, a run resumed after a restart, and the
/// undo of a run.
/// </summary>
[Trait("Category", "Service")]
public class AutoMergeTests : IAsyncLifetime
{
    private AutoMergeKit _kit = default!;

    public async ValueTask InitializeAsync() => _kit = await AutoMergeKit.CreateAsync();
    public async ValueTask DisposeAsync() => await _kit.Test.DisposeAsync();

    [Fact]
    public async Task LevelsAreValidatedOrderedAuditedAndForAdministratorsOnly()
    {
        var rules = _kit.Rules;
        var admin = AutoMergeKit.Admin;
        var phone = await _kit.RuleAsync("Same phone", MatchAttributes.Phone, 0.5);
        var email = await _kit.RuleAsync("Same e-mail", MatchAttributes.Email | MatchAttributes.NameCity, 0.9);
        (await rules.ListAsync(admin)).Select(r => r.Name).ShouldBe(["Same phone", "Same e-mail"]);

        async Task Refused(MatchingRuleInput input, string code) =>
            (await Should.ThrowAsync<AdminRuleException>(() => rules.CreateAsync(admin, input))).Code.ShouldBe(code);
        await Refused(new("", true, MatchAttributes.Phone, null, 0.5), "MatchingRuleNameRequired");
        await Refused(new(new string('x', 101), true, MatchAttributes.Phone, null, 0.5), "MatchingRuleNameTooLong");
        await Refused(new("Same phone", true, MatchAttributes.Phone, null, 0.5), "MatchingRuleNameTaken");
        await Refused(new("Nothing", true, MatchAttributes.None, null, 0.5), "MatchingRuleNoAttribute");
        await Refused(new("Unknown flag", true, (MatchAttributes)128, null, 0.5), "MatchingRuleNoAttribute");
        await Refused(new("Too sure", true, MatchAttributes.Phone, null, 1.5), "MatchingRuleScoreRange");
        await Refused(new("NaN", true, MatchAttributes.Phone, null, double.NaN), "MatchingRuleScoreRange");
        await Refused(new("Field", true, MatchAttributes.CustomField, 999_999, 0.5), "MatchingRuleFieldUnknown");
        await Refused(new("Queue", true, MatchAttributes.Phone, null, 0.5, true, [999_999]), "MatchingRuleQueueUnknown");

        var moved = await rules.MoveAsync(admin, email.Id, 1);
        moved.Select(r => r.Name).ShouldBe(["Same e-mail", "Same phone"]);
        var updated = await rules.UpdateAsync(admin, phone.Id, new MatchingRuleInput("Same mobile", false, MatchAttributes.Phone, null, 0.4));
        updated.Enabled.ShouldBeFalse();
        updated.Name.ShouldBe("Same mobile");
        await rules.DeleteAsync(admin, email.Id);
        (await rules.ListAsync(admin)).Select(r => r.Name).ShouldBe(["Same mobile"]);
        await Should.ThrowAsync<ForbiddenException>(() => rules.ListAsync(AutoMergeKit.Supervisor));
        await Should.ThrowAsync<ForbiddenException>(() => _kit.AutoMerge.StartPreviewAsync(AutoMergeKit.Supervisor));

        await using var db = _kit.Test.Factory.CreateDbContext();
        var audited = await db.Audit.AsNoTracking().Where(a => a.EntityType == "MatchingRule").Select(a => a.Action).ToListAsync();
        audited.ShouldBe(["Created", "Created", "Moved", "Updated", "Deleted"], ignoreOrder: true);
    }

    [Fact]
    public async Task ThePreviewListsExactlyThePairsTheRunMerges_WithReasons_AndNoOthers()
    {
        // A and B share a number; C shares an address with B: one cluster, A the oldest survives both.
        var a = await _kit.CardAsync("Anne", "Arnaud", phoneIdentity: "+33611000001");
        var b = await _kit.CardAsync("Anne", "Arnaud", phone: "06 11 00 00 01", email: "anne@acme.test");
        var c = await _kit.CardAsync("A.", "Arnaud", emailIdentity: "ANNE@acme.test");
        // D and E: same name and company; F the same name elsewhere.
        var d = await _kit.CardAsync("Denis", "Durand", company: "Globex");
        var e = await _kit.CardAsync("DURAND", "Denis", company: "globex");
        var f = await _kit.CardAsync("Denis", "Durand", company: "Initech");
        // G is locked: never merged.
        var g = await _kit.CardAsync("Gil", "Garnier", phone: "+33611000009", locked: true);
        var g2 = await _kit.CardAsync("Gil", "Garnier", phone: "+33611000009");
        await _kit.RuleAsync("Phone", MatchAttributes.Phone, 0.5);
        await _kit.RuleAsync("E-mail", MatchAttributes.Email, 0.5);
        await _kit.RuleAsync("Name and company", MatchAttributes.NameCompany, 0.6);

        var preview = await _kit.PreviewAsync();
        var pairs = await _kit.PairsAsync(preview.Id);
        pairs.Select(p => (p.SurvivorId, p.MergedId)).ShouldBe([(a, b), (a, c), (d, e)], ignoreOrder: true);
        preview.Counts.ShouldBe(new MatchPreviewCounts(3, 2, 5, 0, 0));
        var ab = pairs.Single(p => p.MergedId == b);
        ab.RuleName.ShouldBe("Phone");
        ab.Matched.ShouldBe([new MatchedValue(MatchAttributes.Phone, "+33611000001")]);
        ab.Score.ShouldBe(0.55);
        var ac = pairs.Single(p => p.MergedId == c);
        ac.LinkedToId.ShouldBe(b);
        ac.Matched.ShouldBe([new MatchedValue(MatchAttributes.Email, "anne@acme.test")]);
        pairs.Single(p => p.MergedId == e).Matched.Single().Attribute.ShouldBe(MatchAttributes.NameCompany);
        pairs.ShouldNotContain(p => p.MergedId == f || p.MergedId == g || p.MergedId == g2 || p.SurvivorId == g);

        var before = await _kit.MergesAsync();
        var run = await _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id);
        await _kit.DrainAsync();
        var done = await _kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id);
        done.State.ShouldBe(MatchRunState.Done);
        (done.Total, done.Done, done.Merged, done.Skipped).ShouldBe((3, 3, 3, 0));
        (await _kit.MergesAsync()).Except(before).ShouldBe(pairs.Select(p => (p.SurvivorId, p.MergedId)), ignoreOrder: true);
        (await _kit.PairsAsync(preview.Id)).ShouldAllBe(p => p.Outcome == MatchPairOutcome.Merged && p.MergeId != null);

        // Provenance of a value taken by the run: the rule, from the merged card.
        await using var db = _kit.Test.Factory.CreateDbContext();
        var taken = await db.ValueProvenance.AsNoTracking().Where(v => v.CardId == a && v.MergeId != null).ToListAsync();
        (await db.Audit.AsNoTracking().CountAsync(x => x.EntityType == "MatchRun" && (x.Action == "Started" || x.Action == "Finished"))).ShouldBe(2);
        (await db.Cards.AsNoTracking().Where(x => x.Id == g || x.Id == g2 || x.Id == f).AllAsync(x => x.Status == CardStatus.Active)).ShouldBeTrue();
        taken.ShouldNotBeEmpty();
        taken.ShouldAllBe(v => v.SourceKind == ValueSourceKind.AutoMergeRule);
    }

    [Fact]
    public async Task SharedIdentifiersNeverMatch_ListedOrOnAsManyCardsAsTheThreshold()
    {
        await _kit.CardAsync("Ann", "One", phone: "+33611000101");
        await _kit.CardAsync("Bob", "Two", phone: "+33611000101");
        for (var n = 0; n < SharedAddresses.DefaultThreshold; n++) await _kit.CardAsync("Person" + n, "Many", email: "noreply@shop.test");
        var x = await _kit.CardAsync("Xavier", "Three", email: "x@x.test");
        var y = await _kit.CardAsync("Yves", "Four", email: "X@x.test");
        await using (var db = _kit.Test.Factory.CreateDbContext())
        {
            db.SharedIdentifiers.Add(new SharedIdentifier(new IdentityAddress(IdentitySpace.Phone, "+33611000101"), SharedIdentifierOrigin.Listed, null, 2, "Admin", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }
        await _kit.RuleAsync("Phone", MatchAttributes.Phone);
        await _kit.RuleAsync("E-mail", MatchAttributes.Email);
        var preview = await _kit.PreviewAsync();
        (await _kit.PairsAsync(preview.Id)).Select(p => (p.SurvivorId, p.MergedId)).ShouldBe([(x, y)]);
        preview.Counts.SkippedGroups.ShouldBe(2); // the listed number, and the address on as many cards as the threshold
    }

    [Fact]
    public async Task ExclusionsOfALevel_LockedCards_AVipQueue_ACustomValue_AndAnExcludedPairIsSkippedAndListed()
    {
        var a = await _kit.CardAsync("Alice", "Vip", phone: "+33611000201");
        var b = await _kit.CardAsync("Alice", "Vip", phone: "+33611000201");
        var c = await _kit.CardAsync("Carl", "Kept", phone: "+33611000202");
        var d = await _kit.CardAsync("Carl", "Kept", phone: "+33611000202");
        var e = await _kit.CardAsync("Emma", "Out", phone: "+33611000203");
        var f = await _kit.CardAsync("Emma", "Out", phone: "+33611000203");
        long fieldId;
        await using (var db = _kit.Test.Factory.CreateDbContext())
        {
            var field = await db.CustomFields.AsNoTracking().OrderBy(x => x.Id).FirstAsync(x => !x.IsArchived);
            fieldId = field.Id;
            db.CustomFieldValues.Add(new CustomFieldValue(b, fieldId, " VIP ", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }
        await _kit.RuleAsync("Phone", MatchAttributes.Phone, excludeFieldId: fieldId, excludeFieldValue: "vip");
        var preview = await _kit.PreviewAsync();
        var pairs = await _kit.PairsAsync(preview.Id);
        pairs.Select(p => (p.SurvivorId, p.MergedId)).ShouldBe([(c, d), (e, f)], ignoreOrder: true);

        var ef = pairs.Single(p => p.MergedId == f);
        (await _kit.AutoMerge.SetPairExcludedAsync(AutoMergeKit.Admin, preview.Id, ef.Id, true)).Excluded.ShouldBeTrue();
        (await _kit.AutoMerge.GetPreviewAsync(AutoMergeKit.Admin, preview.Id)).Counts.Excluded.ShouldBe(1);
        var run = await _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id);
        await _kit.DrainAsync();
        (await _kit.MergesAsync()).ShouldBe([(c, d)]);
        var after = await _kit.PairsAsync(preview.Id);
        after.Single(p => p.MergedId == f).Outcome.ShouldBe(MatchPairOutcome.Excluded);
        after.Single(p => p.MergedId == f).SkipCode.ShouldBe(MatchSkip.Excluded);
        (await _kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id)).Skipped.ShouldBe(1);
        (await Should.ThrowAsync<ConflictException>(() => _kit.AutoMerge.SetPairExcludedAsync(AutoMergeKit.Admin, preview.Id, ef.Id, false))).Code.ShouldBe("MatchPreviewAlreadyRun");
        _ = a;
    }

    [Fact]
    public async Task AStaleANotReadyOrAnAlreadyRunPreviewIsRefusedWithACode_AndACardChangedSinceIsSkipped()
    {
        var a = await _kit.CardAsync("Paul", "Stale", phone: "+33611000301");
        var b = await _kit.CardAsync("Paul", "Stale", phone: "+33611000301");
        var c = await _kit.CardAsync("Rita", "Moved", phone: "+33611000302");
        var d = await _kit.CardAsync("Rita", "Moved", phone: "+33611000302");
        await _kit.RuleAsync("Phone", MatchAttributes.Phone);

        var computing = await _kit.AutoMerge.StartPreviewAsync(AutoMergeKit.Admin);
        (await Should.ThrowAsync<ConflictException>(() => _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, computing.Id))).Code.ShouldBe("MatchPreviewNotReady");
        (await Should.ThrowAsync<ConflictException>(() => _kit.AutoMerge.StartPreviewAsync(AutoMergeKit.Admin))).Code.ShouldBe("MatchPreviewBusy");
        await _kit.DrainAsync();
        _kit.Clock.Offset = AutoMergeService.StaleAfter + TimeSpan.FromMinutes(1);
        (await _kit.AutoMerge.GetPreviewAsync(AutoMergeKit.Admin, computing.Id)).Stale.ShouldBeTrue();
        (await Should.ThrowAsync<ConflictException>(() => _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, computing.Id))).Code.ShouldBe("MatchPreviewStale");
        _kit.Clock.Offset = TimeSpan.Zero;

        var preview = await _kit.PreviewAsync();
        // D's number changes after the preview: its pair is skipped as changed, not merged.
        await using (var db = _kit.Test.Factory.CreateDbContext())
        {
            var card = await db.Cards.Include(x => x.Identities).FirstAsync(x => x.Id == d);
            card.UpdateProfile(card.Profile with { MobilePhone = "+33699999999" }, "FR", DateTimeOffset.UtcNow);
            card.BumpVersion();
            await db.SaveChangesAsync();
        }
        await _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id);
        await _kit.DrainAsync();
        (await _kit.MergesAsync()).ShouldBe([(a, b)]);
        (await _kit.PairsAsync(preview.Id)).Single(p => p.MergedId == d).SkipCode.ShouldBe(MatchSkip.Changed);
        (await Should.ThrowAsync<ConflictException>(() => _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id))).Code.ShouldBe("MatchPreviewAlreadyRun");
        _ = c;
    }

    [Fact]
    public async Task ARunStoppedMidwayIsTakenUpByANewServiceOverTheSameDatabase_AndItsUndoToo()
    {
        var expected = new List<(long, long)>();
        for (var n = 0; n < 25; n++)
        {
            var phone = "+336120000" + n.ToString("00", CultureInfo.InvariantCulture);
            var s = await _kit.CardAsync("Rest" + n, "Art", phone: phone);
            var m = await _kit.CardAsync("Other" + n, "Art", phone: phone);
            expected.Add((s, m));
        }
        await _kit.RuleAsync("Phone", MatchAttributes.Phone);
        var preview = await _kit.PreviewAsync();
        var run = await _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id);
        (await _kit.AutoMerge.WorkAsync()).ShouldBeTrue(); // one batch, then "the server stops"
        var midway = await _kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id);
        midway.State.ShouldBe(MatchRunState.Running);
        midway.Done.ShouldBeInRange(1, 24);

        _kit.Restart();
        await _kit.DrainAsync();
        var done = await _kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id);
        (done.State, done.Merged).ShouldBe((MatchRunState.Done, 25));
        (await _kit.MergesAsync()).ShouldBe(expected, ignoreOrder: true);

        await _kit.AutoMerge.UndoRunAsync(AutoMergeKit.Admin, run.Id);
        (await _kit.AutoMerge.WorkAsync()).ShouldBeTrue();
        _kit.Restart();
        await _kit.DrainAsync();
        var undone = await _kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id);
        (undone.State, undone.Undone, undone.UndoFailed).ShouldBe((MatchRunState.Undone, 25, 0));
        (await _kit.MergesAsync()).ShouldBeEmpty();
        (await Should.ThrowAsync<ConflictException>(() => _kit.AutoMerge.UndoRunAsync(AutoMergeKit.Admin, run.Id))).Code.ShouldBe("MatchRunNotUndoable");
    }

    [Fact]
    public async Task AMergeOfTheRunThatCannotBeUndoneIsReportedOnItsPair()
    {
        var a = await _kit.CardAsync("Zoe", "Undo", phone: "+33611000401");
        var b = await _kit.CardAsync("Zoe", "Undo", phoneIdentity: "+33611000401");
        await _kit.RuleAsync("Phone", MatchAttributes.Phone);
        var preview = await _kit.PreviewAsync();
        var run = await _kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id);
        await _kit.DrainAsync();
        var mergeId = (await _kit.PairsAsync(preview.Id)).Single().MergeId!.Value;
        // Undone by hand in the meantime: the run's undo says so on the pair.
        var merge = new Core.Features.Merge.MergeService(_kit.Test.Factory, new UseCaseRunner(_kit.Test.Factory, _kit.Feed, _kit.Clock), _kit.Settings);
        await merge.UndoAsync(AutoMergeKit.Admin, mergeId);
        await _kit.AutoMerge.UndoRunAsync(AutoMergeKit.Admin, run.Id);
        await _kit.DrainAsync();
        var undone = await _kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id);
        (undone.Undone, undone.UndoFailed).ShouldBe((0, 1));
        var pair = (await _kit.PairsAsync(preview.Id)).Single();
        pair.UndoOutcome.ShouldBe(MatchUndoOutcome.Failed);
        pair.UndoCode.ShouldBe("UnmergeAlreadyUndone");
        _ = (a, b);
    }

    [Fact]
    public async Task TheCsvExportListsEveryPair_AndNeutralisesFormulas()
    {
        await _kit.CardAsync("=cmd", "Evil", company: "+Acme");
        await _kit.CardAsync("=cmd", "Evil", company: "+acme");
        await _kit.RuleAsync("=Name and company", MatchAttributes.NameCompany);
        var preview = await _kit.PreviewAsync();
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        await _kit.AutoMerge.ExportCsvAsync(AutoMergeKit.Admin, preview.Id, writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines[1].ShouldContain("'=Name and company");
        lines[1].ShouldNotContain(",=");
        AutoMergeService.Safe("@SUM(A1)").ShouldBe("'@SUM(A1)");
        AutoMergeService.Safe("-1").ShouldBe("'-1");
        AutoMergeService.Safe("plain").ShouldBe("plain");
    }
}
