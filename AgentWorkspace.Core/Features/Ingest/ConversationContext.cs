using System.Text.Json;
using System.Text.Json.Serialization;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Features.Ingest;

public enum SelfServiceType
{
    PageVisited = 1,
    SearchPhrase = 2,
    ArticleViewed = 3,
    CustomAction = 4,
}

/// <summary>What the visitor's browser told the chat: signed in or not, browser, OS, location, language.</summary>
public sealed record VisitorDetails
{
    public bool? Authenticated { get; init; }
    public string? Browser { get; init; }
    public string? Os { get; init; }
    public string? Location { get; init; }
    public string? Language { get; init; }
}

/// <summary>One step the contact took on their own before asking (a page, a search, an article, an action).</summary>
public sealed record SelfServiceStep(SelfServiceType Type, string? Title, DateTimeOffset? At);

/// <summary>
/// The conversation context (seed: enquête préalable, détails sur le visiteur, libre-service,
/// variables de contexte), stored as JSON on the case (<c>Case.ContextJson</c>). A later message
/// of the same case merges into it: answers and variables are updated key by key, visitor details
/// field by field, and self-service steps are appended (duplicates dropped, the latest 100 kept).
/// </summary>
public sealed record ConversationContext
{
    public const int MaxEntries = 50;
    public const int MaxSteps = 100;
    public const int MaxKeyLength = 100;
    public const int MaxValueLength = 1000;

    public IReadOnlyDictionary<string, string?> PreChatSurvey { get; init; } = new Dictionary<string, string?>();
    public VisitorDetails? Visitor { get; init; }
    public IReadOnlyList<SelfServiceStep> SelfService { get; init; } = [];
    public IReadOnlyDictionary<string, string?> Variables { get; init; } = new Dictionary<string, string?>();

    [JsonIgnore]
    public bool IsEmpty => PreChatSurvey.Count == 0 && Visitor is null && SelfService.Count == 0 && Variables.Count == 0;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The context stored on a case; null when there is none (or it cannot be read).</summary>
    public static ConversationContext? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try { return JsonSerializer.Deserialize<ConversationContext>(json, Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>This context updated by a later message's.</summary>
    public ConversationContext MergeWith(ConversationContext later)
    {
        var survey = new Dictionary<string, string?>(PreChatSurvey);
        foreach (var (k, v) in later.PreChatSurvey) survey[k] = v;
        var variables = new Dictionary<string, string?>(Variables);
        foreach (var (k, v) in later.Variables) variables[k] = v;
        var visitor = Visitor is null ? later.Visitor : later.Visitor is null ? Visitor : new VisitorDetails
        {
            Authenticated = later.Visitor.Authenticated ?? Visitor.Authenticated,
            Browser = later.Visitor.Browser ?? Visitor.Browser,
            Os = later.Visitor.Os ?? Visitor.Os,
            Location = later.Visitor.Location ?? Visitor.Location,
            Language = later.Visitor.Language ?? Visitor.Language,
        };
        var steps = SelfService.Concat(later.SelfService).Distinct().ToList();
        if (steps.Count > MaxSteps) steps = steps[^MaxSteps..];
        return new ConversationContext
        {
            PreChatSurvey = Cap(survey),
            Visitor = visitor,
            SelfService = steps,
            Variables = Cap(variables),
        };
    }

    /// <summary>Merging keeps at most <see cref="MaxEntries"/> keys (the earliest ones win their place).</summary>
    private static Dictionary<string, string?> Cap(Dictionary<string, string?> d) =>
        d.Count <= MaxEntries ? d : d.Take(MaxEntries).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Checks sizes and characters; a <see cref="DomainException"/> names the field (e.g. "context.variables").</summary>
    public void Validate()
    {
        Check(PreChatSurvey, "context.preChatSurvey");
        Check(Variables, "context.variables");
        if (Visitor is { } v)
        {
            Text.Clean(v.Browser, 200, "context.visitor.browser");
            Text.Clean(v.Os, 200, "context.visitor.os");
            Text.Clean(v.Location, 200, "context.visitor.location");
            Text.Clean(v.Language, 35, "context.visitor.language");
        }
        if (SelfService.Count > MaxSteps)
            throw new DomainException($"context.selfService has at most {MaxSteps} steps.", "context.selfService");
        foreach (var step in SelfService)
        {
            if (!Enum.IsDefined(step.Type))
                throw new DomainException("context.selfService type is pageVisited, searchPhrase, articleViewed or customAction.", "context.selfService");
            Text.Clean(step.Title, 500, "context.selfService");
        }
    }

    private static void Check(IReadOnlyDictionary<string, string?> d, string field)
    {
        if (d.Count > MaxEntries) throw new DomainException($"{field} has at most {MaxEntries} entries.", field);
        foreach (var (k, v) in d)
        {
            if (Text.Clean(k, MaxKeyLength, field) is null) throw new DomainException($"{field} has an empty key.", field);
            Text.Clean(v, MaxValueLength, field);
        }
    }
}
