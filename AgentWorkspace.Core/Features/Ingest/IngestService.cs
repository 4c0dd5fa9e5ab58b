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
    EmailSanitizer sanitizer,
    IngestOptions options,
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
        var input = Prepare(request, region, now);

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
                var (result, queueId, agentId) = await WriteAsync(actor, input, sentiment, now, ct);
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

    private sealed record Input(
        Channel Channel, string ExternalId, MessageKind Kind, Direction Direction, string RawAddress, IdentityAddress Address,
        string? DisplayName, string? ProfileUrl, int? Followers, int? Following, string? Subject, EmailContent Content,
        IReadOnlyList<InteractionAttachment> Attachments, string? InReplyTo, DateTimeOffset SentAt, string? Queue, ConversationContext? Context);

    private async Task<(IngestResult Result, long QueueId, string? AgentId)> WriteAsync(Actor actor, Input input, Sentiment sentiment, DateTimeOffset now, CancellationToken ct)
    {
        if (await IsSqliteAsync(ct))
        {
            // The group's transaction is shared: the work runs to its end even if this caller gives up meanwhile.
            // A message already stored (by an earlier group, an earlier use case of this group, or another
            // process: the transaction holds the write lock, so it sees them all) is answered as a repeat.
            return await _groupCommit.RunAsync(async batch =>
            {
                if (FindStored(batch.Rows!, input) is { } stored) return (stored, 0, null);
                return await WriteInTransactionAsync(batch, actor, input, sentiment, now, CancellationToken.None);
            }, ct);
        }

        // Serializable: the lookups by identity and external id take range locks, so the same new number
        // arriving twice at once makes one card (the second waits, then finds it, or fails and is retried below).
        return await run.RunAsync("Interaction.Ingest", actor, Role.Agent, IsolationLevel.Serializable,
            use => WriteInTransactionAsync(new GroupCommitBatch(use.Db), actor, input, sentiment, now, use.Cancellation), ct);
    }

    private static async Task<(IngestResult, long, string?)> WriteInTransactionAsync(GroupCommitBatch batch, Actor actor, Input input, Sentiment sentiment,
        DateTimeOffset now, CancellationToken ct)
    {
        var db = batch.Db;
        var queue = await batch.SharedAsync("queue:" + input.Queue, () => ResolveQueueAsync(batch, input.Queue, ct));

        // 1. The card: by identity, or a new one with that identity.
        // Read without tracking: the batch tracks what this use case may change (EF Core, or the SQLite writer's own).
        var identity = await FindIdentityAsync(batch, input.Address, ct);
        CustomerCard card;
        var cardCreated = false;
        if (identity is not null)
        {
            batch.Track(identity);
            card = await FindCardAsync(batch, identity.CardId, ct);
            // Merges move identities to the survivor; an identity left on a tombstone still finds its contact.
            for (var hops = 0; card.Status == CardStatus.Merged && card.MergedIntoId is { } next && hops < 10; hops++)
                card = await FindCardAsync(batch, next, ct);
            batch.Track(card);
            if (card.Status == CardStatus.Active && !card.IsLocked)
            {
                var (followers, following) = (identity.Followers ?? 0, identity.Following ?? 0);
                identity.UpdateProfile(input.DisplayName, input.ProfileUrl, input.Followers, input.Following);
                if (identity.Followers != followers || identity.Following != following)
                    card.SetAudience(card.Followers + (identity.Followers ?? 0) - followers, card.Following + (identity.Following ?? 0) - following);
            }
            identity.Seen(input.SentAt);
        }
        else
        {
            card = NewCard(input, now);
            card.AddIdentity(input.Channel, input.RawAddress, input.Address, input.SentAt, input.DisplayName, input.ProfileUrl, input.Followers, input.Following);
            batch.Add(card);
            await batch.SaveAsync(ct);
            cardCreated = true;
            batch.Add(new AuditEntry(now, actor.UserId, actor.DisplayName, "Card", Id(card.Id), "Created", "source", null, "ingest:" + input.Channel.WireName()));
        }

        // 2. The case: the card's open case on this channel, or a new one in the queue.
        var @case = await FindOpenCaseAsync(batch, card.Id, input.Channel, ct);
        var caseCreated = false;
        if (@case is not null) batch.Track(@case);
        else
        {
            var title = Text.Preview(input.Subject ?? input.Content.Text, 80);
            @case = new Case(card.Id, input.Channel, queue.Id, title.Length > 0 ? title : input.Channel.ToString(), now, queue.SkillList);
            batch.Add(@case);
            caseCreated = true;
        }
        // With EF Core a new case has no id until it is saved: its event and message refer to the temporary key,
        // which the one save below replaces by the real one (one round of change tracking less).
        var caseId = caseCreated ? batch.KeyOf(@case, @case.Id) : @case.Id;
        if (caseCreated)
            batch.Add(new CaseEvent(caseId, card.Id, CaseEventType.Created, actor.UserId, actor.DisplayName, $"{input.Channel} → {queue.Name}", now));
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

    private static CustomerCard NewCard(Input input, DateTimeOffset now)
    {
        var (first, last) = IdentityResolver.SplitName(input.DisplayName);
        var profile = new CardProfile { FirstName = first, LastName = last };
        profile = input.Address.Space switch
        {
            IdentitySpace.Email => profile with { PrimaryEmail = input.Address.Normalized },
            IdentitySpace.Phone when IdentityResolver.IsMobile(input.Address.Normalized) => profile with { MobilePhone = input.Address.Normalized },
            IdentitySpace.Phone => profile with { HomePhone = input.Address.Normalized },
            _ => profile,
        };
        // The number is already E.164, so the region does not matter here.
        return new CustomerCard(profile, "FR", now);
    }

    private static async Task<Domain.Queues.Queue> ResolveQueueAsync(GroupCommitBatch batch, string? name, CancellationToken ct)
    {
        var db = batch.Db;
        var rows = batch.Rows;
        if (name is null)
        {
            // On SQLite as the group writer's kept statements (once per group, but EF Core would translate the query each time).
            var queue = rows is not null
                ? rows.First<Domain.Queues.Queue>("ingest:default-queue", "\"IsDefault\" = 1 ORDER BY \"Id\"")
                    ?? rows.First<Domain.Queues.Queue>("ingest:first-queue", "1 = 1 ORDER BY \"Id\"")
                : await db.Queues.AsNoTracking().Where(q => q.IsDefault).OrderBy(q => q.Id).FirstOrDefaultAsync(ct)
                    ?? await db.Queues.AsNoTracking().OrderBy(q => q.Id).FirstOrDefaultAsync(ct);
            return queue ?? throw new DomainException("No queue exists yet: create one, or restart the app to create the default queue.", "queue");
        }
        var folded = Text.Fold(name);
        return (rows is not null
                ? rows.First<Domain.Queues.Queue>("ingest:queue-by-name", "\"NormalizedName\" = $p0", folded)
                : await db.Queues.AsNoTracking().FirstOrDefaultAsync(q => q.NormalizedName == folded, ct))
            ?? throw new DomainException($"There is no queue named '{name}'.", "queue");
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

    private static IngestResult? FindStored(SqliteRowWriter rows, Input input) =>
        rows.First<Message>("ingest:stored", "\"Channel\" = $p0 AND \"ExternalId\" = $p1", (int)input.Channel, input.ExternalId) is { } m
            ? new IngestResult(m.CardId, m.CaseId, m.Id, false, false, true)
            : null;

    private async Task<IngestResult?> FindExistingAsync(Input input, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await StoredMessage(db, input.Channel, input.ExternalId, ct);
        return row is null ? null : new IngestResult(row.CardId, row.CaseId, row.Id, false, false, true);
    }

    // The lookups of every interaction, compiled once (no expression tree to build and look up per call).
    private sealed record StoredIds(long Id, long CaseId, long CardId);

    private static readonly Func<AgentWorkspaceDbContext, Channel, string, CancellationToken, Task<StoredIds?>> StoredMessage =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, Channel channel, string externalId, CancellationToken ct) => db.Messages.AsNoTracking()
            .Where(m => m.Channel == channel && m.ExternalId == externalId)
            .Select(m => new StoredIds(m.Id, m.CaseId, m.CardId))
            .FirstOrDefault());

    private static readonly Func<AgentWorkspaceDbContext, IdentitySpace, string, CancellationToken, Task<ChannelIdentity?>> IdentityByAddress =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, IdentitySpace space, string normalized, CancellationToken ct) =>
            db.Identities.AsNoTracking().FirstOrDefault(i => i.Space == space && i.NormalizedAddress == normalized));

    private static readonly Func<AgentWorkspaceDbContext, long, CancellationToken, Task<CustomerCard>> CardById =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id, CancellationToken ct) => db.Cards.AsNoTracking().First(c => c.Id == id));

    private static readonly Func<AgentWorkspaceDbContext, long, Channel, CancellationToken, Task<Case?>> OpenCase =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long cardId, Channel channel, CancellationToken ct) => db.Cases.AsNoTracking()
            .Where(c => c.CardId == cardId && c.Channel == channel && (c.Status == CaseStatus.New || c.Status == CaseStatus.Open || c.Status == CaseStatus.Pending))
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id)
            .FirstOrDefault());

    // The same lookups as the group writer's kept prepared statements on SQLite (ADR 007, amendment 2). The
    // IngestTests pin that both forms find the same rows (the open case among closed, other-channel and older ones).
    internal static Task<ChannelIdentity?> FindIdentityAsync(GroupCommitBatch batch, IdentityAddress address, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<ChannelIdentity>("ingest:identity", "\"Space\" = $p0 AND \"NormalizedAddress\" = $p1", (int)address.Space, address.Normalized))
            : IdentityByAddress(batch.Db, address.Space, address.Normalized, ct);

    internal static Task<CustomerCard> FindCardAsync(GroupCommitBatch batch, long id, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<CustomerCard>("ingest:card", "\"Id\" = $p0", id) ?? throw new InvalidOperationException($"Card {id} does not exist."))
            : CardById(batch.Db, id, ct);

    private static readonly string OpenStatusList = string.Join(", ", Enum.GetValues<CaseStatus>().Where(Case.IsOpenStatus).Select(s => (int)s));

    internal static Task<Case?> FindOpenCaseAsync(GroupCommitBatch batch, long cardId, Channel channel, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<Case>("ingest:open-case",
                $"\"CardId\" = $p0 AND \"Channel\" = $p1 AND \"Status\" IN ({OpenStatusList}) ORDER BY \"LastMessageAt\" DESC, \"Id\" DESC", cardId, (int)channel))
            : OpenCase(batch.Db, cardId, channel, ct);

    private static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        Microsoft.Data.SqlClient.SqlException s => s.Number is 2601 or 2627,
        _ => false,
    };

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // ---- Validation: everything is checked before the database is touched; errors name the JSON field. ----

    private static readonly Dictionary<Channel, MessageKind[]> KindsByChannel = new()
    {
        [Channel.Voice] = [MessageKind.Call, MessageKind.Voicemail],
        [Channel.Voicemail] = [MessageKind.Voicemail],
        [Channel.Sms] = [MessageKind.Sms],
        [Channel.Email] = [MessageKind.Email],
        [Channel.Chat] = [MessageKind.Chat],
        [Channel.ChatMessaging] = [MessageKind.Chat, MessageKind.DirectMessage],
        [Channel.WhatsApp] = [MessageKind.DirectMessage, MessageKind.Chat],
        [Channel.Messenger] = [MessageKind.DirectMessage, MessageKind.Chat],
        [Channel.AppleMessages] = [MessageKind.DirectMessage, MessageKind.Chat],
        [Channel.Facebook] = [MessageKind.Post, MessageKind.Comment, MessageKind.Mention, MessageKind.Like, MessageKind.DirectMessage],
        [Channel.Twitter] = [MessageKind.Post, MessageKind.Comment, MessageKind.Mention, MessageKind.Like, MessageKind.DirectMessage],
        [Channel.LinkedIn] = [MessageKind.Post, MessageKind.Comment, MessageKind.Mention, MessageKind.Like, MessageKind.DirectMessage],
    };

    /// <summary>The kinds a channel carries; the first is the default when the event names none (social channels must name it).</summary>
    public static IReadOnlyList<MessageKind> KindsOf(Channel channel) => KindsByChannel[channel];

    private Input Prepare(InteractionRequest r, string region, DateTimeOffset now)
    {
        if (!Enum.IsDefined(r.Channel)) throw new DomainException("Unknown channel.", "channel");
        var externalId = Text.Clean(r.ExternalId, IngestOptions.MaxExternalIdLength, "externalId")
            ?? throw new DomainException("externalId is required: the channel's id of the message (it makes a repeat harmless).", "externalId");
        if (!Enum.IsDefined(r.Direction)) throw new DomainException("direction is inbound or outbound.", "direction");

        var kinds = KindsByChannel[r.Channel];
        MessageKind kind;
        if (r.Kind is { } k)
        {
            if (!Enum.IsDefined(k)) throw new DomainException("Unknown kind.", "kind");
            if (!kinds.Contains(k))
                throw new DomainException($"A {k.ToString().ToLowerInvariant()} cannot arrive on {r.Channel.WireName()}; it carries {string.Join(", ", kinds.Select(Wire))}.", "kind");
            kind = k;
        }
        else if (r.Channel.IsSocial() && r.Channel != Channel.Messenger)
            throw new DomainException($"kind is required on {r.Channel.WireName()}: {string.Join(", ", kinds.Select(Wire))}.", "kind");
        else kind = kinds[0];

        var from = r.From ?? throw new DomainException("from is required: the contact's address on the channel.", "from");
        if (string.IsNullOrWhiteSpace(from.Address)) throw new DomainException("from.address is required.", "from.address");
        var address = IdentityResolver.Normalize(r.Channel, from.Address, region);
        var displayName = Text.Clean(from.DisplayName, 200, "from.displayName") ?? IdentityResolver.NameInAddress(from.Address);
        if (displayName is { Length: > 200 }) displayName = displayName[..200];
        var profileUrl = from.ProfileUrl is null ? null : CustomerCard.CleanUrl(from.ProfileUrl, "from.profileUrl");
        if (from.Followers is < 0) throw new DomainException("from.followers cannot be negative.", "from.followers");
        if (from.Following is < 0) throw new DomainException("from.following cannot be negative.", "from.following");

        var subject = Text.Clean(r.Subject, 500, "subject");
        if (r.Body is { } body)
        {
            if (body.Length > options.MaxBodyLength)
                throw new DomainException($"body must be at most {options.MaxBodyLength} characters.", "body");
            if (body.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t'))
                throw new DomainException("body contains control characters.", "body");
        }
        if (r.Html is { Length: var htmlLength } && htmlLength > options.MaxHtmlLength)
            throw new DomainException($"html must be at most {options.MaxHtmlLength} characters.", "html");
        var content = sanitizer.Clean(r.Body, r.Html);
        if (content.Text.Length > options.MaxBodyLength)
            throw new DomainException($"The text of html must be at most {options.MaxBodyLength} characters.", "html");
        if (content.Text.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t'))
            content = content with { Text = new string(content.Text.Where(c => !char.IsControl(c) || c is '\n' or '\r' or '\t').ToArray()) };

        var attachments = r.Attachments ?? [];
        if (attachments.Count > IngestOptions.MaxAttachments)
            throw new DomainException($"A message has at most {IngestOptions.MaxAttachments} attachments.", "attachments");
        for (var i = 0; i < attachments.Count; i++)
        {
            var a = attachments[i] ?? throw new DomainException("An attachment cannot be null.", $"attachments[{i}]");
            if (Text.Clean(a.Name, 255, $"attachments[{i}].name") is null)
                throw new DomainException("An attachment needs a name.", $"attachments[{i}].name");
            Text.Clean(a.ContentType, 120, $"attachments[{i}].contentType");
            if (a.Size is < 0) throw new DomainException("An attachment size cannot be negative.", $"attachments[{i}].size");
            if (a.Url is not null) CustomerCard.CleanUrl(a.Url, $"attachments[{i}].url");
        }

        var inReplyTo = Text.Clean(r.InReplyTo, IngestOptions.MaxExternalIdLength, "inReplyTo");
        var sentAt = r.SentAt ?? now;
        if (sentAt > now.AddDays(1)) throw new DomainException("sentAt is more than a day in the future.", "sentAt");
        if (sentAt.Year < 1990) throw new DomainException("sentAt is before 1990.", "sentAt");
        var queue = Text.Clean(r.Queue, 80, "queue");
        if (r.Sentiment is { } s && !Enum.IsDefined(s)) throw new DomainException("sentiment is positive, neutral or negative.", "sentiment");
        if (r.Context is { } context)
        {
            context.Validate();
            if (context.ToJson().Length > 32_000) throw new DomainException("context is larger than 32,000 characters.", "context");
        }

        return new Input(r.Channel, externalId, kind, r.Direction, from.Address.Trim(), address, displayName, profileUrl, from.Followers, from.Following,
            subject, content, attachments, inReplyTo, sentAt.ToUniversalTime(), queue, r.Context);
    }

    private static string Wire(MessageKind kind) => char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];
}
