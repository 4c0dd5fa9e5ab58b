using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Tests.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Crm;

/// <summary>The CRM connection (admin) and the wrap-up dispositions: roles both ways, secrets never read back, test connection.</summary>
[Trait("Category", "Service")]
public sealed class CrmSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CrmSettingsInput Input(string kind, Dictionary<string, string?>? secrets = null, int timeout = 5) =>
        new(kind, new Dictionary<string, string?> { ["instanceUrl"] = "https://example.my.salesforce.com" }, secrets ?? [], CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, timeout);

    [Fact]
    public async Task TheDefaultIsTheBuiltInCrm()
    {
        await using var w = await CrmWorld.CreateAsync();
        var view = await w.Settings.GetAsync(CrmWorld.Admin, Ct);
        (view.Kind, view.TimeoutSeconds, view.UpdatedAt).ShouldBe(("builtin", 5, (DateTimeOffset?)null));
        view.CreatableTypes.ShouldBe([CrmRecordType.Case, CrmRecordType.Contact, CrmRecordType.Lead]);
        view.Kinds.ShouldContain("builtin");
    }

    [Fact]
    public async Task TestingTheConnectionBeforeAnySaveKeepsTheDefaults()
    {
        await using var w = await CrmWorld.CreateAsync();
        (await w.Settings.TestConnectionAsync(CrmWorld.Admin, Ct)).Ok.ShouldBeTrue();
        var view = await w.Settings.GetAsync(CrmWorld.Admin, Ct);
        view.LastTestOk.ShouldBe(true);
        (view.Kind, view.TimeoutSeconds).ShouldBe(("builtin", 5));
        view.CreatableTypes.ShouldBe(CrmSettingsService.DefaultCreatableTypes);
        view.PushedFields.ShouldBe(CrmPushedFields.All);
    }

    [Fact]
    public async Task ASavedSecretIsNeverReadBack_NorStoredNorAuditedInClear_AndKeptWhenLeftOut()
    {
        var fake = new FakeCrmKind();
        await using var w = await CrmWorld.CreateAsync(fake);
        const string secret = "s3cr3t-client-value-0123456789";

        var saved = await w.Settings.SaveAsync(CrmWorld.Admin, Input("fake", new() { ["clientSecret"] = secret }), Ct);

        saved.SecretsSet.ShouldBe(["clientSecret"]);
        saved.Settings["instanceUrl"].ShouldBe("https://example.my.salesforce.com");
        var row = await w.QueryAsync(db => db.CrmConnection.SingleAsync());
        row.ProtectedSecrets!.ShouldNotContain(secret);
        var audit = await w.QueryAsync(db => db.Audit.Where(a => a.EntityType == "CrmConnection").ToListAsync());
        audit.ShouldNotBeEmpty();
        audit.ShouldAllBe(a => (a.Before ?? "").Contains(secret) == false && (a.After ?? "").Contains(secret) == false);
        System.Text.Json.JsonSerializer.Serialize(saved).ShouldNotContain(secret);

        // Left out: kept. Empty: cleared.
        (await w.Settings.SaveAsync(CrmWorld.Admin, Input("fake"), Ct)).SecretsSet.ShouldBe(["clientSecret"]);
        (await w.Settings.SaveAsync(CrmWorld.Admin, Input("fake", new() { ["clientSecret"] = "" }), Ct)).SecretsSet.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheConnectorGetsTheSecretUnprotected()
    {
        CrmConnection? seen = null;
        var kind = new CapturingKind(c => seen = c);
        await using var w = await CrmWorld.CreateAsync(kind);
        await w.Settings.SaveAsync(CrmWorld.Admin, Input("capturing", new() { ["clientSecret"] = "abc" }), Ct);
        await w.Settings.TestConnectionAsync(CrmWorld.Admin, Ct);
        seen!.Secrets["clientSecret"].ShouldBe("abc");
    }

    [Fact]
    public async Task OnlyAnAdministratorReadsSavesOrTestsTheConnection()
    {
        await using var w = await CrmWorld.CreateAsync();
        foreach (var actor in new[] { CrmWorld.Camille, CrmWorld.Sophie })
        {
            await Should.ThrowAsync<ForbiddenException>(() => w.Settings.GetAsync(actor, Ct));
            await Should.ThrowAsync<ForbiddenException>(() => w.Settings.SaveAsync(actor, Input("builtin"), Ct));
            await Should.ThrowAsync<ForbiddenException>(() => w.Settings.TestConnectionAsync(actor, Ct));
        }
        (await w.QueryAsync(db => db.CrmConnection.CountAsync())).ShouldBe(0);
        (await w.Settings.AgentOptionsAsync(CrmWorld.Camille, Ct)).Kind.ShouldBe("builtin");
    }

    [Fact]
    public async Task TestConnectionSaysWhatHappened_AndIsKept()
    {
        var failing = new FailingTestKind();
        await using var w = await CrmWorld.CreateAsync(failing);
        var ok = await w.Settings.TestConnectionAsync(CrmWorld.Admin, Ct);
        (ok.Ok, ok.Message).ShouldBe((true, "The built-in CRM answers: 0 contacts."));

        await w.Settings.SaveAsync(CrmWorld.Admin, Input("refusing"), Ct);
        var refused = await w.Settings.TestConnectionAsync(CrmWorld.Admin, Ct);
        (refused.Ok, refused.Message).ShouldBe((false, "The credentials were refused. (invalid_client)"));
        var view = await w.Settings.GetAsync(CrmWorld.Admin, Ct);
        (view.LastTestOk, view.LastTestMessage).ShouldBe((false, refused.Message));
    }

    [Theory]
    [InlineData("nosuch", 5, "kind", "CrmKindUnknown")]
    [InlineData("builtin", 0, "timeoutSeconds", "CrmTimeoutRange")]
    [InlineData("builtin", 61, "timeoutSeconds", "CrmTimeoutRange")]
    public async Task BadSettingsAreRefusedNamingTheField(string kind, int timeout, string field, string code)
    {
        await using var w = await CrmWorld.CreateAsync();
        var ex = await Should.ThrowAsync<DomainException>(() => w.Settings.SaveAsync(CrmWorld.Admin, Input(kind, timeout: timeout), Ct));
        (ex.Field, ex.Code).ShouldBe((field, code));
        await Should.ThrowAsync<DomainException>(() => w.Settings.SaveAsync(CrmWorld.Admin, Input("builtin") with { PushedFields = ["password"] }, Ct));
        await Should.ThrowAsync<DomainException>(() => w.Settings.SaveAsync(CrmWorld.Admin,
            Input("builtin") with { Settings = new Dictionary<string, string?> { ["bad name!"] = "x" } }, Ct));
    }

    [Fact]
    public async Task DispositionsAreKeptByAdministrators_AndAgentsSeeTheActiveOnes()
    {
        await using var w = await CrmWorld.CreateAsync();
        await Should.ThrowAsync<ForbiddenException>(() => w.Dispositions.CreateAsync(CrmWorld.Sophie, "Vente", Ct));
        await Should.ThrowAsync<ForbiddenException>(() => w.Dispositions.ListAsync(CrmWorld.Camille, includeInactive: true, Ct));

        var sale = await w.Dispositions.CreateAsync(CrmWorld.Admin, "Vente", Ct);
        var callback = await w.Dispositions.CreateAsync(CrmWorld.Admin, "Rappel", Ct);
        (await Should.ThrowAsync<ConflictException>(() => w.Dispositions.CreateAsync(CrmWorld.Admin, " vente ", Ct))).Code.ShouldBe("DispositionExists");
        (await Should.ThrowAsync<DomainException>(() => w.Dispositions.CreateAsync(CrmWorld.Admin, "  ", Ct))).Code.ShouldBe("DispositionLabelRequired");
        await w.Dispositions.RenameAsync(CrmWorld.Admin, callback.Id, "Rappel prévu", Ct);
        await w.Dispositions.SetActiveAsync(CrmWorld.Admin, sale.Id, false, Ct);
        await Should.ThrowAsync<ForbiddenException>(() => w.Dispositions.SetActiveAsync(CrmWorld.Camille, sale.Id, true, Ct));

        // The world's reference data holds the demo's dispositions first; ours come after them.
        var agents = (await w.Dispositions.ListAsync(CrmWorld.Camille, ct: Ct)).Select(d => d.Label).ToList();
        agents[^1].ShouldBe("Rappel prévu");
        agents.ShouldNotContain("Vente");
        (await w.Dispositions.ListAsync(CrmWorld.Admin, includeInactive: true, Ct)).TakeLast(2).Select(d => (d.Label, d.IsActive)).ShouldBe([("Vente", false), ("Rappel prévu", true)]);
        await Should.ThrowAsync<NotFoundException>(() => w.Dispositions.RenameAsync(CrmWorld.Admin, 999, "X", Ct));
    }

    private sealed class CapturingKind(Action<CrmConnection> seen) : ICrmConnectorKind
    {
        public string Kind => "capturing";
        public ICrmConnector Create(CrmConnection connection) { seen(connection); return new FakeCrmKind(Kind); }
    }

    private sealed class FailingTestKind : ICrmConnectorKind
    {
        public string Kind => "refusing";
        public ICrmConnector Create(CrmConnection connection) => new Refusing();

        private sealed class Refusing : ICrmConnector
        {
            public string Kind => "refusing";
            public Task<IReadOnlyList<CrmRecord>> FindAsync(CrmLookup lookup, CancellationToken ct) => throw new NotSupportedException();
            public Task<CrmRecord?> GetAsync(CrmRecordRef record, CancellationToken ct) => throw new NotSupportedException();
            public Task<IReadOnlyList<CrmRecord>> GetAssociatedAsync(CrmRecordRef record, CancellationToken ct) => throw new NotSupportedException();
            public Task<CrmRecord> CreateAsync(CrmNewRecord record, CancellationToken ct) => throw new NotSupportedException();
            public Task<string> PushAsync(CrmRecordRef target, CrmActivity activity, CancellationToken ct) => throw new NotSupportedException();
            public Uri? RecordUrl(CrmRecordRef record) => null;
            public Task<CrmConnectionCheck> TestConnectionAsync(CancellationToken ct) =>
                throw new CrmException(CrmFailure.Unauthorized, "The credentials were refused.", "invalid_client");
        }
    }
}

