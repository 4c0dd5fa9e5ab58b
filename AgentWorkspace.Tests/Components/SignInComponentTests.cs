using System.Globalization;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Account;
using AgentWorkspace.Web.Security;
using Bunit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Components;

public class SignInComponentTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        Services.AddLogging();
        Services.AddDataProtection();
        Services.AddHttpContextAccessor();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddScoped<AgentWorkspaceDbContext>(_ => _db.Factory.CreateDbContext());
        Services.AddAgentWorkspaceIdentity();
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<Login> RenderSignIn()
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        http.Request.Method = "GET";
        return Render<Login>(p => p.AddCascadingValue(http));
    }

    [Fact]
    public void TheSignInFormLabelsEveryFieldAndHelpsPasswordManagers()
    {
        var page = RenderSignIn();
        page.Find("label[for=email]").TextContent.ShouldBe("E-mail");
        page.Find("#email").GetAttribute("autocomplete").ShouldBe("username");
        page.Find("label[for=password]").TextContent.ShouldBe("Password");
        page.Find("#password").GetAttribute("type").ShouldBe("password");
        page.Find("#password").GetAttribute("autocomplete").ShouldBe("current-password");
        page.FindAll("[data-testid=login-error]").ShouldBeEmpty();
        page.Find("form").GetAttribute("method").ShouldBe("post");
    }

    [Fact]
    public void TheSignInFormSpeaksFrench()
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        try
        {
            var page = RenderSignIn();
            page.Find("h1").TextContent.ShouldBe("Se connecter");
            page.Find("label[for=email]").TextContent.ShouldBe("Courriel");
            page.Find("label[for=password]").TextContent.ShouldBe("Mot de passe");
        }
        finally { CultureInfo.CurrentUICulture = previous; }
    }
}
