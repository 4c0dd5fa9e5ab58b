namespace AgentWorkspace.Web.Store.Core;

public static class StoreServiceCollectionExtensions
{
    /// <summary>Registers one store per circuit and every feature state found in the web assembly.</summary>
    public static IServiceCollection AddAgentWorkspaceStore(this IServiceCollection services)
    {
        var catalog = StoreCatalog.Scan(typeof(Store).Assembly);
        services.AddSingleton(catalog);
        services.AddScoped<Store>();
        services.AddScoped<IDispatcher>(sp => sp.GetRequiredService<Store>());
        foreach (var featureType in catalog.FeatureTypes)
        {
            var stateType = featureType.BaseType!.GetGenericArguments()[0];
            var iState = typeof(IState<>).MakeGenericType(stateType);
            var getState = typeof(Store).GetMethod(nameof(Store.GetState))!.MakeGenericMethod(stateType);
            services.AddScoped(iState, sp => getState.Invoke(sp.GetRequiredService<Store>(), null)!);
        }
        return services;
    }
}
