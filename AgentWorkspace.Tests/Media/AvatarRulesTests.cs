using System.Net;
using AgentWorkspace.Web.Media;

namespace AgentWorkspace.Tests.Media;

/// <summary>The rules the avatar fetch applies before and after connecting: which addresses, which bytes.</summary>
public class AvatarRulesTests
{
    [Theory]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("100.128.0.1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.1.2.3", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:93.184.216.34", true)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    [InlineData("2002:0a00:0001::1", false)]
    [InlineData("2001:db8::1", false)]
    public void OnlyPublicAddressesAreFetched(string address, bool allowed) =>
        RemoteAddress.IsAllowed(IPAddress.Parse(address), allowLoopback: false).ShouldBe(allowed, address);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void LoopbackOnlyWhenAllowed_AndNothingElsePrivateWithIt(string address)
    {
        RemoteAddress.IsAllowed(IPAddress.Parse(address), allowLoopback: true).ShouldBeTrue();
        RemoteAddress.IsAllowed(IPAddress.Parse("10.0.0.1"), allowLoopback: true).ShouldBeFalse();
        RemoteAddress.IsAllowed(IPAddress.Parse("169.254.169.254"), allowLoopback: true).ShouldBeFalse();
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0 }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0 }, "image/jpeg")]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 1, 0 }, "image/gif")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, "image/webp")]
    [InlineData(new byte[] { (byte)'<', (byte)'s', (byte)'v', (byte)'g', (byte)'>' }, null)]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 0, 0, 0, (byte)'W', (byte)'A', (byte)'V', (byte)'E' }, null)]
    [InlineData(new byte[] { 0x89, 0x50 }, null)]
    public void TheFirstBytesSayWhatTheImageIs(byte[] bytes, string? type) => AvatarFetcher.Sniff(bytes).ShouldBe(type);

    [Theory]
    [InlineData("Zoé Martin", "ZM")]
    [InlineData("élodie roux", "ÉR")]
    [InlineData("+33612345678", "?")]
    [InlineData("Jean-Pierre de la Fontaine", "JD")]
    [InlineData("", "?")]
    [InlineData("<b> Anna", "A")]
    public void TheInitialsAreTheFirstLettersOfTheFirstTwoWords(string name, string initials) => AvatarInitials.Of(name).ShouldBe(initials);
}
