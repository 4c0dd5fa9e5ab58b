using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace AgentWorkspace.Web.Media;

/// <summary>A contact's initials, shown when there is no photo: on the page, and as the picture the server sends when a photo cannot be fetched.</summary>
public static class AvatarInitials
{
    /// <summary>The first letter of the first two words that start with a letter, upper case; "?" when none.</summary>
    public static string Of(string? name)
    {
        var letters = (name ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => StringInfo.GetNextTextElementLength(p) is var n && n > 0 && char.IsLetter(p, 0) ? p[..n].ToUpperInvariant() : null)
            .OfType<string>().Take(2);
        var s = string.Concat(letters);
        return s.Length > 0 ? s : "?";
    }

    /// <summary>
    /// The initials as an SVG picture in the app's primary colour (served as image/svg+xml and shown through an img,
    /// where SVG runs no script; the text is escaped all the same).
    /// </summary>
    public static byte[] Svg(string? name) => Encoding.UTF8.GetBytes(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"80\" height=\"80\" viewBox=\"0 0 80 80\">" +
        "<circle cx=\"40\" cy=\"40\" r=\"40\" fill=\"#1F4E79\"/>" +
        "<text x=\"40\" y=\"40\" dy=\".35em\" text-anchor=\"middle\" font-family=\"Roboto, Helvetica, Arial, sans-serif\" font-size=\"32\" fill=\"#FFFFFF\">" +
        SecurityElement.Escape(Of(name)) + "</text></svg>");

    /// <summary>
    /// The path a page shows a card's photo from: this server, never the customer's address. The query changes with the
    /// address, so that the browser's copy is not used once the card has another photo.
    /// </summary>
    public static string PathFor(long cardId, string avatarUrl) =>
        $"/media/avatars/{cardId.ToString(CultureInfo.InvariantCulture)}?v={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(avatarUrl)))[..12]}";
}
