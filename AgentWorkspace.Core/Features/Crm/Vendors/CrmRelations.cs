namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>Why an associated record is there (<see cref="CrmRecord.Relation"/>), as codes the card translates.</summary>
public static class CrmRelations
{
    /// <summary>The account a contact belongs to.</summary>
    public const string Account = "account";
    /// <summary>Another contact of the same account: the contact's household.</summary>
    public const string Household = "household";
    /// <summary>A case of the contact or account.</summary>
    public const string Case = "case";
    /// <summary>A contact of the account.</summary>
    public const string Contact = "contact";
    /// <summary>The contact a lead was converted into.</summary>
    public const string ConvertedContact = "converted-contact";
    /// <summary>The contact or account a case is for.</summary>
    public const string Customer = "customer";
}
