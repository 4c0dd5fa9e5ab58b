using System.Globalization;
using System.Text;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// Merged conversations (issue 21, ADR 021): two cases of one contact become one thread, interleaved by time, with the
/// older case's clocks; the merged case leaves the inbox pointing to its survivor; an unmerge puts every row back.
/// </summary>
[Trait("Category", "Service")]
public class CaseMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private sealed class Setup : IAsyncDisposable
    {
        public required InboxWorld World { get; init; }
        public required CaseMerges Merges { get; init; }
        public required InboxServiceTests.SpyConnector Connector { get; init; }
        public ValueTask DisposeAsync() => World.DisposeAsync();
    }

    private static async Task<Setup> CreateAsync()
    {
        var connector = new InboxServiceTests.SpyConnector(DeliveryStatus.Delivered);
        var world = await InboxWorld.CreateAsync(connector);
        return new Setup { World = world, Merges = new CaseMerges(world.Db.Factory, world.Db.Runner(world.Feed)), Connector = connector };
    }

    /// <summary>Another conversation of the same contact on <paramref name="channel"/>, from an address of its own, as ingest makes it.</summary>
    private static async Task<long> SecondCaseAsync(InboxWorld w, long cardId, Channel channel, string queue, DateTimeOffset at, string text, string address)
    {
        await using var ctx = w.Db.Factory.CreateDbContext();
        var card = await ctx.Cards.FirstAsync(c => c.Id == cardId);
        var identity = ChannelIdentity.Create(0, cardId, channel, address, IdentityAddress.Normalize(channel, address, "FR"), at);
        ctx.Identities.Add(identity);
        await ctx.SaveChangesAsync();
        var @case = new Case(cardId, channel, w.Queues[queue], "Colis en retard", at);
        @case.CameFrom(identity.Id);
        ctx.Cases.Add(@case);
        await ctx.SaveChangesAsync();
        ctx.Messages.Add(new Message(@case.Id, cardId, channel, Guid.NewGuid().ToString("N"), Direction.Inbound,
            channel == Channel.Email ? MessageKind.Email : channel == Channel.Voice ? MessageKind.Call : MessageKind.Sms, card.DisplayName, null,
            channel == Channel.Email ? "Colis en retard" : null, text, null, Sentiment.Neutral, at));
        @case.MessageArrived(Direction.Inbound, text, at);
        ctx.CaseEvents.Add(new CaseEvent(@case.Id, cardId, CaseEventType.Created, "system", "System", null, at));
        await ctx.SaveChangesAsync();
        return @case.Id;
    }

    /// <summary>
    /// The contact e-mailed yesterday (the older case, with an agent's note and a colleague's comment) and calls today:
    /// the call case is the one the agent is in.
    /// </summary>
    private static async Task<(long CardId, long Email, long Call)> EmailThenCallAsync(Setup s)
    {
        var w = s.World;
        var (cardId, email) = await w.InboundAsync(Queue.DefaultName, Channel.Email, "Bonjour, mon colis n'est pas arrivé.", address: "edward@example.com", at: T0);
        await w.MoreInboundAsync(email, "Je précise : commande 4411.", T0.AddMinutes(30));
        await w.Cases.AddNoteAsync(Camille, email, "Client fidèle, vérifier le transporteur.");
        await using (var ctx = w.Db.Factory.CreateDbContext())
        {
            var first = await ctx.Messages.Where(m => m.CaseId == email).OrderBy(m => m.Id).FirstAsync();
            ctx.CaseComments.Add(new CaseComment(email, first.Id, Lucas.UserId, Lucas.DisplayName, "Déjà vu ce transporteur.", T0.AddMinutes(40)));
            var c = await ctx.Cases.FirstAsync(x => x.Id == email);
            c.SetPriority(CasePriority.High);
            await ctx.SaveChangesAsync();
        }
        var call = await SecondCaseAsync(w, cardId, Channel.Voice, Queue.DefaultName, T0.AddHours(20), "Appel : le client rappelle pour son colis.", "+33611223344");
        return (cardId, email, call);
    }

    [Fact]
    public async Task TheCallTakesInTheEmailThreadInterleavedByTimeEachMessageOnItsChannel_WithTheOlderCasesClocks()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var (cardId, email, call) = await EmailThenCallAsync(s);
        await w.Cases.TakeAsync(Camille, call);
        await w.MoreInboundAsync(call, "Et je voudrais changer l'adresse.", T0.AddHours(20).AddMinutes(2));
        w.Published.Clear();

        var survivor = await s.Merges.MergeAsync(Camille, call, email);

        survivor.Id.ShouldBe(call);
        survivor.CreatedAt.ShouldBe(T0, "the SLA clocks of the older case: the contact has waited since the e-mail");
        survivor.Priority.ShouldBe(CasePriority.High, "the higher priority of the two");
        survivor.FirstResponse(T0.AddHours(21)).Elapsed.ShouldBe(TimeSpan.FromHours(21));
        var detail = await w.Inbox.OpenAsync(Camille, call);
        var messages = detail.Thread.Where(e => e.Kind == ThreadEntryKind.Message).ToList();
        messages.Select(m => m.Channel).ShouldBe([Channel.Email, Channel.Email, Channel.Voice, Channel.Voice]);
        messages.Select(m => m.At).ShouldBeInOrder(SortDirection.Ascending);
        detail.Thread.ShouldContain(e => e.Kind == ThreadEntryKind.Note && e.Text.Contains("transporteur"));
        detail.Thread.ShouldContain(e => e.Kind == ThreadEntryKind.Comment && e.Text == "Déjà vu ce transporteur.");
        detail.MergedCases.Select(m => m.CaseId).ShouldBe([email]);
        detail.MergedCases[0].MayUnmerge.ShouldBeTrue();
        detail.ReplyChannels.ShouldBe([Channel.Voice, Channel.Email]);
        detail.DefaultReplyChannel.ShouldBe(Channel.Email, "the contact wrote by e-mail; a call is answered by calling back");

        var history = await w.Inbox.HistoryAsync(Camille, call);
        history.Entries.Count(e => e.Type == CaseEventType.Created).ShouldBe(2, "the merged case's history came along");
        history.Entries.ShouldContain(e => e.Type == CaseEventType.CaseMergedIn && e.Detail == "#" + email && e.ActorName == Camille.DisplayName);

        // The merged case leaves the inbox and says where it went.
        var page = await w.Inbox.ListAsync(Sophie, new InboxFilter());
        page.Tiles.Select(t => t.Id).ShouldContain(call);
        page.Tiles.Select(t => t.Id).ShouldNotContain(email);
        var gone = await w.Inbox.OpenAsync(Camille, email);
        gone.Case.Status.ShouldBe(CaseStatus.Merged);
        gone.MergedIntoCaseId.ShouldBe(call);
        gone.Thread.ShouldBeEmpty();
        (await w.Inbox.HistoryAsync(Camille, email)).Entries.ShouldContain(e => e.Type == CaseEventType.CaseMergedInto && e.Detail == "#" + call);

        // Live: both cases are announced, with their queues, so that other agents' inboxes and the card reload.
        w.Published.ShouldContain(e => e.Kind == ChangeKind.CaseChanged && e.CaseId == email && e.CardId == cardId && e.QueueId != null && e.ActorId == Camille.UserId);
        w.Published.ShouldContain(e => e.Kind == ChangeKind.CaseChanged && e.CaseId == call && e.CardId == cardId);
        (await w.QueryAsync(db => db.Audit.Where(a => a.Action == "CaseMerged" || a.Action == "CaseMergedInto").CountAsync())).ShouldBe(2);
    }

    [Fact]
    public async Task UnmergePutsBackEveryRowOfBothCasesExactly()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var (_, email, call) = await EmailThenCallAsync(s);
        await w.Cases.TakeAsync(Lucas, email);
        var before = await RowsAsync(w, [email, call]);

        await s.Merges.MergeAsync(Sophie, call, email);
        (await RowsAsync(w, [email, call]))[$"Cases:{email}"].ShouldNotBe(before[$"Cases:{email}"], "merged meanwhile");
        await s.Merges.UnmergeAsync(Sophie, call, email);

        var after = await RowsAsync(w, [email, call]);
        foreach (var (key, row) in before) after.GetValueOrDefault(key).ShouldBe(row, key);
        // The only new rows: the history of the merge and of its undo, two on each case.
        after.Keys.Except(before.Keys).Select(k => k.Split(':')[0]).ShouldBe(["CaseEvents", "CaseEvents", "CaseEvents", "CaseEvents"], ignoreOrder: true);
        var events = await w.QueryAsync(db => db.CaseEvents.Where(e => e.Type == CaseEventType.CaseUnmerged).Select(e => e.CaseId).ToListAsync());
        events.ShouldBe([call, email], ignoreOrder: true);
        (await w.Inbox.ListAsync(Sophie, new InboxFilter())).Tiles.Select(t => t.Id).ShouldContain(email, "back in the inbox");
        (await w.QueryAsync(db => db.Audit.CountAsync(a => a.Action == "CaseUnmerged"))).ShouldBe(2);
        var undone = await w.QueryAsync(db => db.CaseMerges.SingleAsync());
        undone.UndoneByName.ShouldBe(Sophie.DisplayName);
        (await w.Inbox.OpenAsync(Sophie, call)).MergedCases.ShouldBeEmpty();
    }

    [Fact]
    public async Task WhatArrivedSinceTheMergeStaysWithTheSurvivor_AndTheMergedCaseGetsItsOwnBack()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var (_, email, call) = await EmailThenCallAsync(s);
        await s.Merges.MergeAsync(Camille, call, email);
        var later = await w.MoreInboundAsync(call, "Toujours rien reçu.", DateTimeOffset.UtcNow);
        await w.Cases.ReplyAsync(Camille, call, "Nous relançons le transporteur.", Channel.Email);

        var survivor = await s.Merges.UnmergeAsync(Camille, call, email);

        var survivorThread = (await w.Inbox.OpenAsync(Camille, call)).Thread.Where(e => e.Kind == ThreadEntryKind.Message).ToList();
        survivorThread.ShouldContain(e => e.Id == later);
        survivorThread.ShouldContain(e => e.Direction == Direction.Outbound && e.Channel == Channel.Email, "the reply sent on the e-mail channel after the merge stays where it was written");
        var emailThread = (await w.Inbox.OpenAsync(Camille, email)).Thread.Where(e => e.Kind == ThreadEntryKind.Message).ToList();
        emailThread.Count.ShouldBe(2);
        emailThread.ShouldAllBe(e => e.Channel == Channel.Email && e.Direction == Direction.Inbound);
        survivor.CreatedAt.ShouldBe(T0.AddHours(20), "its own clock again");
        survivor.FirstResponseAt.ShouldNotBeNull("answered since, in the survivor");
        survivor.Preview.ShouldBe("Nous relançons le transporteur.");
        var back = await w.Inbox.TileAsync(Camille, email);
        back.Status.ShouldBe(CaseStatus.New);
        back.FirstResponseAt.ShouldBeNull();
    }

    [Fact]
    public async Task AReplyInTheMergedThreadGoesOnTheChannelTheContactLastWroteOn_OrTheOneChosen_ToTheIdentityOfThatConversation()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var (cardId, sms) = await w.InboundAsync(Queue.DefaultName, Channel.Sms, "Mon colis ?", at: T0);
        var email = await SecondCaseAsync(w, cardId, Channel.Email, Queue.DefaultName, T0.AddHours(1), "Je vous écris aussi par courriel.", "Edward.Ferrars@Example.com");
        await using (var ctx = w.Db.Factory.CreateDbContext())
        {
            var smsCase = await ctx.Cases.FirstAsync(c => c.Id == sms);
            smsCase.CameFrom(await ctx.Identities.Where(i => i.CardId == cardId && i.Channel == Channel.Sms).Select(i => i.Id).FirstAsync());
            await ctx.SaveChangesAsync();
        }
        await s.Merges.MergeAsync(Camille, sms, email);

        await w.Cases.ReplyAsync(Camille, sms, "Bien reçu, nous regardons.");
        await w.Cases.ReplyAsync(Camille, sms, "Et par SMS aussi.", Channel.Sms);
        var refused = await Should.ThrowAsync<DomainException>(() => w.Cases.ReplyAsync(Camille, sms, "Sur WhatsApp ?", Channel.WhatsApp));

        s.Connector.Requests.Select(r => (r.Channel, r.To)).ShouldBe([(Channel.Email, "edward.ferrars@example.com"), (Channel.Sms, (await w.QueryAsync(db =>
            db.Identities.Where(i => i.CardId == cardId && i.Channel == Channel.Sms).Select(i => i.NormalizedAddress).FirstAsync())))]);
        s.Connector.Requests[0].Subject.ShouldBe("Re: Colis en retard", "the e-mail answers its own conversation's subject");
        refused.Code.ShouldBe("ReplyChannelNotInCase");
    }

    [Fact]
    public async Task TheContactWritingAgainOnTheMergedChannelLandsInTheSurvivor()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var settings = new SettingsService(w.Db.Factory, w.Db.Runner(w.Feed), new SettingsDefaults("FR"));
        var ingest = new IngestService(w.Db.Factory, w.Db.Runner(w.Feed), settings, new LexiconSentimentAnalyzer(),
            new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
        var first = await ingest.IngestAsync(Camille, new InteractionRequest
        {
            Channel = Channel.Email, ExternalId = "m-1", From = new InteractionSender { Address = "edward@example.com", DisplayName = "Edward Ferrars" },
            Subject = "Colis", Body = "Mon colis n'est pas arrivé.",
        });
        var call = await SecondCaseAsync(w, first.CardId, Channel.Voice, Queue.DefaultName, DateTimeOffset.UtcNow, "Appel.", "+33622334455");
        await s.Merges.MergeAsync(Camille, call, first.CaseId);

        var again = await ingest.IngestAsync(Camille, new InteractionRequest
        {
            Channel = Channel.Email, ExternalId = "m-2", From = new InteractionSender { Address = "edward@example.com", DisplayName = "Edward Ferrars" },
            Subject = "Re: Colis", Body = "Des nouvelles ?",
        });

        again.CaseId.ShouldBe(call);
        (await w.QueryAsync(db => db.Cases.CountAsync(c => c.CardId == first.CardId))).ShouldBe(2, "no new case");
    }

    public static TheoryData<string> Refusals => new()
    {
        "CaseMergeSelf", "CaseMergeOtherCard", "CaseAlreadyMerged", "CaseMergeClosed", "CaseMergeSurvivorClosed", "CaseOutsideYourQueues",
        "CaseAssignedToOther", "CaseMergeHoldsMerged", "CaseMergeDraftPending",
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ARefusedMergeSaysWhyAndWritesNothing(string code)
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var (cardId, a) = await w.InboundAsync(Queue.DefaultName, Channel.Sms, "Premier message", at: T0);
        var b = await SecondCaseAsync(w, cardId, Channel.Email, Queue.DefaultName, T0.AddHours(1), "Deuxième", "zoe@example.com");
        var actor = Camille;
        var (survivor, merged) = (a, b);
        switch (code)
        {
            case "CaseMergeSelf": merged = a; break;
            case "CaseMergeOtherCard": merged = (await w.InboundAsync(Queue.DefaultName, Channel.Email, "Autre contact")).CaseId; break;
            case "CaseAlreadyMerged":
                var c = await SecondCaseAsync(w, cardId, Channel.Chat, Queue.DefaultName, T0.AddHours(2), "Troisième", "visitor-1");
                await s.Merges.MergeAsync(Camille, c, b);
                break;
            case "CaseMergeClosed": await w.Cases.ResolveAsync(Camille, b); break;
            case "CaseMergeSurvivorClosed": await w.Cases.ResolveAsync(Camille, a); break;
            case "CaseOutsideYourQueues":
                merged = await SecondCaseAsync(w, cardId, Channel.Chat, "Sales", T0.AddHours(2), "Dans la file Ventes", "visitor-2");
                break;
            case "CaseAssignedToOther": await w.Cases.TakeAsync(Lucas, b); break;
            case "CaseMergeHoldsMerged":
                var d = await SecondCaseAsync(w, cardId, Channel.Chat, Queue.DefaultName, T0.AddHours(2), "Troisième", "visitor-3");
                await s.Merges.MergeAsync(Camille, b, d);
                break;
            case "CaseMergeDraftPending": await w.Cases.SubmitDraftAsync(Camille, b, "Brouillon"); break;
        }
        var before = await RowsAsync(w, [a, b, merged]);
        var merges = await w.QueryAsync(db => db.CaseMerges.CountAsync());

        var refusal = await Should.ThrowAsync<Exception>(() => s.Merges.MergeAsync(actor, survivor, merged));

        CodeOf(refusal).ShouldBe(code);
        (await RowsAsync(w, [a, b, merged])).ShouldBe(before);
        (await w.QueryAsync(db => db.CaseMerges.CountAsync())).ShouldBe(merges);
        // Not offered either: the panel lists the case with the same reason (or not at all when it cannot be a candidate).
        if (code is "CaseOutsideYourQueues" or "CaseAssignedToOther" or "CaseMergeHoldsMerged" or "CaseMergeDraftPending")
            (await s.Merges.CandidatesAsync(actor, survivor)).Single(x => x.Id == merged).RefusalCode.ShouldBe(code);
    }

    [Fact]
    public async Task TwoAgentsMergingTheSameCaseAtOnce_OneWinsTheOtherIsToldAndTheDatabaseHoldsOneMerge()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var s = await CreateAsync();
            var w = s.World;
            var (cardId, a) = await w.InboundAsync(Queue.DefaultName, Channel.Sms, "Un", at: T0);
            var b = await SecondCaseAsync(w, cardId, Channel.Email, Queue.DefaultName, T0.AddHours(1), "Deux", "zoe@example.com");
            var c = await SecondCaseAsync(w, cardId, Channel.Chat, Queue.DefaultName, T0.AddHours(2), "Trois", "visitor-9");
            // Camille brings the e-mail into the SMS, Sophie into the chat; and Lucas the SMS into the e-mail.
            var results = await Task.WhenAll(
                Outcome(() => s.Merges.MergeAsync(Camille, a, b)),
                Outcome(() => s.Merges.MergeAsync(Sophie, c, b)),
                Outcome(() => s.Merges.MergeAsync(Lucas, b, a)));

            results.Count(r => r is null).ShouldBeGreaterThanOrEqualTo(1);
            results.Where(r => r is not null).ShouldAllBe(r => r is ConflictException || r is DomainException);
            var active = await w.QueryAsync(db => db.CaseMerges.Where(m => m.UndoneAt == null).ToListAsync());
            active.Count.ShouldBe(results.Count(r => r is null));
            var cases = await w.QueryAsync(db => db.Cases.Where(x => x.CardId == cardId).ToListAsync());
            foreach (var m in active)
            {
                var merged = cases.Single(x => x.Id == m.MergedCaseId);
                merged.Status.ShouldBe(CaseStatus.Merged);
                merged.MergedIntoCaseId.ShouldBe(m.SurvivorCaseId);
                cases.Single(x => x.Id == m.SurvivorCaseId).Status.ShouldNotBe(CaseStatus.Merged, "no merged case took in another");
                (await w.QueryAsync(db => db.Messages.CountAsync(x => x.CaseId == m.MergedCaseId))).ShouldBe(0);
            }
            cases.Count(x => x.Status == CaseStatus.Merged).ShouldBe(active.Count);
            (await w.QueryAsync(db => db.Messages.CountAsync(x => x.CardId == cardId))).ShouldBe(3);
        }

        static async Task<Exception?> Outcome(Func<Task> merge)
        {
            try { await merge(); return null; }
            catch (Exception ex) { return ex; }
        }
    }

    [Fact]
    public async Task UnmergeTwice_OrByAnAgentOutsideTheQueue_IsRefusedWithItsReason()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var (_, email, call) = await EmailThenCallAsync(s);
        await s.Merges.MergeAsync(Camille, call, email);
        await using (var ctx = w.Db.Factory.CreateDbContext())
        {
            var c = await ctx.Cases.FirstAsync(x => x.Id == call);
            c.TransferTo(w.Queues["Support"], null);
            await ctx.SaveChangesAsync();
        }
        (await Should.ThrowAsync<ForbiddenException>(() => s.Merges.UnmergeAsync(Lucas, call, email))).Code.ShouldBe("CaseOutsideYourQueues");
        (await w.Inbox.OpenAsync(Sophie, call)).MergedCases.Single().CaseId.ShouldBe(email);
        await s.Merges.UnmergeAsync(Camille, call, email);
        (await Should.ThrowAsync<ConflictException>(() => s.Merges.UnmergeAsync(Camille, call, email))).Code.ShouldBe("CaseUnmergeAlreadyDone");
        await Should.ThrowAsync<NotFoundException>(() => s.Merges.UnmergeAsync(Camille, email, call));
    }

    [Fact]
    public async Task ACardUnmergeThatWouldPartAMergedConversationIsRefusedNamingTheCase()
    {
        await using var s = await CreateAsync();
        var w = s.World;
        var settings = new SettingsService(w.Db.Factory, w.Db.Runner(w.Feed), new SettingsDefaults("FR"));
        var cards = new MergeService(w.Db.Factory, w.Db.Runner(w.Feed), settings);
        var (callCard, call) = await w.InboundAsync(Queue.DefaultName, Channel.Voice, "Appel", at: T0.AddHours(20));
        var (emailCard, email) = await w.InboundAsync(Queue.DefaultName, Channel.Email, "Courriel", at: T0);
        var cardMerge = await cards.MergeAsync(Sophie, callCard, emailCard);
        await s.Merges.MergeAsync(Sophie, call, email);

        var refused = await Should.ThrowAsync<MergeUndoRefusedException>(() => cards.UndoAsync(Sophie, cardMerge.MergeId));
        refused.Blockers.ShouldContain(b => b.Kind == UndoBlockerKind.Case && b.Key == email.ToString(CultureInfo.InvariantCulture));

        await s.Merges.UnmergeAsync(Sophie, call, email);
        await cards.UndoAsync(Sophie, cardMerge.MergeId);
        (await w.Inbox.TileAsync(Sophie, email)).CardId.ShouldBe(emailCard);
    }

    private static string? CodeOf(Exception ex) => ex switch
    {
        DomainException d => d.Code,
        ForbiddenException f => f.Code,
        _ => ex.GetType().Name,
    };

    /// <summary>
    /// Every row of the cases, their messages, notes, comments and history, each as all its columns (but the version
    /// counters, which count every save), keyed by table and id.
    /// </summary>
    private static async Task<SortedDictionary<string, string>> RowsAsync(InboxWorld w, IReadOnlyCollection<long> caseIds)
    {
        var ids = string.Join(",", caseIds.Distinct());
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var db = w.Db.Factory.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var (table, where) in new[]
                 {
                     ("Cases", $"Id IN ({ids})"),
                     ("Messages", $"CaseId IN ({ids})"),
                     ("Notes", $"CaseId IN ({ids})"),
                     ("CaseComments", $"CaseId IN ({ids})"),
                     ("CaseEvents", $"CaseId IN ({ids})"),
                     ("ReplyDrafts", $"CaseId IN ({ids})"),
                 })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" WHERE {where}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var text = new StringBuilder();
                long id = 0;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var name = reader.GetName(i);
                    if (name == "Id") id = reader.GetInt64(i);
                    if (name is "Version" or "RowVersion") continue;
                    text.Append(name).Append('=').Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append(';');
                }
                rows[$"{table}:{id}"] = text.ToString();
            }
        }
        return rows;
    }
}
