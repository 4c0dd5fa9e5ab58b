using System.Net;
using System.Net.Sockets;

namespace AgentWorkspace.Web.Media;

/// <summary>
/// Which addresses the server may fetch a customer's image from: public unicast addresses only. Private, loopback,
/// link-local (the cloud metadata service at 169.254.169.254), shared (CGNAT), documentation, multicast and reserved
/// ranges are refused, in IPv4 and IPv6, including IPv4 addresses carried inside IPv6 (mapped, NAT64, 6to4).
/// </summary>
public static class RemoteAddress
{
    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return allowLoopback;
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address, allowLoopback),
            _ => false,
        };
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                          // 0.0.0.0/8 "this network"
        || b[0] == 10                                      // 10.0.0.0/8 private
        || (b[0] == 100 && (b[1] & 0xC0) == 64)            // 100.64.0.0/10 shared (CGNAT)
        || b[0] == 127                                     // loopback
        || (b[0] == 169 && b[1] == 254)                    // link-local, cloud metadata
        || (b[0] == 172 && (b[1] & 0xF0) == 16)            // 172.16.0.0/12 private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)         // 192.0.0.0/24 protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2)         // TEST-NET-1
        || (b[0] == 192 && b[1] == 88 && b[2] == 99)       // 6to4 relay anycast
        || (b[0] == 192 && b[1] == 168)                    // 192.168.0.0/16 private
        || (b[0] == 198 && (b[1] & 0xFE) == 18)            // 198.18.0.0/15 benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)      // TEST-NET-2
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)       // TEST-NET-3
        || b[0] >= 224);                                   // multicast, reserved, broadcast

    private static bool IsPublicV6(IPAddress address, bool allowLoopback)
    {
        if (address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast)
            return false;
        var b = address.GetAddressBytes();
        // ::/96 (IPv4-compatible, deprecated) and ::/128.
        if (b.Take(12).All(x => x == 0)) return false;
        // 64:ff9b::/96 NAT64 and 64:ff9b:1::/48: the IPv4 address inside decides.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return IsAllowed(new IPAddress(b[12..16]), allowLoopback);
        // 2002::/16 6to4: the IPv4 address inside decides.
        if (b[0] == 0x20 && b[1] == 0x02) return IsAllowed(new IPAddress(b[2..6]), allowLoopback);
        // 2001::/32 Teredo tunnels, 2001:db8::/32 documentation, 100::/64 discard.
        if (b[0] == 0x20 && b[1] == 0x01 && ((b[2] == 0 && b[3] == 0) || (b[2] == 0x0d && b[3] == 0xb8))) return false;
        if (b[0] == 0x01 && b[1] == 0x00 && b.Skip(2).Take(6).All(x => x == 0)) return false;
        // Global unicast is 2000::/3.
        return (b[0] & 0xE0) == 0x20;
    }
}
