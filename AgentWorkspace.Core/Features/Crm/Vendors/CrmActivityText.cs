using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>What an outside CRM receives of an interaction: the text of the activity and its stable id.</summary>
internal static class CrmActivityText
{
    public const string ContactName = "contactName";
    public const string Channel = "channel";
    public const string Queue = "queue";
    public const string Agent = "agent";
    public const string Start = "start";
    public const string End = "end";
    public const string Disposition = "disposition";
    public const string Notes = "notes";
    public const string CaseUrl = "caseUrl";

    public static readonly IReadOnlySet<string> AllFields =
        new HashSet<string>([ContactName, Channel, Queue, Agent, Start, End, Disposition, Notes, CaseUrl], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The activity's description: one "Label: value" line per chosen value that has one, notes last but one and the
    /// link to the case last. Labels are in English: the CRM's users read them, not ours.
    /// </summary>
    public static string Describe(CrmActivity a, IReadOnlySet<string> fields)
    {
        var text = new StringBuilder();
        void Line(string field, string label, string? value)
        {
            if (fields.Contains(field) && !string.IsNullOrWhiteSpace(value)) text.Append(label).Append(": ").Append(value.Trim()).Append('\n');
        }
        Line(Channel, "Channel", a.Channel);
        Line(ContactName, "Contact", a.ContactName);
        Line(Queue, "Queue", a.Queue);
        Line(Agent, "Agent", a.Agent);
        Line(Start, "Start", Utc(a.Start));
        Line(End, "End", a.End is { } end ? Utc(end) : null);
        Line(Disposition, "Disposition", a.Disposition);
        if (fields.Contains(Notes) && !string.IsNullOrWhiteSpace(a.Notes)) text.Append("Notes:\n").Append(a.Notes.Trim()).Append('\n');
        Line(CaseUrl, "Case", a.CaseUrl?.AbsoluteUri);
        return text.ToString().TrimEnd('\n');
    }

    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>
    /// A GUID that depends only on the idempotency key (RFC 9562 version 8, from SHA-256 of a namespace and the key),
    /// so every retry of the same push names the same activity and the CRM can tell that it already has it.
    /// </summary>
    public static Guid ActivityId(string idempotencyKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("agentworkspace:crm-push:" + idempotencyKey));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The call's length in seconds when both ends are known and in order.</summary>
    public static int? DurationSeconds(CrmActivity a) =>
        a.End is { } end && end >= a.Start ? (int)Math.Min(int.MaxValue, Math.Round((end - a.Start).TotalSeconds)) : null;
}
