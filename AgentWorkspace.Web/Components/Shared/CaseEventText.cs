using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Shared;

/// <summary>
/// The detail of a case's history entry as people read it (issue 22, item 12). A case's creation is stored as
/// "{channel} → {queue}" with the channel's code name ("Sms → General", also in rows written before); it is shown with
/// the channel's name in the user's language ("SMS → General", "Clavardage asynchrone → Support").
/// </summary>
public static partial class CaseEventText
{
    [GeneratedRegex(@"^(?<channel>[A-Za-z]+) → (?<queue>.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex ChannelToQueue();

    public static string? Detail(CaseEventType? type, string? detail, IStringLocalizer<SharedResource> shared)
    {
        if (type == CaseEventType.SharedAddress && detail is not null)
        {
            // "new:+33…" or "name:+33…" (ADR 020): said in the reader's words.
            var cut = detail.IndexOf(':', StringComparison.Ordinal);
            if (cut > 0) return shared[detail[..cut] == "new" ? "SharedAddressNewCard" : "SharedAddressByName", detail[(cut + 1)..]];
        }
        if (type != CaseEventType.Created || string.IsNullOrEmpty(detail)) return detail;
        var m = ChannelToQueue().Match(detail);
        if (!m.Success || !Enum.TryParse<Channel>(m.Groups["channel"].Value, ignoreCase: false, out var channel) || !Enum.IsDefined(channel)) return detail;
        return $"{shared["Channel" + channel]} → {m.Groups["queue"].Value}";
    }
}
