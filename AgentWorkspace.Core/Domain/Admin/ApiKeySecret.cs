using System.Security.Cryptography;
using System.Text;

namespace AgentWorkspace.Core.Domain.Admin;

/// <summary>
/// API key format "aw_{prefix}_{secret}": the prefix finds the row, the SHA-256 of the whole key is
/// what is stored and compared (in fixed time). The key itself is shown once, at creation.
/// </summary>
public static class ApiKeySecret
{
    public static (string Key, string Prefix, string Hash) Generate()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(24));
        var key = $"aw_{prefix}_{secret}";
        return (key, prefix, Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(Digest(key));

    /// <summary>The SHA-256 of a key's UTF-8 bytes (<see cref="Hash"/> is its hexadecimal form).</summary>
    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool TryGetPrefix(string? key, out string prefix)
    {
        prefix = string.Empty;
        if (key is null || !key.StartsWith("aw_", StringComparison.Ordinal)) return false;
        var parts = key.Split('_', 3);
        if (parts.Length != 3 || parts[1].Length != 8) return false;
        prefix = parts[1];
        return true;
    }

    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
