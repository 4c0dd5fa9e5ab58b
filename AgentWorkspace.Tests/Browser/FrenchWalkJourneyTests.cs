using System.Text;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 22 item 10: every page in French says its own words in French. The walk reads the product's words (buttons,
/// labels, headings, column titles, tabs, menus, pagers, and the placeholder, aria-label and title attributes), not the
/// customers' messages, and fails on English words of the interface it finds there.
/// </summary>
[Collection(BrowserCollection.Name)]
public class FrenchWalkJourneyTests(BrowserFixture browser)
{
    private static readonly string[] CardTabs = ["summary", "profile", "cases", "messages", "timeline", "notes", "identities"];

    private static readonly string[] EveryPage =
    [
        "/", "/inbox", "/cards", .. CardTabs.Select(t => "/cards/1?tab=" + t),
        "/supervisor/approvals", "/supervisor/duplicates",
        "/admin/users", "/admin/queues", "/admin/custom-fields", "/admin/quick-replies", "/admin/api-keys", "/admin/settings", "/admin/audit", "/admin/crm", "/admin/scripts", "/admin/matching", "/admin/matching/auto-merge",
        "/crm/contact/1", "/crm/account/1",
    ];

    // The audit log's values are read too: the product's own summaries and sentences are stored structured and said in
    // the reader's language; only what people wrote (names, texts) is marked as user content. The CRM's connection-test
    // line is a sentence of ours too (the built-in CRM's answer).

    /// <summary>
    /// English words of an interface that French does not use (whole words, case-insensitive; "messages", "audit",
    /// "client" are French too and are not listed).
    /// </summary>
    internal static readonly string[] EnglishWords =
    [
        "save", "cancel", "delete", "search", "loading", "settings", "customers", "close", "edit", "refresh", "unassigned",
        "assigned", "queue", "queues", "reply", "send", "previous", "next", "rows per page", "of", "the", "and", "with", "without",
        "yes", "no", "none", "system", "open in", "back", "add", "remove", "create", "new", "show", "hide", "more", "less",
        "sign out", "sign in", "inbox", "approvals", "duplicates", "users", "keys", "fields", "quick replies", "status", "priority",
        "today", "yesterday", "minutes", "hours", "days", "ago", "all", "my", "mine", "unread", "late", "waiting", "pending", "approved",
        "rejected", "true", "false", "frt", "negative", "positive", "neutral", "followers", "following", "company", "phone", "email",
    ];

    private const string CollectScript = """
        () => {
          const out = [];
          const sel = 'button, label, th, td, dt, dd, p, .aw-pill, .mud-typography, h1, h2, h3, h4, h5, h6, [role=tab], legend, nav a, .mud-input-label, .mud-table-pagination, .mud-breadcrumbs, .mud-chip-content, .mud-alert-message:not([data-user-content]), option, .aw-empty, [data-ui-text]';
          for (const el of document.querySelectorAll(sel)) {
            if (el.closest('[data-testid=thread-entry], [data-testid=case-tile], [data-user-content], .aw-message')) continue;
            // What people wrote inside a product's line (a name in an audit summary) is theirs, not the interface's.
            let t;
            if (el.querySelector('[data-user-content]')) {
              const c = el.cloneNode(true);
              c.querySelectorAll('[data-user-content]').forEach(x => x.remove());
              t = (c.textContent || '').trim();
            } else t = (el.innerText || '').trim();
            if (t) out.push(t);
          }
          for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
            if (el.closest('[data-testid=thread-entry], [data-testid=case-tile], [data-user-content], .aw-message')) continue;
            for (const a of ['placeholder', 'aria-label', 'title']) { const v = el.getAttribute(a); if (v) out.push(v); }
          }
          return out;
        }
        """;

    internal static IEnumerable<string> EnglishIn(string text)
    {
        var lower = " " + System.Text.RegularExpressions.Regex.Replace(text.ToLowerInvariant(), @"[^\p{L}\p{N}]+", " ") + " ";
        return EnglishWords.Where(w => lower.Contains(" " + w + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_detector_finds_English_and_lets_French_pass()
    {
        EnglishIn("Rows per page: 10").ShouldContain("rows per page");
        EnglishIn("Save").ShouldContain("save");
        EnglishIn("Enregistrer les modifications · Annuler · Non affecté · Boîte de réception · 3 messages négatifs").ShouldBeEmpty();
        // "version" is French too: a script published anew says so in the audit log.
        EnglishIn("Publié (nouvelle version)").ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_page_in_French_shows_no_English_words_of_the_interface()
    {
        // Rows the product writes itself, for the audit log and the CRM page to show: a queue's summary and a connection test.
        await using (var db = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext())
        {
            var admin = (await db.Users.FirstAsync(u => u.Email == "admin@demo.local")).ToActor();
            await browser.App.Services.GetRequiredService<QueueService>().CreateAsync(admin,
                new QueueInput("Réclamations " + Random.Shared.Next(1000, 9999), ["facturation"], 30, 240));
            (await browser.App.Services.GetRequiredService<CrmSettingsService>().TestConnectionAsync(admin)).Code.ShouldBe("BuiltInAnswers");
        }
        var page = await browser.SignInAsAsync(Role.Admin, "/", locale: "fr-FR");
        var report = new StringBuilder();
        foreach (var path in EveryPage)
        {
            await page.GotoAsync(path);
            await BrowserFixture.WaitForInteractiveAsync(page);
            await page.WaitForSelectorAsync("h1");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (path == "/admin/audit")
            {
                await page.WaitForSelectorAsync("[data-testid=audit-rows] [data-audit-key=firstResponseTargetMinutes]");
                (await page.InnerTextAsync("[data-testid=audit-rows]")).ShouldSatisfyAllConditions(
                    t => t.ShouldContain("Objectif de première réponse (min) : 30"),
                    t => t.ShouldContain("Le CRM intégré répond"),
                    t => t.ShouldNotContain("firstResponse="));
            }
            if (path == "/admin/crm") (await page.InnerTextAsync("[data-testid=crm-test-result]")).ShouldContain("le CRM intégré répond");
            var texts = await page.EvaluateAsync<string[]>(CollectScript);
            foreach (var t in texts.Distinct())
            {
                var found = EnglishIn(t).ToList();
                if (found.Count > 0) report.AppendLine($"{path}: \"{(t.Length > 80 ? t[..80] + "…" : t)}\" ({string.Join(", ", found)})");
            }
        }
        await page.Context.CloseAsync();
        report.ToString().ShouldBeEmpty();
    }
}