/// <summary>Every refusal of the CRM features is said in English and in French (CrmResource Err_{Code}).</summary>
public partial class CrmErrorTextTests
{
    private static readonly ResourceManager Resources = new("AgentWorkspace.Web.Resources.CrmResource", typeof(AgentWorkspace.Web.CrmResource).Assembly);

    [GeneratedRegex("""Code = "([A-Za-z_]+)"(?!\s*\+)""")]
    private static partial Regex CodeLiteral();

    public static TheoryData<string> Codes()
    {
        var root = OneWayForDataTests.RepositoryRoot();
        var files = new[] { Path.Combine(root, "AgentWorkspace.Core", "Domain", "Crm"), Path.Combine(root, "AgentWorkspace.Core", "Features", "Crm") }
            .SelectMany(d => Directory.GetFiles(d, "*.cs", SearchOption.AllDirectories));
        var codes = new SortedSet<string>(files.SelectMany(f => CodeLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)), StringComparer.Ordinal);
        codes.Count.ShouldBeGreaterThan(10, "the codes were found in the sources");
        var data = new TheoryData<string>();
        foreach (var c in codes) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryCrmRefusalIsSaidInEnglishAndInFrench(string code)
    {
        // The wrap-up's dispositions are said where the agent completes it: in the inbox's resource.
        var resources = code.StartsWith("DispositionNone", StringComparison.Ordinal) || code is "DispositionRequired" or "DispositionUnknown"
            ? new ResourceManager("AgentWorkspace.Web.Resources.InboxResource", typeof(AgentWorkspace.Web.InboxResource).Assembly)
            : Resources;
        var en = resources.GetString("Err_" + code, CultureInfo.InvariantCulture);
        var fr = resources.GetString("Err_" + code, new CultureInfo("fr"));
        en.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing in English");
        fr.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing in French");
        fr.ShouldNotBe(en, $"Err_{code} is not translated");
    }
}
