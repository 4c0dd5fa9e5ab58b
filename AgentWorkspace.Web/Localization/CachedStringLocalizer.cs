using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Localization;

/// <summary>
/// The resource strings of <typeparamref name="TResource"/>, each read once per language and kept (issue 20). Every
/// <c>L["..."]</c> of every render went to the resource manager, which takes a lock for each; with a thousand open
/// inboxes re-rendering under a flood of messages that lock was among the server's most contended. The texts are the
/// same as the resource manager's (a missing one is its name, marked not found); a text with arguments is formatted
/// in the current culture, as the resource manager's localizer does.
/// </summary>
public sealed class CachedStringLocalizer<TResource>(IStringLocalizerFactory factory) : IStringLocalizer<TResource>
{
    /// <summary>Names kept per language at most: the resource files are finite; a name made from data is read, not kept.</summary>
    internal const int MaxKept = 8_192;

    private readonly IStringLocalizer _inner = factory.Create(typeof(TResource));
    private readonly ConcurrentDictionary<(string Culture, string Name), LocalizedString> _kept = new();

    public LocalizedString this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            var key = (CultureInfo.CurrentUICulture.Name, name);
            if (_kept.TryGetValue(key, out var text)) return text;
            text = _inner[name];
            if (_kept.Count < MaxKept) _kept.TryAdd(key, text);
            return text;
        }
    }

    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            var format = this[name];
            return new LocalizedString(name, string.Format(CultureInfo.CurrentCulture, format.Value, arguments), format.ResourceNotFound, format.SearchedLocation);
        }
    }

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => _inner.GetAllStrings(includeParentCultures);
}
