"""Embedded vocabulary for people and structures: names, e-mail domains, structure names.

Every entry is plain text without commas, double quotes or line breaks, so that the CSV writer
never needs to quote a value. Each name list has a parallel ASCII *slug* list used to build
e-mail addresses.
"""

from __future__ import annotations

import unicodedata

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine", "Monique",
    "Sophie", "Valérie", "Sandrine", "Céline", "Julie", "Aurélie", "Camille", "Léa", "Chloé",
    "Emma", "Manon", "Inès", "Claire", "Anne", "Hélène", "Élise", "Agnès", "Brigitte",
    "Laurence", "Pauline", "Mathilde", "Juliette", "Zoé", "Louise", "Alice", "Jeanne", "Margaux",
    "Noémie", "Amélie", "Véronique", "Martine", "Danielle", "Anne-Sophie", "Marie-Claire",
    "Yasmina", "Fatima", "Nadia",
)

MALE_FIRST_NAMES: tuple[str, ...] = (
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "François", "Christophe",
    "Patrick", "Daniel", "Laurent", "Frédéric", "Éric", "Stéphane", "David", "Julien", "Sébastien",
    "Thomas", "Maxime", "Antoine", "Hugo", "Lucas", "Louis", "Gabriel", "Arthur", "Raphaël",
    "Jules", "Paul", "Bernard", "Gérard", "Olivier", "Vincent", "Benoît", "Guillaume", "Mathieu",
    "Jean-Pierre", "Jean-Luc", "Théo", "Nathan", "Karim", "Mehdi", "Yannick", "Rémi", "Cédric",
    "Noël",
)

LAST_NAMES: tuple[str, ...] = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal",
    "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix",
    "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland",
    "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger",
    "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez",
    "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry",
    "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin",
    "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien",
    "Prévost", "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson",
    "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré",
    "Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud",
    "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier",
    "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître", "Benard", "Maréchal", "Humbert",
    "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune",
    "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Ben Ali", "Nguyen",
    "Haddad", "Diallo", "Benali", "Traoré",
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "orange.fr", "free.fr", "hotmail.fr", "yahoo.fr", "laposte.net", "sfr.fr",
    "outlook.fr", "wanadoo.fr", "icloud.com", "hotmail.com", "bbox.fr", "neuf.fr", "proton.me",
)
EMAIL_DOMAIN_WEIGHTS: tuple[float, ...] = (
    30, 18, 10, 9, 7, 6, 4, 4, 4, 3, 2, 1.5, 1, 0.5,
)

STRUCTURE_TYPES: tuple[str, ...] = ("school", "company", "association", "works_council")
STRUCTURE_TYPE_WEIGHTS: tuple[float, ...] = (0.42, 0.25, 0.21, 0.12)

SCHOOL_KINDS: tuple[str, ...] = (
    "École élémentaire", "École maternelle", "Collège", "Lycée", "Lycée professionnel",
    "Groupe scolaire",
)
NOTABLE_PEOPLE: tuple[str, ...] = (
    "Jean Moulin", "Victor Hugo", "Jules Ferry", "Marie Curie", "Louise Michel", "Jean Jaurès",
    "Simone Veil", "Albert Camus", "Jacques Prévert", "Paul Éluard", "Antoine de Saint-Exupéry",
    "Colette", "George Sand", "Molière", "Jean de La Fontaine", "Condorcet", "Pasteur",
    "Lumière", "Ampère", "Germaine Tillion", "Olympe de Gouges", "Aimé Césaire", "Pablo Picasso",
    "Charles Perrault", "Hector Berlioz",
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "Conseil", "Industries", "Transports", "Assurances", "Ingénierie", "Distribution", "et Fils",
    "Immobilier", "Bâtiment", "Informatique", "Pharma", "Logistique",
)
ASSOCIATION_NAMES: tuple[str, ...] = (
    "Culture et Loisirs", "Les Amis du Spectacle", "Théâtre Amateur", "Seniors Actifs",
    "Jeunesse et Arts", "Familles Rurales", "Maison des Jeunes", "Université Inter-Âges",
    "Comité des Fêtes", "Accueil des Villes Françaises", "Chorale Populaire", "Ciné-Club",
    "Amicale Laïque", "Foyer Rural", "Club de l'Âge d'Or",
)
ASSOCIATION_SLUGS_DOMAIN: str = "asso.fr"
STRUCTURE_EMAIL_LOCALS: tuple[str, ...] = (
    "contact", "accueil", "billetterie", "culture", "secretariat", "direction",
)


def slugify(text: str) -> str:
    """ASCII, lower-case, letters and digits only (``Le Gall`` -> ``legall``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return "".join(ch for ch in ascii_text if ch.isalnum())


def slugs(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(slugify(word) for word in words)
