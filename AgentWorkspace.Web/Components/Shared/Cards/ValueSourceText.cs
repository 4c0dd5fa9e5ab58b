using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Cards;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Shared.Cards;

/// <summary>Where a card's value came from, said in the reader's language ("Set by Alice Martin (agent), 3 Dec 2026 14:02"): issue 21.</summary>
public static class ValueSourceText
{
    /// <summary>The source of a value; null: unknown (the value is older than provenance, docs/decisions/022).</summary>
    public static string Describe(IStringLocalizer<CardsResource> l, IStringLocalizer<SharedResource> s, ValueSourceView? v)
    {
        if (v is null) return l["Source_Unknown"];
        var own = Describe(l, s, v.Kind, v.Ref, v.Label, v.At);
        return v.OriginKind is { } origin && v.Kind is ValueSourceKind.Merge or ValueSourceKind.AutoMergeRule
            ? l["Source_Origin", own, Describe(l, s, origin, null, v.OriginLabel, v.OriginAt ?? v.At)]
            : own;
    }

    public static string When(DateTimeOffset at) => at.ToLocalTime().ToString("d MMM yyyy HH:mm", CultureInfo.CurrentCulture);

    private static string Describe(IStringLocalizer<CardsResource> l, IStringLocalizer<SharedResource> s, ValueSourceKind kind, string? reference, string? label, DateTimeOffset at)
    {
        var when = When(at);
        return kind switch
        {
            ValueSourceKind.Agent => l["Source_Agent", label ?? "?", when],
            ValueSourceKind.ApiKey => l["Source_ApiKey", label ?? "?", when],
            ValueSourceKind.Channel => Channel(l, s, label, when),
            ValueSourceKind.Crm => l["Source_Crm", label ?? "", when],
            ValueSourceKind.Merge => l["Source_Merge", reference ?? "?", when],
            ValueSourceKind.AutoMergeRule => l["Source_AutoMergeRule", label ?? "?", reference ?? "?", when],
            ValueSourceKind.System => l["Source_System", when],
            _ => l["Source_Unknown"],
        };
    }

    /// <summary>A channel's label is its wire name and the address ("sms +33612345678"): the channel is named in the reader's language.</summary>
    private static string Channel(IStringLocalizer<CardsResource> l, IStringLocalizer<SharedResource> s, string? label, string when)
    {
        var parts = (label ?? string.Empty).Split(' ', 2);
        var channel = Channels.TryParseWire(parts[0], out var c) ? s["Channel" + c].Value : parts[0];
        return l["Source_Channel", channel, parts.Length > 1 ? parts[1] : string.Empty, when];
    }
}
