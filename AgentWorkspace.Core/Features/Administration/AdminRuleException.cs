using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Features.Administration;

/// <summary>
/// A broken rule of an administration form, with a stable <see cref="Code"/> so that the page can
/// say it in the user's language (resx key "Err_{Code}") next to <see cref="DomainException.Field"/>;
/// the English message is what the API returns.
/// </summary>
public sealed class AdminRuleException : DomainException
{
    public AdminRuleException(string code, string message, string field, params object[] args) : base(message, field)
    {
        Code = code;
        Args = args;
    }

    /// <summary>Never null for an administration rule.</summary>
    public new string Code { get => base.Code!; private init => base.Code = value; }
}
