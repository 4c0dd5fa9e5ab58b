using AgentWorkspace.Core.Persistence.Sqlite;
using System.Data;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>
/// Takes one event on a channel and lands it on the right card and case, in one transaction:
/// match the sender's identity (or create a card with it), reuse the card's open case on that
/// channel (or open one in the named queue), store the message with its attachments, keep the
/// card's indicators current, then publish the change after commit.
/// <para>
/// Idempotent on (channel, externalId), also for identical requests arriving together: the unique
/// indexes on Message(Channel, ExternalId) and ChannelIdentity(Space, NormalizedAddress) decide,
/// the loser's transaction rolls back (so a card it created disappears with it) and the existing
/// ids are read back.
/// </para>
/// <para>
/// On SQLite (one writer per file) the writes go through a group commit (ADR 007): every interaction
/// waiting at that moment is written in one transaction, each in its own savepoint, with one fsync
/// for all; each caller gets its answer, and its change events go out, only after that commit.
/// </para>
/// </summary>
public sealed class IngestService(
    IDbContextFactory<AgentWorkspaceDbContext> dbFactory,
    UseCaseRunner run,
    SettingsService settings,
    ISentimentAnalyzer analyzer,
    InteractionValidator validator,
    TimeProvider clock,
    Microsoft.Extensions.Logging.ILogger<IngestService>? logger = null)
{
    private const int MaxAttempts = 4;
    // The events of an interaction go out once it is on disk: after the group's sync on SQLite (the group writer is
    // the one transaction outside the runner, docs/decisions/007 and 008), after the runner's commit elsewhere.
    private readonly IChangeFeed feed = run.Feed;
    private readonly GroupCommit<(IngestResult, long, string?)> _groupCommit = new(dbFactory, logger: logger);
    private bool? _isSqlite;

    /// <summary>For tests: false runs the SQL Server path (EF Core's change tracking, one transaction per interaction) on SQLite.</summary>
    internal bool? GroupCommitForTests { set => _isSqlite = value; }

    /// <summary>For tests: runs after the repeat check and before the transaction (where a concurrent writer can slip in).</summary>
    internal Func<Task>? AfterRepeatCheckForTests { get; set; }

    public async Task<IngestResult> IngestAsync(Actor actor, InteractionRequest request, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(request);
        var region = await settings.DefaultRegionAsync(ct);
        var now = clock.GetUtcNow();
        var input = validator.Prepare(request, region, now);
        // An address many contacts use links the message to nobody's card by itself (ADR 020).
        var fromShared = (await settings.SharedAddressesAsync(ct)).Contains(input.Address);

        // A repeat is answered without taking the write lock; on SQLite the group writer looks it up first instead
        // (one kept statement inside its transaction costs less than a read of its own for every message).
        if (!await IsSqliteAsync(ct) && await FindExistingAsync(input, ct) is { } known) return known;
        if (AfterRepeatCheckForTests is { } hook) await hook();

        var sentiment = request.Sentiment ?? await analyzer.AnalyzeAsync(
            input.Subject is null ? input.Content.Text : input.Subject + "\n" + input.Content.Text, ct);

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (result, queueId, agentId) = await WriteAsync(actor, input, sentiment, now, fromShared, ct);
                // Stored meanwhile by another request of the same group transaction: nothing written, nothing to publish.
                if (result.Repeated) return result;
                feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, result.CardId, result.CaseId, queueId, actor.UserId, agentId));
                if (result.CaseCreated) feed.Publish(new ChangeEvent(ChangeKind.CaseChanged, result.CardId, result.CaseId, queueId, actor.UserId, agentId));
                feed.Publish(new ChangeEvent(ChangeKind.CardChanged, result.CardId, ActorId: actor.UserId));
                return result;
            }
            catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || IsUniqueViolation(ex))
            {
                // Another request stored this message, created this identity, or changed this card or
                // case meanwhile. Our transaction is rolled back: read again and start over.
                if (await FindExistingAsync(input, ct) is { } existing) return existing;
                if (attempt >= MaxAttempts)
                    throw new ConflictException("The contact's card or case kept changing while this message was stored; nothing was written. Send the same event again.");
            }
        }
    }

    private async Task<(IngestResult Result, long QueueId, string? AgentId)> WriteAsync(Actor actor, PreparedInteraction input, Sentiment sentiment, DateTimeOffset now,
        bool fromShared, CancellationToken ct)
    {
        if (await IsSqliteAsync(ct))
        {
            // The group's transaction is shared: the work runs to its end even if this caller gives up meanwhile.
            // A message already stored (by an earlier group, an earlier use case of this group, or another
            // process: the transaction holds the write lock, so it sees them all) is answered as a repeat.
            return await _groupCommit.RunAsync(async batch =>
            {
                if (IngestStore.FindStored(batch.Rows!, input) is { } stored) return (stored, 0, null);
                return await WriteInTransactionAsync(batch, actor, input, sentiment, now, fromShared, CancellationToken.None);
            }, ct);
        }

        // Serializable: the lookups by identity and external id take range locks, so the same new number
        // arriving twice at once makes one card (the second waits, then finds it, or fails and is retried below).
        return await run.RunAsync("Interaction.Ingest", actor, Role.Agent, IsolationLevel.Serializable,
            use => WriteInTransactionAsync(new GroupCommitBatch(use.Db), actor, input, sentiment, now, fromShared, use.Cancellation), ct);
    }

    private static async Task<(IngestResult, long, string?)> WriteInTransactionAsync(GroupCommitBatch batch, Actor actor, PreparedInteraction input, Sentiment sentiment,
        DateTimeOffset now, bool fromShared, CancellationToken ct)
    {
        var db = batch.Db;
        var queue = await batch.SharedAsync("queue:" + input.Queue, () => IngestStore.ResolveQueueAsync(batch, input.Queue, ct));

        // 1. The card: by identity, or a new one with that identity.
        // Read without tracking: the batch tracks what this use case may change (EF Core, or the SQLite writer's own).
        // On a shared address (ADR 020) the address alone is nobody's: the sender's name must match too, else a new card.
        var shareKey = fromShared ? ShareKeyOf(input.DisplayName) : string.Empty;
        var identity = await IngestStore.FindIdentityAsync(batch, input.Address, shareKey, ct);
        if (identity is null && fromShared && !shareKey.StartsWith(AnonymousKey, StringComparison.Ordinal)
            && await IngestStore.FindIdentityAsync(batch, input.Address, string.Empty, ct) is { } owner
            && (await IngestStore.FindCardAsync(batch, owner.CardId, ct)).NameKey is { Length: > 0 } ownerKey && ownerKey == shareKey)
            identity = owner;
        CustomerCard card;
        var cardCreated = false;
        if (identity is not null)
        {
            batch.Track(identity);
            card = await IngestStore.FindCardAsync(batch, identity.CardId, ct);
            // Merges move identities to the survivor; an identity left on a tombstone still finds its contact.
            for (var hops = 0; card.Status == CardStatus.Merged && card.MergedIntoId is { } next && hops < 10; hops++)
                card = await IngestStore.FindCardAsync(batch, next, ct);
            batch.Track(card);
            if (card.Status == CardStatus.Active && !card.IsLocked)
            {
                var (followers, following) = (identity.Followers ?? 0, identity.Following ?? 0);
                var heardBefore = identity.DisplayName;
                identity.UpdateProfile(input.DisplayName, input.ProfileUrl, input.Followers, input.Following);
                card.HeardAs(input.DisplayName, heardBefore);
                var photoBefore = card.AvatarUrl;
                card.PhotoFromChannel(input.AvatarUrl);
                // The channel's photo became the card's (it had none): where it came from (issue 21).
                if (card.AvatarUrl is { } photo && photoBefore is null)
                    batch.Add(new ValueProvenance(card.Id, "avatarUrl", photo, ValueSource.FromChannel(input.Channel, identity.Id, input.RawAddress), now));
                if (identity.Followers != followers || identity.Following != following)
                    card.SetAudience(card.Followers + (identity.Followers ?? 0) - followers, card.Following + (identity.Following ?? 0) - following);
            }
            identity.Seen(input.SentAt);
        }
        else
        {
            card = NewCard(input, now);
            identity = card.AddIdentity(input.Channel, input.RawAddress, input.Address, input.SentAt, input.DisplayName, input.ProfileUrl, input.Followers, input.Following, shareKey);
            batch.Add(card);
            await batch.SaveAsync(ct);
            cardCreated = true;
            // The new card's name, address and photo came from the channel, through this identity (issue 21).
            foreach (var row in ValueProvenance.ForNewCard(card.Id, card.Snapshot(), ValueSource.FromChannel(input.Channel, identity.Id, input.RawAddress), now))
                batch.Add(row);
            batch.Add(new AuditEntry(now, actor.UserId, actor.DisplayName, "Card", Id(card.Id), "Created", "source", null, "ingest:" + input.Channel.WireName()));
        }

        // 2. The case: the card's open case on this channel (or the open case its conversation there was merged into), or a new one in the queue.
        var @case = await IngestStore.FindOpenCaseAsync(batch, card.Id, input.Channel, ct)
            ?? await IngestStore.FindSurvivorOfMergedAsync(batch, card.Id, input.Channel, ct);
        var caseCreated = false;
        // Replies go back to the identity the conversation came from (a new identity has its key since the save above).
        if (@case is not null)
        {
            batch.Track(@case);
            @case.CameFrom(identity.Id);
        }
        else
        {
            var title = Text.Preview(input.Subject ?? input.Content.Text, 80);
            @case = new Case(card.Id, input.Channel, queue.Id, title.Length > 0 ? title : input.Channel.ToString(), now, queue.SkillList);
            @case.CameFrom(identity.Id);
            batch.Add(@case);
            caseCreated = true;
        }
        // With EF Core a new case has no id until it is saved: its event and message refer to the temporary key,
        // which the one save below replaces by the real one (one round of change tracking less).
        var caseId = caseCreated ? batch.KeyOf(@case, @case.Id) : @case.Id;
        if (caseCreated)
            batch.Add(new CaseEvent(caseId, card.Id, CaseEventType.Created, actor.UserId, actor.DisplayName, $"{input.Channel} → {queue.Name}", now));
        // The agent is told: the case says its sender's address is shared, and whether a new card was made for it.
        if (caseCreated && fromShared)
            batch.Add(new CaseEvent(caseId, card.Id, CaseEventType.SharedAddress, actor.UserId, actor.DisplayName,
                (cardCreated ? SharedAddressNewCard : SharedAddressFoundByName) + input.Address.Normalized, now));
        if (input.Context is { IsEmpty: false } context)
            @case.SetContext((ConversationContext.FromJson(@case.ContextJson)?.MergeWith(context) ?? context).ToJson());

        // 3. The message, its attachments, the indicators.
        long? parentId = input.InReplyTo is null ? null : await db.Messages
            .Where(m => m.Channel == input.Channel && m.ExternalId == input.InReplyTo)
            .Select(m => (long?)m.Id).FirstOrDefaultAsync(ct);
        var author = input.Direction == Direction.Inbound ? input.DisplayName ?? card.DisplayName : actor.DisplayName;
        var message = new Message(caseId, card.Id, input.Channel, input.ExternalId, input.Direction, input.Kind, author,
            input.Direction == Direction.Outbound ? actor.UserId : null, input.Subject, input.Content.Text, input.Content.SanitizedHtml,
            sentiment, input.SentAt, parentId);
        message.SetAttachmentCount(input.Attachments.Count);
        batch.Add(message);
        var preview = input.Content.Text.Length > 0 ? input.Content.Text : input.Subject ?? string.Empty;
        @case.MessageArrived(input.Direction, preview, input.SentAt);
        card.RecordMessage(sentiment, input.Direction, input.SentAt);
        await batch.SaveAsync(ct);

        if (input.Attachments.Count > 0)
        {
            foreach (var a in input.Attachments)
                batch.Add(new MessageAttachment(message.Id, a.Name, a.ContentType, a.Size, a.Url));
            await batch.SaveAsync(ct);
        }
        return (new IngestResult(card.Id, @case.Id, message.Id, cardCreated, caseCreated, false), @case.QueueId, @case.AssignedAgentId);
    }

    /// <summary>The detail of a <see cref="CaseEventType.SharedAddress"/> event: this prefix, then the shared address.</summary>
    public const string SharedAddressNewCard = "new:";
    public const string SharedAddressFoundByName = "name:";
    private const string AnonymousKey = "anonymous:";

    /// <summary>
    /// Who is writing from a shared address: the name key of the name the channel gives ("Edward Ferrars" and
    /// "FERRARS Edward" meet), the folded name itself when it is no "First Last" (a handle), or a key of its own
    /// when the channel gives no name (each such message is a new contact: nothing else can match).
    /// </summary>
    internal static string ShareKeyOf(string? displayName)
    {
        var (first, last) = IdentityResolver.SplitName(displayName);
        var key = NameKeys.Key(first, last);
        if (key.Length == 0 && Text.Fold(displayName ?? string.Empty).Trim() is { Length: > 0 } folded) key = "as:" + folded;
        if (key.Length == 0) return AnonymousKey + Guid.NewGuid().ToString("N");
        return key.Length <= 100 ? key : key[..100];
    }

    private static CustomerCard NewCard(PreparedInteraction input, DateTimeOffset now)
    {
        var (first, last) = IdentityResolver.SplitName(input.DisplayName);
        var profile = new CardProfile { FirstName = first, LastName = last, AvatarUrl = input.AvatarUrl };
        profile = input.Address.Space switch
        {
            IdentitySpace.Email => profile with { PrimaryEmail = input.Address.Normalized },
            IdentitySpace.Phone when IdentityResolver.IsMobile(input.Address.Normalized) => profile with { MobilePhone = input.Address.Normalized },
            IdentitySpace.Phone => profile with { HomePhone = input.Address.Normalized },
            _ => profile,
        };
        // The number is already E.164, so the region does not matter here.
        var card = new CustomerCard(profile, "FR", now);
        // Whatever its shape (a handle, an emoji, a lowercase name), the channel's name is what the agent sees and
        // finds until someone writes a name in the profile (issue 22): SplitName only fills the profile when it can.
        card.HeardAs(input.DisplayName);
        return card;
    }

    private async ValueTask<bool> IsSqliteAsync(CancellationToken ct)
    {
        if (_isSqlite is null)
        {
            await using var probe = await dbFactory.CreateDbContextAsync(ct);
            _isSqlite = probe.Database.IsSqlite();
        }
        return _isSqlite == true;
    }

    private async Task<IngestResult?> FindExistingAsync(PreparedInteraction input, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await IngestStore.StoredMessage(db, input.Channel, input.ExternalId, ct);
        return row is null ? null : new IngestResult(row.CardId, row.CaseId, row.Id, false, false, true);
    }

    private static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        Microsoft.Data.SqlClient.SqlException s => s.Number is 2601 or 2627,
        _ => false,
    };

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
