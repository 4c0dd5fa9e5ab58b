using System.Text;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Privacy;

[Trait("Category", "Service")]
public class PrivacyServiceTests
{
    private static readonly Actor Supervisor = new("sup", "Sophie Moreau", Role.Supervisor);
    private static readonly string[] Secrets = ["Zoéquartz", "Bellavoine", "zoe.quartz.bellavoine@example.org", "+33698765432", "phrase-tres-secrete-4711", "Quartzcorp", "quartz-invoice.pdf", "note-confidentielle-88"];

    private static async Task<(TestDatabase Db, long CardId, long CaseId)> ContactAsync(bool openCase)
    {
        var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        await using var db = test.Factory.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var card = new CustomerCard(new CardProfile { FirstName = Secrets[0], LastName = Secrets[1], PrimaryEmail = Secrets[2], MobilePhone = Secrets[3], Company = Secrets[5] }, "FR", now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        card.AddIdentity(Channel.Sms, "06 98 76 54 32", IdentityAddress.Normalize(Channel.Sms, "0698765432", "FR"), now, $"{Secrets[0]} {Secrets[1]}");
        card.AddIdentity(Channel.Email, Secrets[2], IdentityAddress.Normalize(Channel.Email, Secrets[2], "FR"), now, $"{Secrets[0]} {Secrets[1]}");
        var queue = await db.Queues.FirstAsync();
        var @case = new Case(card.Id, Channel.Email, queue.Id, "Facture " + Secrets[5], now);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        var message = new Message(@case.Id, card.Id, Channel.Email, "ext-1", Direction.Inbound, MessageKind.Email, $"{Secrets[0]} {Secrets[1]}", null, "Re: " + Secrets[4], Secrets[4], "<p>" + Secrets[4] + "</p>", Sentiment.Negative, now);
        db.Messages.Add(message);
        @case.MessageArrived(Direction.Inbound, Secrets[4], now);
        card.RecordMessage(Sentiment.Negative, Direction.Inbound, now);
        if (!openCase) @case.Resolve(now);
        await db.SaveChangesAsync();
        db.Attachments.Add(new MessageAttachment(message.Id, Secrets[6], "application/pdf", 1200, null));
        var note = new Note(card.Id, @case.Id, "agent", "Camille", Secrets[7], now);
        db.Notes.Add(note);
        db.CaseComments.Add(new CaseComment(@case.Id, message.Id, "agent", "Camille", "Appeler " + Secrets[0], now));
        var tier = await db.CustomFields.FirstAsync(f => f.Ident == "customer_number");
        db.CustomFieldValues.Add(new CustomFieldValue(card.Id, tier.Id, "C-" + Secrets[1], now));
        db.Audit.Add(new AuditEntry(now, "agent", "Camille", "Card", card.Id.ToString(), "ProfileUpdated", "lastName", "Old" + Secrets[1], Secrets[1]));
        await db.SaveChangesAsync();
        db.Audit.Add(new AuditEntry(now, "agent", "Camille", "Note", note.Id.ToString(), "Edited", "text", "draft " + Secrets[7], Secrets[7]));
        await db.SaveChangesAsync();
        return (test, card.Id, @case.Id);
    }

    private static PrivacyService Service(TestDatabase test) => new(test.Factory, test.Runner(), TimeProvider.System);

    [Fact]
    public async Task AfterAnonymizeNoErasedValueIsLeftAnywhereInTheDatabaseFile()
    {
        TestDatabase.RequireSqlite("the bytes of the database file");
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        var bytesBefore = await ReadAllAsync(test.FilePath);
        Encoding.UTF8.GetString(bytesBefore).ShouldContain(Secrets[4]);

        await Service(test).AnonymizeAsync(Supervisor, cardId, force: false);
        SqliteConnection.ClearAllPools();

        var content = Encoding.UTF8.GetString(await ReadAllAsync(test.FilePath));
        foreach (var secret in Secrets.Concat(["0698765432", "698765432"]))
            content.ShouldNotContain(secret, Shouldly.Case.Insensitive, $"'{secret}' survived the anonymization");
    }

    [Fact]
    public async Task AnonymizeKeepsCountsAndStatisticsAndTheAddressesCanNoLongerMatch()
    {
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        await Service(test).AnonymizeAsync(Supervisor, cardId, force: false);
        await using var db = test.Factory.CreateDbContext();
        var card = await db.Cards.Include(c => c.Identities).SingleAsync(c => c.Id == cardId);
        card.Status.ShouldBe(CardStatus.Anonymized);
        card.NegativeCount.ShouldBe(1);
        (await db.Messages.CountAsync(m => m.CardId == cardId)).ShouldBe(1);
        (await db.Identities.AnyAsync(i => i.NormalizedAddress == "+33698765432" || i.NormalizedAddress == Secrets[2])).ShouldBeFalse();
        card.Identities.ShouldAllBe(i => i.IsErased);
        (await db.Audit.AnyAsync(a => a.EntityId == cardId.ToString() && a.Action == "Anonymized" && a.Before == null && a.After == null)).ShouldBeTrue();
    }

    [Fact]
    public async Task AnonymizeIsRefusedWhileACaseIsOpenUnlessForced()
    {
        var (test, cardId, _) = await ContactAsync(openCase: true);
        await using var _ = test;
        var service = Service(test);
        (await Should.ThrowAsync<DomainException>(() => service.AnonymizeAsync(Supervisor, cardId, force: false))).Field.ShouldBe("force");
        await using (var db = test.Factory.CreateDbContext())
            (await db.Cards.SingleAsync(c => c.Id == cardId)).FirstName.ShouldBe(Secrets[0], "nothing is written when refused");
        await service.AnonymizeAsync(Supervisor, cardId, force: true);
        await using var check = test.Factory.CreateDbContext();
        (await check.Cards.SingleAsync(c => c.Id == cardId)).Status.ShouldBe(CardStatus.Anonymized);
    }

    [Fact]
    public async Task ALockedCardRefusesEditsUntilUnlocked()
    {
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        var service = Service(test);
        await service.LockAsync(Supervisor, cardId);
        await using (var db = test.Factory.CreateDbContext())
        {
            var card = await db.Cards.SingleAsync(c => c.Id == cardId);
            card.IsLocked.ShouldBeTrue();
            Should.Throw<DomainException>(() => card.UpdateProfile(card.Profile with { City = "Lyon" }, "FR", DateTimeOffset.UtcNow));
        }
        await service.UnlockAsync(Supervisor, cardId);
        await using var after = test.Factory.CreateDbContext();
        (await after.Cards.SingleAsync(c => c.Id == cardId)).IsLocked.ShouldBeFalse();
        (await after.Audit.CountAsync(a => a.EntityId == cardId.ToString() && (a.Action == "Locked" || a.Action == "Unlocked"))).ShouldBe(2);
    }

    [Fact]
    public async Task TheExportHoldsEverythingAndTheCsvIsSafeForSpreadsheets()
    {
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        var service = Service(test);
        var json = await service.ExportJsonAsync(Supervisor, cardId);
        foreach (var secret in new[] { Secrets[0], Secrets[2], Secrets[4], Secrets[6], Secrets[7] }) json.ShouldContain(secret);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        doc.RootElement.GetProperty("messages").GetArrayLength().ShouldBe(1);

        var csv = await service.ExportMessagesCsvAsync(Supervisor, cardId);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("sentAt,caseId,channel");
        lines.Length.ShouldBe(2);
        lines[1].ShouldContain(Secrets[4]);
    }

    [Fact]
    public async Task ACardWhoseMergeWasUndoneIsAnotherContact_ItKeepsItsProfile_AndTheUndoneMergesLedgerIsErased()
    {
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        long otherId;
        await using (var db = test.Factory.CreateDbContext())
        {
            var other = new CustomerCard(new CardProfile { FirstName = "Hugo", LastName = "Autrepersonne" }, "FR", DateTimeOffset.UtcNow);
            db.Cards.Add(other);
            await db.SaveChangesAsync();
            otherId = other.Id;
        }
        var runner = test.Runner();
        var merges = new MergeService(test.Factory, runner, new SettingsService(test.Factory, runner, new SettingsDefaults()));
        var merge = await merges.MergeAsync(Supervisor, cardId, otherId);
        await merges.UndoAsync(Supervisor, merge.MergeId);

        await Service(test).AnonymizeAsync(Supervisor, cardId, force: false);

        await using var check = test.Factory.CreateDbContext();
        var kept = await check.Cards.SingleAsync(c => c.Id == otherId);
        (kept.Status, kept.LastName).ShouldBe((CardStatus.Active, "Autrepersonne"));
        // The undone merge's ledger held the anonymized card's profile (its survivor then).
        (await check.Merges.SingleAsync(m => m.Id == merge.MergeId)).LedgerJson.ShouldBe(PrivacyService.ErasedLedger);
    }

    [Fact]
    public async Task AfterTheErasureTheChannelsMessageIdIsForgotten_TheSameMessageAgainIsStoredAsANewContact()
    {
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        var runner = test.Runner();
        var ingest = new IngestService(test.Factory, runner, new SettingsService(test.Factory, runner, new SettingsDefaults()), new LexiconSentimentAnalyzer(),
            new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
        var again = new InteractionRequest { Channel = Channel.Email, ExternalId = "ext-1", From = new InteractionSender { Address = Secrets[2] }, Body = "Encore moi" };
        (await ingest.IngestAsync(Supervisor, again)).Repeated.ShouldBeTrue("before the erasure the channel's id is known");

        await Service(test).AnonymizeAsync(Supervisor, cardId, force: false);

        var stored = await ingest.IngestAsync(Supervisor, again);
        (stored.Repeated, stored.CardCreated).ShouldBe((false, true));
        stored.CardId.ShouldNotBe(cardId);
        await using var check = test.Factory.CreateDbContext();
        (await check.Messages.Where(m => m.CardId == cardId).Select(m => m.ExternalId).ToListAsync()).ShouldAllBe(id => id == null);
    }

    [Fact]
    public async Task AnAgentCannotAnonymizeOrExport()
    {
        var (test, cardId, _) = await ContactAsync(openCase: false);
        await using var _ = test;
        var agent = new Actor("a", "Agent", Role.Agent);
        await Should.ThrowAsync<ForbiddenException>(() => Service(test).AnonymizeAsync(agent, cardId, true));
        await Should.ThrowAsync<ForbiddenException>(() => Service(test).ExportJsonAsync(agent, cardId));
    }

    private static async Task<byte[]> ReadAllAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        if (File.Exists(file + "-wal"))
        {
            await using var wal = new FileStream(file + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await wal.CopyToAsync(ms);
        }
        return ms.ToArray();
    }
}
