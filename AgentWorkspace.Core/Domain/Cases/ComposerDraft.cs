using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cases;

/// <summary>Which part of a case's composer a text is written in: a reply to the contact, an internal note, or a draft for approval.</summary>
public enum ComposerMode
{
    Reply = 0,
    Note = 1,
    Draft = 2,
}

/// <summary>
/// What an agent has typed in a case's composer and not sent yet, kept per agent and case so that it survives going
/// to the detailed card and back, a reload, or working another case meanwhile (issue 22). It is its author's alone
/// (no one else reads it, it is not audited) and goes when its text goes out as a reply, a note or a draft.
/// Not to be confused with <see cref="ReplyDraft"/>, a reply submitted for a supervisor's approval.
/// </summary>
public sealed class ComposerDraft
{
    public const int MaxLength = 10_000;

    public string UserId { get; private set; } = string.Empty;
    public long CaseId { get; private set; }
    public ComposerMode Mode { get; private set; }
    /// <summary>As typed: not trimmed, since the agent is in the middle of writing it.</summary>
    public string Text { get; private set; } = string.Empty;
    public DateTimeOffset SavedAt { get; private set; }

    private ComposerDraft() { }

    public ComposerDraft(string userId, long caseId, ComposerMode mode, string text, DateTimeOffset now)
    {
        UserId = userId;
        CaseId = caseId;
        Write(mode, text, now);
    }

    public void Write(ComposerMode mode, string text, DateTimeOffset now)
    {
        if (!Enum.IsDefined(mode)) throw new DomainException($"Unknown composer mode {mode}.", "mode") { Code = "ComposerModeUnknown" };
        // NUL is the one character some drivers cut a text at; nothing a person types.
        var kept = text.Replace("\0", string.Empty, StringComparison.Ordinal);
        if (kept.Length > MaxLength)
            throw new DomainException($"The text must be at most {MaxLength} characters.", "text") { Code = "ComposerTextTooLong", Args = [MaxLength] };
        Mode = mode;
        Text = kept;
        SavedAt = now;
    }
}
