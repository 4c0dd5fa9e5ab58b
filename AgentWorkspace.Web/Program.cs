using AgentWorkspace.Web.Hosting;

return await AgentWorkspaceApp.RunAsync(args);
