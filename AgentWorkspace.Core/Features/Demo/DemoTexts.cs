using AgentWorkspace.Core.Domain.Channels;

namespace AgentWorkspace.Core.Features.Demo;

/// <summary>Message templates for realistic demo conversations, in French and English, with their sentiment.</summary>
internal static class DemoTexts
{
    public sealed record Line(string Text, Sentiment Sentiment);

    public static readonly Line[] InboundFr =
    [
        new("Bonjour, ma commande n°{n} n'est toujours pas arrivée alors qu'elle devait être livrée hier.", Sentiment.Negative),
        new("Bonjour, je souhaiterais modifier l'adresse de livraison de ma commande {n}.", Sentiment.Neutral),
        new("Merci beaucoup pour votre aide rapide, tout fonctionne parfaitement maintenant !", Sentiment.Positive),
        new("Je suis très déçu : c'est la troisième fois que j'appelle pour le même problème de facturation.", Sentiment.Negative),
        new("Pouvez-vous me confirmer les horaires d'ouverture de l'agence de {city} ?", Sentiment.Neutral),
        new("Super service, le technicien était ponctuel et très aimable. Bravo à l'équipe !", Sentiment.Positive),
        new("Mon abonnement a été prélevé deux fois ce mois-ci, merci de me rembourser.", Sentiment.Negative),
        new("Est-il possible de passer à l'offre Premium sans frais supplémentaires ?", Sentiment.Neutral),
        new("J'ai bien reçu le colis, merci. Le produit correspond parfaitement à la description.", Sentiment.Positive),
        new("L'application plante à chaque fois que j'essaie de me connecter, c'est inadmissible.", Sentiment.Negative),
        new("Bonjour, je voudrais résilier mon contrat au {date}. Quelles sont les démarches ?", Sentiment.Neutral),
        new("Votre conseillère a été formidable, je recommanderai votre entreprise.", Sentiment.Positive),
    ];

    public static readonly Line[] InboundEn =
    [
        new("Hi, my order #{n} still hasn't arrived and it was due yesterday.", Sentiment.Negative),
        new("Hello, could I change the delivery address for order {n}?", Sentiment.Neutral),
        new("Thanks a lot for the quick help, everything works perfectly now!", Sentiment.Positive),
        new("I'm really disappointed: this is the third time I'm contacting you about the same billing issue.", Sentiment.Negative),
        new("Can you confirm the opening hours of the {city} store?", Sentiment.Neutral),
        new("Great service, the engineer was on time and very friendly. Well done!", Sentiment.Positive),
        new("I was charged twice for my subscription this month, please refund me.", Sentiment.Negative),
        new("Is it possible to upgrade to the Premium plan at no extra cost?", Sentiment.Neutral),
        new("Got the parcel, thank you. The product is exactly as described.", Sentiment.Positive),
        new("The app crashes every time I try to log in, this is unacceptable.", Sentiment.Negative),
        new("Hello, I'd like to cancel my contract on {date}. What do I need to do?", Sentiment.Neutral),
        new("Your advisor was wonderful, I will recommend your company.", Sentiment.Positive),
    ];

    public static readonly string[] OutboundFr =
    [
        "Bonjour, merci pour votre message. Je regarde votre dossier tout de suite.",
        "Je suis désolé pour ce désagrément. Je viens de relancer le transporteur, vous recevrez un suivi sous 24 h.",
        "C'est noté, la modification a bien été prise en compte.",
        "Merci pour votre retour, nous transmettons vos compliments à l'équipe !",
        "Le remboursement a été initié, il apparaîtra sur votre compte sous 3 à 5 jours ouvrés.",
    ];

    public static readonly string[] OutboundEn =
    [
        "Hello, thanks for your message. I'm looking into your account right now.",
        "I'm sorry for the trouble. I've chased the carrier; you'll get tracking within 24 hours.",
        "Done, the change has been applied.",
        "Thank you for the feedback, we'll pass your compliments on to the team!",
        "The refund has been issued and will reach your account within 3 to 5 business days.",
    ];

    public static readonly string[] NotesFr =
    [
        "Client fidèle depuis 2015, préfère être contacté par SMS.",
        "A signalé un litige de facturation, geste commercial de 20 € accordé.",
        "Rappeler après 18 h, indisponible en journée.",
        "Intéressé par l'offre Premium, à relancer le mois prochain.",
    ];

    public static readonly string[] NotesEn =
    [
        "Loyal customer since 2015, prefers SMS.",
        "Raised a billing dispute, offered a 20 € goodwill credit.",
        "Call back after 6 pm, unavailable during the day.",
        "Interested in the Premium plan, follow up next month.",
    ];

    public static readonly string[] CaseTitlesFr = ["Livraison en retard", "Changement d'adresse", "Question de facturation", "Problème de connexion", "Résiliation", "Demande d'information", "Remerciements", "Réclamation"];
    public static readonly string[] CaseTitlesEn = ["Late delivery", "Address change", "Billing question", "Login problem", "Cancellation", "Information request", "Thanks", "Complaint"];
    public static readonly string[] CategoriesFr = ["Particulier", "Professionnel", "Association"];
    public static readonly string[] CategoriesEn = ["Consumer", "Business", "Non-profit"];
    public static readonly string[] RelationshipsFr = ["Client", "Prospect", "Partenaire", "Ancien client"];
    public static readonly string[] RelationshipsEn = ["Customer", "Prospect", "Partner", "Former customer"];
    public static readonly string[] Tags = ["vip", "fidèle", "b2b", "réclamation", "newsletter", "premium", "early-adopter"];
}
