using AgentWorkspace.Core.Domain.Channels;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>Orders a case thread: by time, with each social comment right under its post.</summary>
public static class CaseThread
{
    public static IReadOnlyList<ThreadEntry> Arrange(IEnumerable<ThreadEntry> entries)
    {
        var all = entries.OrderBy(e => e.At).ThenBy(e => e.Kind).ThenBy(e => e.Id).ToList();
        var messageIds = all.Where(e => e.Kind == ThreadEntryKind.Message).Select(e => e.Id).ToHashSet();
        bool IsChild(ThreadEntry e) => e.ParentMessageId is { } p && messageIds.Contains(p) && p != e.Id
            && (e.Kind == ThreadEntryKind.Comment || e.MessageKind is MessageKind.Comment);
        var children = all.Where(IsChild).GroupBy(e => e.ParentMessageId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<ThreadEntry>(all.Count);
        foreach (var e in all.Where(e => !IsChild(e)))
        {
            result.Add(e);
            if (e.Kind == ThreadEntryKind.Message && children.TryGetValue(e.Id, out var kids))
                result.AddRange(kids.Select(k => k with { Depth = 1 }));
        }
        return result;
    }
}
