using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cards;

/// <summary>Rules about a card as a whole that its profile alone cannot check (they need to know its identities).</summary>
public static class CardRules
{
    /// <summary>
    /// A card says whom it is about: a first or last name, or at least one channel identity. A card with neither could
    /// never be found again nor matched to anyone (checked when a card is created and when its profile is saved).
    /// </summary>
    public static void EnsureNamedOrIdentified(CardProfile profile, bool hasIdentity)
    {
        if (hasIdentity || HasName(profile)) return;
        throw new DomainException("A card needs a first or last name, or at least one channel identity.", "lastName") { Code = "CardNeedsNameOrIdentity" };
    }

    public static bool HasName(CardProfile profile) => !string.IsNullOrWhiteSpace(profile.FirstName) || !string.IsNullOrWhiteSpace(profile.LastName);
}
