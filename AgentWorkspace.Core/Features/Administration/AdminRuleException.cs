using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Features.Administration;

/// <summary>
/// A broken rule of an administration form, with a stable <see cref="Code"/> so that the page can
/// say it in the user's language (resx key "Err_{Code}") next to <see cref="DomainException.Field"/>;
/// the English message is what the API returns.
/// </summary>
public sealed class AdminRuleException(string code, string message, string field, params object[] args) : DomainException(message, field)
{
    public string Code { get; } = code;
    public IReadOnlyList<object> Args { get; } = args;
}
