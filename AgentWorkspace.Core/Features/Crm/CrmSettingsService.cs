using System.Text.Json;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>The connection in force, as the CRM features use it: its connector and its rules.</summary>
internal sealed record ActiveCrm(string Kind, ICrmConnector Connector, IReadOnlyList<CrmRecordType> CreatableTypes, IReadOnlyList<string> PushedFields, TimeSpan Timeout);

/// <summary>
/// The CRM connection (issue 18, /admin/crm): one active connection, the built-in CRM until an administrator
/// chooses another. Secrets are protected with ASP.NET Core Data Protection (purpose <see cref="ProtectorPurpose"/>;
/// the keys live in our database, so every server reads them), never returned by a read, never logged, never
/// audited by value. "Test connection" asks the connector itself and keeps the answer.
/// </summary>
public sealed class CrmSettingsService
{
    public const string ProtectorPurpose = "AgentWorkspace.Crm.Secrets";
    public static readonly IReadOnlyList<CrmRecordType> DefaultCreatableTypes = [CrmRecordType.Case, CrmRecordType.Contact, CrmRecordType.Lead];

    private readonly IDbContextFactory<AgentWorkspaceDbContext> _dbFactory;
    private readonly UseCaseRunner _run;
    private readonly CrmConnectorFactory _factory;
    private readonly IDataProtector _protector;
    private readonly ILogger _logger;
    private volatile ActiveCrm? _active;

