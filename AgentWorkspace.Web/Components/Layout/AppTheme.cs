using MudBlazor;

namespace AgentWorkspace.Web.Components.Layout;

public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1F4E79",
            Secondary = "#00897B",
            AppbarBackground = "#1F4E79",
            Background = "#F4F6F9",
            Success = "#2E7D32",
            Error = "#C62828",
            Warning = "#B26A00",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#64A7E6",
            Secondary = "#4DB6AC",
            AppbarBackground = "#16273A",
            Success = "#66BB6A",
            Error = "#EF5350",
            Warning = "#FFA726",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "232px" },
    };
}
