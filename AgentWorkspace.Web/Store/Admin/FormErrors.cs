using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Web.Store.Admin;

/// <summary>
/// The refusals of an administration form by the field they concern, for the page to say next to that field in
/// the user's language. One that names no field goes where the user acted (<c>""</c>: the form as a whole).
/// </summary>
public static class FormErrors
{
    public static readonly ImmutableDictionary<string, Exception> None = ImmutableDictionary<string, Exception>.Empty;

    public static ImmutableDictionary<string, Exception> Of(IEnumerable<Exception> errors, string where = "")
    {
        var byField = ImmutableDictionary.CreateBuilder<string, Exception>();
        foreach (var error in errors) byField.TryAdd(error is DomainException { Field: { } field } ? field : where, error);
        return byField.ToImmutable();
    }
}