    public CrmSettingsService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, CrmConnectorFactory factory,
        IDataProtectionProvider protection, ILogger<CrmSettingsService>? logger = null)
    {
        _dbFactory = dbFactory;
        _run = run;
        _factory = factory;
        _protector = protection.CreateProtector(ProtectorPurpose);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        run.Feed.Subscribe(change =>
        {
            // Another server (or this one) saved new settings: the next call builds the connector anew.
            if (change.Kind is ChangeKind.SettingsChanged or ChangeKind.Resync) Forget();
            return Task.CompletedTask;
        });
    }

    /// <summary>Drops the connector built from the settings; the next call reads them again.</summary>
    public void Forget() => _active = null;

    /// <summary>The connection as /admin/crm shows it, secrets only as "set" (admin).</summary>
    public async Task<CrmSettingsView> GetAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var row = await db.CrmConnection.AsNoTracking().FirstOrDefaultAsync(ct);
        return View(row);
    }

    /// <summary>What the card needs (any agent): the CRM's kind and the record types "Create new" offers.</summary>
    public async Task<CrmAgentOptions> AgentOptionsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var active = await ActiveAsync(ct);
        return new CrmAgentOptions(active.Kind, active.CreatableTypes, (int)active.Timeout.TotalSeconds);
    }

    /// <summary>
    /// Saves the connection (admin): the kind must be registered; a secret left out keeps its value, an empty one is
    /// cleared. Audited without any secret's value; every server builds its connector anew.
    /// </summary>
    public async Task<CrmSettingsView> SaveAsync(Actor actor, CrmSettingsInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var kind = CheckKind(input.Kind);
        var settings = CleanMap(input.Settings, "settings", 500);
        var newSecrets = input.Secrets ?? new Dictionary<string, string?>();
        foreach (var (name, value) in newSecrets)
        {
            CheckName(name, "secrets");
            if (value is { Length: > 4000 }) throw new DomainException($"secrets.{name} is at most 4000 characters.", "secrets." + name);
        }
        var types = (input.CreatableTypes ?? []).Distinct().ToList();
        if (types.Any(t => !Enum.IsDefined(t))) throw new DomainException("Unknown CRM record type.", "creatableTypes") { Code = "CrmTypeUnknown" };
        var fields = (input.PushedFields ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (fields.FirstOrDefault(f => !CrmPushedFields.All.Contains(f, StringComparer.Ordinal)) is { } unknown)
            throw new DomainException($"'{unknown}' is not a pushed field; known: {string.Join(", ", CrmPushedFields.All)}.", "pushedFields") { Code = "CrmPushedFieldUnknown", Args = [unknown] };

        await _run.RunAsync("Crm.SaveSettings", actor, Role.Admin, async use =>
        {
            var row = await use.Db.CrmConnection.FirstOrDefaultAsync(use.Cancellation);
            if (row is null) use.Db.CrmConnection.Add(row = new CrmConnectionSettings(use.Now, actor.DisplayName));
            var before = View(row);
            // Secrets: the stored ones, changed by what was sent; a change of kind starts from none.
            var secrets = row.Kind == kind ? Unprotect(row.ProtectedSecrets) : new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (name, value) in newSecrets)
            {
                if (value is null) continue;
                if (value.Length == 0) secrets.Remove(name); else secrets[name] = value;
                use.Audit("CrmConnection", "1", value.Length == 0 ? "SecretCleared" : "SecretSet", "secrets." + name);
            }
            var protectedSecrets = secrets.Count == 0 ? null : _protector.Protect(JsonSerializer.Serialize(secrets));
            row.Update(kind, JsonSerializer.Serialize(settings), protectedSecrets, secrets.Keys.Order(StringComparer.Ordinal), types.Select(t => t.ToString()),
                fields, input.TimeoutSeconds, use.Now, actor.DisplayName);
            use.AuditChange("CrmConnection", "1", "Updated", "kind", before.Kind, kind);
            use.AuditChange("CrmConnection", "1", "Updated", "settings", JsonSerializer.Serialize(before.Settings), row.SettingsJson);
            use.AuditChange("CrmConnection", "1", "Updated", "creatableTypes", string.Join('|', before.CreatableTypes), row.CreatableTypes);
            use.AuditChange("CrmConnection", "1", "Updated", "pushedFields", string.Join('|', before.PushedFields), row.PushedFields);
            use.AuditChange("CrmConnection", "1", "Updated", "timeoutSeconds", before.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            use.OnCommitted(Forget);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
        }, ct);
        return await GetAsync(actor, ct);
    }

    /// <summary>
    /// "Test connection" (admin): the saved connection's connector signs in and reads one thing, within the time-out;
    /// the answer (never a secret) is kept for the page and returned. A failure is an answer, not an exception.
    /// </summary>
    public async Task<CrmConnectionCheck> TestConnectionAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        CrmConnectionCheck check;
        try
        {
            var active = await ActiveAsync(ct);
            check = await CrmCalls.BoundedAsync(active.Timeout, "test connection", _logger, active.Connector.TestConnectionAsync, ct);
        }
        catch (CrmException ex)
        {
            check = new CrmConnectionCheck(false, ex.VendorMessage is { Length: > 0 } vendor && vendor != ex.Message ? $"{ex.Message} ({vendor})" : ex.Message);
        }
        await _run.RunAsync("Crm.TestConnection", actor, Role.Admin, async use =>
        {
            var row = await use.Db.CrmConnection.FirstOrDefaultAsync(use.Cancellation);
            if (row is null)
            {
                // Never saved: the row starts as the defaults the page and the connector were using, not empty lists
                // (a first test must not take away the record types agents create and the fields pushed).
                var defaults = View(null);
                use.Db.CrmConnection.Add(row = new CrmConnectionSettings(use.Now, actor.DisplayName));
                row.Update(defaults.Kind, "{}", null, [], defaults.CreatableTypes.Select(t => t.ToString()), defaults.PushedFields, defaults.TimeoutSeconds,
                    use.Now, actor.DisplayName);
            }
            row.Tested(check.Ok, check.Message, check.Code, check.Args, use.Now);
            use.Audit("CrmConnection", "1", check.Ok ? "TestSucceeded" : "TestFailed", null, null,
                check.Code is { } code ? Audit.AuditValues.Sentence("CrmTest." + code, [.. check.Args ?? []]) : check.Message.Length > 500 ? check.Message[..500] : check.Message);
        }, ct);
        return check;
    }

    /// <summary>The connection in force and its connector, built once and kept until the settings change.</summary>
    internal async Task<ActiveCrm> ActiveAsync(CancellationToken ct)
    {
        if (_active is { } hit) return hit;
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var row = await db.CrmConnection.AsNoTracking().FirstOrDefaultAsync(ct);
        var view = View(row);
        var connection = new CrmConnection(view.Kind, view.Settings, Unprotect(row?.ProtectedSecrets));
        ICrmConnector connector;
        try
        {
            connector = _factory.Create(connection);
        }
        catch (DomainException ex)
        {
            // A kind saved by a build that had it, unknown to this one: the card says the CRM is unavailable.
            _logger.LogError("The CRM connection's kind '{Kind}' is not registered: {Message}", view.Kind, ex.Message);
            throw new CrmException(CrmFailure.Unavailable, $"The CRM connector '{view.Kind}' is not available on this server.");
        }
        return _active = new ActiveCrm(view.Kind, connector, view.CreatableTypes, view.PushedFields, TimeSpan.FromSeconds(view.TimeoutSeconds));
    }

    private CrmSettingsView View(CrmConnectionSettings? row)
    {
        if (row is null)
            return new CrmSettingsView(BuiltInCrmKind.Name, _factory.Kinds, new Dictionary<string, string?>(), [], DefaultCreatableTypes, CrmPushedFields.All, 5,
                null, null, null, null, null);
        Dictionary<string, string?> settings;
        try { settings = JsonSerializer.Deserialize<Dictionary<string, string?>>(row.SettingsJson) ?? []; }
        catch (JsonException) { settings = []; }
        return new CrmSettingsView(row.Kind, _factory.Kinds, settings, Split(row.SecretNames),
            Split(row.CreatableTypes).Select(t => Enum.TryParse<CrmRecordType>(t, out var type) ? type : (CrmRecordType?)null).OfType<CrmRecordType>().ToList(),
            Split(row.PushedFields), row.TimeoutSeconds, row.UpdatedAt, row.UpdatedBy, row.LastTestAt, row.LastTestOk, row.LastTestMessage,
            row.LastTestCode, row.LastTestArgs is { Length: > 0 } a ? a.Split('\u001f') : []);
    }

    private static List<string> Split(string value) => value.Length == 0 ? [] : [.. value.Split('|')];

    private Dictionary<string, string?> Unprotect(string? protectedSecrets)
    {
        if (string.IsNullOrEmpty(protectedSecrets)) return new Dictionary<string, string?>(StringComparer.Ordinal);
        try
        {
            return new Dictionary<string, string?>(JsonSerializer.Deserialize<Dictionary<string, string?>>(_protector.Unprotect(protectedSecrets)) ?? [], StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            // The key that protected them is gone (another key ring): the administrator enters the secrets again.
            _logger.LogError("The CRM secrets cannot be read with this server's Data Protection keys ({Error}); enter them again on /admin/crm.", ex.GetType().Name);
            return new Dictionary<string, string?>(StringComparer.Ordinal);
        }
    }

    private string CheckKind(string? kind)
    {
        var found = _factory.Find(kind?.Trim())
            ?? throw new DomainException($"'{kind}' is not a CRM connector here; known: {string.Join(", ", _factory.Kinds)}.", "kind") { Code = "CrmKindUnknown", Args = [kind ?? string.Empty] };
        return found.Kind;
    }

    private static void CheckName(string name, string field)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 60 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new DomainException($"'{name}' is not a setting name (letters, digits, '.', '-', '_', at most 60).", field) { Code = "CrmSettingName" };
    }

    private static Dictionary<string, string?> CleanMap(IReadOnlyDictionary<string, string?>? map, string field, int max)
    {
        var clean = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in map ?? new Dictionary<string, string?>())
        {
            CheckName(name, field);
            clean[name] = Text.Clean(value, max, $"{field}.{name}");
        }
        return clean;
    }
}
