using System.Globalization;
using System.Text;
using AgentWorkspace.Core.Domain.Channels;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>
/// Classifies a message as positive, neutral or negative when the channel did not say. An
/// interface so that a better analyzer (a model, a cloud service) can replace the built-in one in
/// DI; ingest calls it before its transaction opens, so a slow analyzer never holds a lock.
/// </summary>
public interface ISentimentAnalyzer
{
    ValueTask<Sentiment> AnalyzeAsync(string? text, CancellationToken ct = default);
}

/// <summary>
/// The built-in analyzer: a French and English word list with negation ("pas content", "not happy",
/// "n'est plus", "don't like"), intensifiers ("très", "really"), a contrast rule ("…, mais"/"but"
/// weighs what follows more), accents folded away ("déçu" = "decu"), emoji and emoticons.
/// </summary>
public sealed class LexiconSentimentAnalyzer : ISentimentAnalyzer
{
    private const double Threshold = 0.5;
    private const int NegationScope = 3;

    public ValueTask<Sentiment> AnalyzeAsync(string? text, CancellationToken ct = default) => ValueTask.FromResult(Classify(text));

    public static Sentiment Classify(string? text)
    {
        var score = Score(text);
        return score >= Threshold ? Sentiment.Positive : score <= -Threshold ? Sentiment.Negative : Sentiment.Neutral;
    }

