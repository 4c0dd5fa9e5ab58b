namespace AgentWorkspace.Web;

// Marker types for IStringLocalizer<T>: each names a resource file under Resources/ (Name.resx, Name.fr.resx).
// One file per area keeps features from editing the same resource file.

/// <summary>Shell, sign-in, landing page and strings used everywhere.</summary>
public sealed class SharedResource;
