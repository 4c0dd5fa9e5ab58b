using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cards;

/// <summary>How an address came to be shared.</summary>
public enum SharedIdentifierOrigin
{
    /// <summary>An administrator listed it (a switchboard, <c>noreply@</c>, a test number).</summary>
    Listed = 1,
    /// <summary>It was found on as many cards as the threshold or more.</summary>
    Detected = 2,
}

/// <summary>
/// A phone number or e-mail address that many contacts use (ADR 020): it links no message to a card and suggests no
/// duplicate. A detected one an administrator declares personal after all is kept as <see cref="IsExempt"/>, so that
/// the next count does not share it again.
/// </summary>
public sealed class SharedIdentifier
{
    public const int MaxNote = 200;

    public long Id { get; private set; }
    public IdentitySpace Space { get; private set; }
    public string NormalizedAddress { get; private set; } = string.Empty;
    public SharedIdentifierOrigin Origin { get; private set; }
    public bool IsExempt { get; private set; }
    public string? Note { get; private set; }
    /// <summary>How many cards held it when it was detected (listed ones: when listed).</summary>
    public int CardsWhenAdded { get; private set; }
    public string AddedBy { get; private set; } = string.Empty;
    public DateTimeOffset AddedAt { get; private set; }

    private SharedIdentifier() { }

    public SharedIdentifier(IdentityAddress address, SharedIdentifierOrigin origin, string? note, int cards, string addedBy, DateTimeOffset at)
    {
        if (address.Space is not (IdentitySpace.Phone or IdentitySpace.Email))
            throw new DomainException("Only phone numbers and e-mail addresses can be shared.", "address") { Code = "SharedOnlyPhoneOrEmail" };
        Space = address.Space;
        NormalizedAddress = address.Normalized;
        Origin = origin;
        Note = Text.Clean(note, MaxNote, "note");
        CardsWhenAdded = cards;
        AddedBy = addedBy;
        AddedAt = at;
    }

    public IdentityAddress Address => new(Space, NormalizedAddress);

    /// <summary>A detected address declared personal: it stays listed as exempt and is not shared again by a count.</summary>
    public void Exempt() => IsExempt = true;

    public void Restore() => IsExempt = false;
}