    /// <summary>The raw score: the sum of word, phrase and emoji weights after negation and intensifiers.</summary>
    public static double Score(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        // Long messages: the first few thousand characters carry the tone, and the cost stays bounded.
        if (text.Length > 8000) text = text[..8000];

        var score = EmojiScore(text);
        var tokens = Tokenize(text);
        var negatedUntil = -1;
        var intensity = 1.0;
        var sentence = 0.0;
        // The last sentiment word, for French negation after the verb ("j'aime pas", "ça marche plus").
        var lastWord = (Index: -9, Weight: 0.0, Negated: false);

        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token == Boundary)
            {
                score += sentence;
                sentence = 0;
                negatedUntil = -1;
                intensity = 1.0;
                continue;
            }
            if (Contrast.Contains(token))
            {
                // "Le produit est bien mais la livraison est nulle": what follows "mais" is what the contact means.
                sentence *= 0.5;
                negatedUntil = -1;
                continue;
            }
            if (TryPhrase(tokens, i, out var phraseWeight, out var length))
            {
                sentence += phraseWeight * intensity;
                intensity = 1.0;
                i += length - 1;
                continue;
            }
            if (IsNegator(tokens, i))
            {
                if (token is "pas" or "plus" or "jamais" && lastWord.Index == i - 1 && !lastWord.Negated)
                {
                    sentence -= lastWord.Weight;
                    sentence += lastWord.Weight > 0 ? -lastWord.Weight : -lastWord.Weight * 0.5;
                    lastWord = (i, 0, true);
                    continue;
                }
                negatedUntil = i + NegationScope;
                continue;
            }
            if (Intensifiers.Contains(token))
            {
                intensity = 1.5;
                continue;
            }
            if (!TryWord(token, out var weight)) continue;
            weight *= intensity;
            intensity = 1.0;
            var negated = i <= negatedUntil;
            if (negated)
            {
                // "pas content" is as negative as "content" is positive; "pas mal" is only mildly positive.
                weight = weight > 0 ? -weight : -weight * 0.5;
                negatedUntil = -1;
            }
            sentence += weight;
            lastWord = (i, weight, negated);
        }
        return score + sentence;
    }

    private const string Boundary = "\u0001";

    /// <summary>Folded words (lower case, no accents); sentence punctuation becomes a boundary that ends negation.</summary>
    internal static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0) { tokens.Add(word.ToString()); word.Clear(); }
        }
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(c)) { word.Append(char.ToLowerInvariant(c)); continue; }
            Flush();
            if (c is '.' or '!' or '?' or ';' or '\n' or '…' && (tokens.Count == 0 || tokens[^1] != Boundary)) tokens.Add(Boundary);
        }
        Flush();
        return tokens;
    }

    private static bool IsNegator(List<string> tokens, int i)
    {
        var t = tokens[i];
        if (Negators.Contains(t)) return true;
        // English contractions fold to "don t", "isn t", "can t".
        if (t == "t" && i > 0 && (tokens[i - 1].EndsWith('n') || tokens[i - 1] == "won")) return true;
        // French "ne … plus" / "n'est plus" (no longer) but not "plus content" (happier).
        if (t == "plus" && (i > 0 && tokens[i - 1] is "n" or "ne" || i > 1 && tokens[i - 2] is "n" or "ne" || i > 0 && Lexicon.ContainsKey(tokens[i - 1]))) return true;
        return false;
    }

    private static bool TryWord(string token, out double weight)
    {
        if (Lexicon.TryGetValue(token, out weight)) return true;
        // French agreement and English plurals: "contente", "contents", "decues", "problems".
        foreach (var suffix in Suffixes)
        {
            if (token.Length > suffix.Length + 2 && token.EndsWith(suffix, StringComparison.Ordinal) &&
                Lexicon.TryGetValue(token[..^suffix.Length], out weight))
                return true;
        }
        weight = 0;
        return false;
    }

    private static readonly string[] Suffixes = ["es", "s", "e", "x", "ment"];

    private static bool TryPhrase(List<string> tokens, int i, out double weight, out int length)
    {
        foreach (var (words, w) in Phrases)
        {
            if (i + words.Length > tokens.Count) continue;
            var match = true;
            for (var k = 0; k < words.Length && match; k++) match = tokens[i + k] == words[k];
            if (match) { weight = w; length = words.Length; return true; }
        }
        weight = 0;
        length = 0;
        return false;
    }

    private static double EmojiScore(string text)
    {
        var score = 0.0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (PositiveEmoji.Contains(rune.Value)) score += 1.5;
            else if (NegativeEmoji.Contains(rune.Value)) score -= 1.5;
        }
        foreach (var (emoticon, w) in Emoticons)
        {
            var at = 0;
            while ((at = text.IndexOf(emoticon, at, StringComparison.Ordinal)) >= 0) { score += w; at += emoticon.Length; }
        }
        return score;
    }

    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal)
    {
        // French
        "ne", "n", "pas", "jamais", "aucun", "aucune", "rien", "sans", "ni", "guere",
        // English
        "not", "no", "never", "without", "nor", "nothing", "hardly", "cannot", "dont", "doesnt", "didnt", "isnt", "wasnt",
        "arent", "werent", "cant", "couldnt", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt", "wont", "nobody", "neither",
    };

    private static readonly HashSet<string> Intensifiers = new(StringComparer.Ordinal)
    {
        "tres", "vraiment", "tellement", "extremement", "trop", "absolument", "completement", "totalement", "hyper", "si",
        "very", "really", "so", "extremely", "totally", "absolutely", "completely", "super", "incredibly", "truly",
    };

    private static readonly HashSet<string> Contrast = new(StringComparer.Ordinal)
    {
        "mais", "cependant", "pourtant", "toutefois", "but", "however", "although", "though",
    };

    /// <summary>Idioms whose meaning is not the sum of their words.</summary>
    private static readonly (string[] Words, double Weight)[] Phrases =
    [
        (["pas", "terrible"], -1), (["pas", "top"], -1), (["pas", "de", "souci"], 0.5), (["pas", "de", "probleme"], 0.5),
        (["sans", "souci"], 0.5), (["non", "merci"], 0), (["no", "thanks"], 0), (["no", "thank", "you"], 0),
        (["no", "problem"], 0.5), (["no", "worries"], 0.5), (["toujours", "pas"], -1.5), (["still", "not"], -1.5),
        (["still", "no"], -1), (["still", "waiting"], -1), (["toujours", "en", "attente"], -1), (["j", "attends", "toujours"], -1),
        (["a", "la", "hauteur"], 1), (["au", "top"], 1.5), (["rien", "a", "redire"], 1.5), (["well", "done"], 1.5),
        (["thumbs", "up"], 1), (["fed", "up"], -1.5), (["en", "a", "marre"], -1.5), (["ras", "le", "bol"], -1.5),
        (["service", "client", "inexistant"], -1.5), (["rip", "off"], -1.5),
        (["doesn", "t", "work"], -1.5), (["does", "not", "work"], -1.5), (["didn", "t", "work"], -1.5), (["don", "t", "work"], -1.5),
        (["not", "working"], -1.5), (["stopped", "working"], -1.5), (["ne", "marche", "pas"], -1.5), (["ne", "marche", "plus"], -1.5),
        (["marche", "pas"], -1.5), (["marche", "plus"], -1.5), (["n", "a", "jamais", "marche"], -1.5),
    ];

    private static readonly Dictionary<string, double> Lexicon = BuildLexicon();

    private static Dictionary<string, double> BuildLexicon()
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(double w, string words)
        {
            foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries)) d[word] = w;
        }
        // French, folded (no accents).
        Add(1, "content satisfait heureux ravi merci bien bon bonne super genial excellent parfait formidable efficace rapide " +
               "agreable aimable sympa sympathique top impeccable recommande recommander apprecie adore aime merveilleux " +
               "fantastique bravo felicitations competent serviable professionnel reactif clair resolu regle fonctionne " +
               "facile pratique joli beau belle magnifique enchante satisfaite heureuse ravie remercie remerciements");
        Add(0.5, "recu arrive livre correct ok okay");
        Add(-1, "probleme souci retard lent panne bug erreur malheureusement mecontent decu decevant deception " +
               "mauvais mauvaise triste dommage plainte reclamation casse defectueux abime manquant perdu annule inutile " +
               "complique difficile incomprehensible enerve agace frustrant frustre impossible mal bloque incorrect");
        Add(-1.5, "nul nulle horrible catastrophe catastrophique lamentable scandaleux scandale inadmissible inacceptable " +
               "honte honteux arnaque escroquerie escroc voleur pire furieux colere degoute insupportable desastre " +
               "pitoyable minable incompetent incompetents menteur mensonge odieux");
        Add(-0.5, "terrible");
        // English.
        Add(1, "good great excellent amazing awesome love loved lovely perfect happy glad pleased satisfied thanks thank " +
               "helpful fast quick nice wonderful fantastic brilliant recommend best appreciate appreciated resolved works " +
               "working easy smooth friendly kind polite professional efficient impressed superb outstanding delighted " +
               "enjoy enjoyed fixed cool");
        Add(0.5, "like liked");
        Add(0.5, "received arrived fine ok okay");
        Add(-1, "bad poor slow late delay delayed problem issue complaint wrong fail failed failure crash bug broken " +
               "unhappy upset disappointed disappointing sad annoyed annoying frustrated frustrating confusing expensive " +
               "missing lost damaged defective error useless difficult unfortunately");
        Add(-1.5, "terrible awful horrible worst hate hated angry furious unacceptable ridiculous rude scam fraud disgusting " +
               "pathetic waste disgrace shameful outrageous incompetent liar lied nightmare appalling");
        return d;
    }

    private static readonly HashSet<int> PositiveEmoji =
    [
        0x1F600, 0x1F603, 0x1F604, 0x1F601, 0x1F606, 0x1F60A, 0x1F642, 0x1F60D, 0x1F970, 0x1F618, 0x1F44D, 0x1F44F, 0x1F389,
        0x2764, 0x2665, 0x1F496, 0x1F497, 0x1F499, 0x1F49A, 0x1F49C, 0x1F4AF, 0x1F64F, 0x1F607, 0x1F929, 0x1F63B, 0x2728,
        0x1F44C, 0x1F60E, 0x1F973, 0x263A, 0x1F917, 0x1F31F, 0x2B50,
    ];

    private static readonly HashSet<int> NegativeEmoji =
    [
        0x1F620, 0x1F621, 0x1F92C, 0x1F624, 0x1F61E, 0x1F622, 0x1F62D, 0x1F629, 0x1F62B, 0x1F612, 0x1F641, 0x2639, 0x1F44E,
        0x1F494, 0x1F631, 0x1F92E, 0x1F616, 0x1F623, 0x1F613, 0x1F615, 0x1F61F, 0x1F625, 0x1F4A9, 0x1F926,
    ];

    private static readonly (string Text, double Weight)[] Emoticons =
    [
        (":-)", 1), (":)", 1), (":D", 1), (":-D", 1), (";)", 0.5), ("<3", 1), (":-(", -1), (":(", -1), (":'(", -1.5), 
    ];
}
