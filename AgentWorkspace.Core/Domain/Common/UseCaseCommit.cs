namespace AgentWorkspace.Core.Domain.Common;

/// <summary>
/// Written in the transaction of every use case (docs/decisions/008): when a commit's answer is lost,
/// its marker tells whether the commit landed, so the use case is not run a second time. Kept an hour.
/// </summary>
public sealed class UseCaseCommit
{
    /// <summary>A random key (32 hex digits), the same text on every provider.</summary>
    public string Id { get; private set; } = string.Empty;
    public string UseCase { get; private set; } = string.Empty;
    public DateTimeOffset At { get; private set; }

    private UseCaseCommit() { }

    public UseCaseCommit(string id, string useCase, DateTimeOffset at)
    {
        Id = id;
        UseCase = useCase.Length > 100 ? useCase[..100] : useCase;
        At = at;
    }
}
