using MudBlazor;

namespace AgentWorkspace.Web.Components.Layout;

public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            // Every colour that carries text passes WCAG AA (4.5:1) against white and the page background
            // (AccessibilityJourneyTests): MudBlazor's teal, amber, blue and grey text fell just short.
            Primary = "#1F4E79",
            Secondary = "#00796B",
            AppbarBackground = "#1F4E79",
            Background = "#F4F6F9",
            Success = "#2E7D32",
            Error = "#C62828",
            Warning = "#9A5B00",
            Info = "#1565C0",
            TextSecondary = "rgba(0,0,0,0.62)",
        },
        // Dark: the colours are light, so the text on them is dark (white on light blue or teal fell to 2.5:1).
        PaletteDark = new PaletteDark
        {
            Primary = "#64A7E6",
            PrimaryContrastText = "#0B1A2A",
            Secondary = "#4DB6AC",
            SecondaryContrastText = "#00201D",
            AppbarBackground = "#16273A",
            Success = "#66BB6A",
            SuccessContrastText = "#0A1F0B",
            Error = "#FF8A80",
            ErrorContrastText = "#1A1A1A",
            Warning = "#FFA726",
            WarningContrastText = "#1A1A1A",
            Info = "#64B5F6",
            InfoContrastText = "#0B1A2A",
            TextSecondary = "rgba(255,255,255,0.70)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "232px" },
    };
}
