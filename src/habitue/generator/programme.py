"""Embedded vocabulary for the artistic programme: venue names, titles, rooms, campaigns.

No entry contains a comma or a double quote (the CSV writer never quotes).
"""

from __future__ import annotations

ORGANISATION_NAMES: tuple[str, ...] = (
    "Théâtre des Célestins", "Opéra de la Saône", "Maison de la Danse du Rhône",
    "Auditorium des Lumières", "Théâtre de la Croix-Rousse", "Festival des Nuits de Fourvière",
    "Scène nationale du Confluent", "Théâtre du Point du Jour", "Salle Molière",
    "Le Radiant", "Espace Malraux", "Théâtre de Villefranche",
)

GENRES: tuple[str, ...] = ("theatre", "opera", "dance", "concert", "circus", "jazz")
GENRE_WEIGHTS: tuple[float, ...] = (0.36, 0.09, 0.13, 0.2, 0.08, 0.14)
# base full price in euros, per genre
GENRE_PRICES: tuple[float, ...] = (26.0, 58.0, 32.0, 34.0, 22.0, 24.0)

AUDIENCES: tuple[str, ...] = ("ALL", "ADULT", "CHILD", "YOUTH", "SENIOR")
AUDIENCE_WEIGHTS: tuple[float, ...] = (0.7, 0.07, 0.13, 0.06, 0.04)
AUDIENCE_ALL, AUDIENCE_ADULT, AUDIENCE_CHILD, AUDIENCE_YOUTH, AUDIENCE_SENIOR = range(5)

TITLES_BY_GENRE: tuple[tuple[str, ...], ...] = (
    (  # theatre
        "Le Misanthrope", "Cyrano de Bergerac", "Les Fourberies de Scapin", "Phèdre",
        "La Cerisaie", "En attendant Godot", "Le Jeu de l'amour et du hasard", "Britannicus",
        "On ne badine pas avec l'amour", "Hamlet", "La Mouette", "Le Malade imaginaire",
        "Les Bonnes", "Huis clos", "Rhinocéros", "Le Songe d'une nuit d'été", "Tartuffe",
        "Oncle Vania", "L'Avare", "Bérénice", "La Dispute", "Les Trois Sœurs", "Antigone",
        "Le Cid", "Dom Juan", "Ruy Blas", "Lorenzaccio", "Le Mariage de Figaro",
    ),
    (  # opera
        "La Traviata", "Carmen", "Don Giovanni", "La Flûte enchantée", "Tosca",
        "Les Contes d'Hoffmann", "Pelléas et Mélisande", "Madama Butterfly", "Rigoletto",
        "Les Noces de Figaro", "La Bohème", "Werther", "Lakmé", "Le Barbier de Séville",
        "Didon et Énée", "Cosi fan tutte",
    ),
    (  # dance
        "Le Lac des cygnes", "Giselle", "Boléro", "Le Sacre du printemps", "Roméo et Juliette",
        "Casse-Noisette", "Rain", "Café Müller", "Blanche-Neige", "Les Noces", "Gravité",
        "Hip-hop Connexion", "Flamenco Nuevo", "Tango Argentino",
    ),
    (  # concert
        "Symphonie fantastique", "Requiem de Mozart", "Les Quatre Saisons",
        "Symphonie du Nouveau Monde", "Concerto pour piano n° 2", "Carmina Burana",
        "La Mer", "Le Messie", "Stabat Mater", "Nuit Beethoven", "Soirée Ravel",
        "Chœurs d'opéra", "Musiques de films", "Récital de piano", "Quatuor à cordes",
        "Orchestre national en tournée", "Chansons françaises", "Tournée rock acoustique",
    ),
    (  # circus
        "Cirque Plume", "Les 7 doigts", "Acrobates du Sud", "Funambules", "Piste aux étoiles",
        "Cirque Éloize", "Jongleries", "Vertiges",
    ),
    (  # jazz
        "Jazz à Saint-Germain", "Trio Nocturne", "Big Band de Lyon", "Quartet Manouche",
        "Nuit du Blues", "Swing Connection", "Soul Sisters", "Électro Jazz Session",
        "Hommage à Django", "Latin Jazz Club",
    ),
)

