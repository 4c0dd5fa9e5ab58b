using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cards;

/// <summary>An agent's note on a card (optionally about one case).</summary>
public sealed class Note
{
    public const int MaxLength = 4000;

    public long Id { get; private set; }
    public long CardId { get; private set; }
    public long? CaseId { get; private set; }
    public string AuthorId { get; private set; } = string.Empty;
    public string AuthorName { get; private set; } = string.Empty;
    public string Text { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? UpdatedAt { get; private set; }

    private Note() { }

    public Note(long cardId, long? caseId, string authorId, string authorName, string text, DateTimeOffset now, long id = 0)
    {
        Id = id;
        CardId = cardId;
        CaseId = caseId;
        AuthorId = authorId;
        AuthorName = authorName;
        Text = Validate(text);
        CreatedAt = now;
    }

    public string Edit(string text, DateTimeOffset now)
    {
        var previous = Text;
        Text = Validate(text);
        UpdatedAt = now;
        return previous;
    }

    public void MoveTo(long cardId) => CardId = cardId;

    public void Erase() => Text = "[erased]";

    private static string Validate(string text) =>
        Common.Text.Clean(text, MaxLength, "text") ?? throw new DomainException("A note cannot be empty.", "text");
}