CHILD_TITLES: tuple[str, ...] = (
    "Le Petit Prince", "Pierre et le Loup", "Le Petit Chaperon rouge", "Alice au pays des merveilles",
    "Les Trois Petits Cochons", "Pinocchio", "Le Carnaval des animaux", "Peter Pan",
    "La Petite Sirène", "Le Magicien d'Oz", "Boucle d'or", "Les Musiciens de Brême",
)

COMPANIES: tuple[str, ...] = (
    "Cie du Lierre", "Cie La Ronde", "Théâtre du Soleil Levant", "Cie Les Passants",
    "Ensemble Intercontemporain", "Orchestre des Pays de Savoie", "Cie Käfig", "Ballet du Nord",
    "Les Arts Florissants", "Cie Maguy", "Collectif Mensuel", "Cie des Lumas",
)

# (room name, base capacity, genre preference as an index into GENRES or -1)
ROOMS: tuple[tuple[str, int], ...] = (
    ("Grande salle", 950),
    ("Salle Jouvet", 420),
    ("Studio", 140),
    ("Chapiteau", 1100),
    ("Club", 260),
)
# for each genre, the probability of each room (same order as ROOMS)
ROOM_BY_GENRE: tuple[tuple[float, ...], ...] = (
    (0.35, 0.45, 0.2, 0.0, 0.0),   # theatre
    (1.0, 0.0, 0.0, 0.0, 0.0),     # opera
    (0.6, 0.35, 0.05, 0.0, 0.0),   # dance
    (0.7, 0.25, 0.0, 0.0, 0.05),   # concert
    (0.0, 0.0, 0.0, 1.0, 0.0),     # circus
    (0.1, 0.2, 0.0, 0.0, 0.7),     # jazz
)
VISIT_ROOM: tuple[str, int] = ("Parcours patrimoine", 25)

EVENING_TIMES_MIN: tuple[int, ...] = (20 * 60, 20 * 60 + 30, 19 * 60, 19 * 60 + 30, 15 * 60)
EVENING_TIME_WEIGHTS: tuple[float, ...] = (0.48, 0.22, 0.12, 0.08, 0.10)
CHILD_TIMES_MIN: tuple[int, ...] = (10 * 60, 14 * 60 + 30, 15 * 60, 16 * 60)
CHILD_TIME_WEIGHTS: tuple[float, ...] = (0.3, 0.3, 0.25, 0.15)

SUBSCRIPTIONS: tuple[tuple[str, int, float, int], ...] = (
    # (name, card fee in cents, ticket price factor, audience)
    ("Abonnement Liberté", 1500, 0.8, 0),
    ("Abonnement Jeune moins de 28 ans", 500, 0.5, 3),
    ("Abonnement Intégral", 18000, 0.0, 0),
)
SEASONAL_MEMBERSHIP: tuple[str, int] = ("Adhésion Amis du théâtre", 3000)
DATED_MEMBERSHIP: tuple[str, int] = ("Carte Amis 12 mois", 3500)
OTHER_PRODUCTS: tuple[tuple[str, int], ...] = (
    ("Programme de salle", 500),
    ("Parking soirée", 800),
    ("Vestiaire", 100),
)
VISIT_PRODUCT: tuple[str, int] = ("Visite guidée du théâtre", 900)
COMPETITION_PRODUCT: tuple[str, int] = ("Concours de jeunes talents", 1200)
COMPETITION_ROUNDS: tuple[str, ...] = ("demi-finale", "finale")

FRENCH_MONTHS: tuple[str, ...] = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)

ORIGINS: tuple[str, ...] = (
    "newsletter", "utm_source=newsletter", "utm_source=facebook", "utm_source=instagram",
    "utm_source=google", "affichage-metro", "partenaire-fnac", "bouche-a-oreille",
    "utm_campaign=ouverture-saison", "utm_campaign=relance-abonnes", "radio-nova", "flyer",
)
ORIGIN_WEIGHTS: tuple[float, ...] = (16, 14, 12, 9, 14, 4, 5, 3, 8, 6, 3, 6)

NETWORKS: tuple[str, ...] = ("facebook", "instagram", "x", "whatsapp", "linkedin", "bluesky")
NETWORK_WEIGHTS: tuple[float, ...] = (0.38, 0.27, 0.1, 0.17, 0.05, 0.03)
