"""Embedded vocabulary for addresses: postal codes, cities, streets, foreign places.

French addresses are weighted towards the Rhône and its neighbours (the venue's catchment
area), with a long tail of large French cities. No entry contains a comma or a double quote.
"""

from __future__ import annotations

import numpy as np

FOREIGN_SHARE = 0.06

# (postal code, city, weight)
FRENCH_PLACES: tuple[tuple[str, str, float], ...] = (
    ("69001", "Lyon", 4.0), ("69002", "Lyon", 4.0), ("69003", "Lyon", 6.0),
    ("69004", "Lyon", 3.5), ("69005", "Lyon", 3.5), ("69006", "Lyon", 5.0),
    ("69007", "Lyon", 6.0), ("69008", "Lyon", 4.5), ("69009", "Lyon", 4.0),
    ("69100", "Villeurbanne", 7.0), ("69200", "Vénissieux", 2.5), ("69300", "Caluire-et-Cuire", 2.5),
    ("69500", "Bron", 2.0), ("69120", "Vaulx-en-Velin", 1.5), ("69600", "Oullins", 1.5),
    ("69130", "Écully", 1.2), ("69160", "Tassin-la-Demi-Lune", 1.2),
    ("69400", "Villefranche-sur-Saône", 1.5), ("69140", "Rillieux-la-Pape", 1.0),
    ("69800", "Saint-Priest", 1.2), ("69110", "Sainte-Foy-lès-Lyon", 1.2),
    ("69230", "Saint-Genis-Laval", 1.0), ("69570", "Dardilly", 0.6), ("69340", "Francheville", 0.7),
    ("01000", "Bourg-en-Bresse", 1.5), ("01700", "Miribel", 0.8), ("01600", "Trévoux", 0.6),
    ("38000", "Grenoble", 2.0), ("38200", "Vienne", 1.2), ("38300", "Bourgoin-Jallieu", 1.0),
    ("42000", "Saint-Étienne", 2.0), ("42300", "Roanne", 0.7),
    ("75005", "Paris", 0.8), ("75011", "Paris", 1.0), ("75015", "Paris", 1.0),
    ("75018", "Paris", 0.8), ("92100", "Boulogne-Billancourt", 0.4), ("93100", "Montreuil", 0.4),
    ("13001", "Marseille", 0.6), ("33000", "Bordeaux", 0.4), ("31000", "Toulouse", 0.4),
    ("44000", "Nantes", 0.3), ("59000", "Lille", 0.3), ("67000", "Strasbourg", 0.3),
    ("06000", "Nice", 0.3), ("34000", "Montpellier", 0.4), ("35000", "Rennes", 0.3),
    ("21000", "Dijon", 0.5), ("63000", "Clermont-Ferrand", 0.6), ("73000", "Chambéry", 0.8),
    ("74000", "Annecy", 0.9), ("26000", "Valence", 0.8), ("71000", "Mâcon", 0.6),
    ("07000", "Privas", 0.2), ("03100", "Montluçon", 0.2),
)

# (country, postal code, city, language, weight)
FOREIGN_PLACES: tuple[tuple[str, str, str, str, float], ...] = (
    ("BE", "1000", "Bruxelles", "fr", 2.0),
    ("CH", "1201", "Genève", "fr", 2.5),
    ("CH", "1003", "Lausanne", "fr", 1.0),
    ("LU", "1111", "Luxembourg", "fr", 0.5),
    ("DE", "10115", "Berlin", "en", 1.0),
    ("GB", "SW1A 1AA", "London", "en", 1.2),
    ("ES", "28001", "Madrid", "en", 0.6),
    ("IT", "20121", "Milano", "en", 0.8),
    ("US", "10001", "New York", "en", 0.7),
    ("NL", "1012", "Amsterdam", "en", 0.4),
)

STREET_TYPES: tuple[str, ...] = (
    "rue", "avenue", "boulevard", "place", "impasse", "allée", "chemin", "quai", "cours",
    "montée",
)
STREET_TYPE_WEIGHTS: tuple[float, ...] = (55, 14, 8, 4, 4, 4, 4, 3, 2, 2)

STREET_NAMES: tuple[str, ...] = (
    "de la République", "Victor Hugo", "Jean Jaurès", "des Lilas", "du Général de Gaulle",
    "Pasteur", "de la Paix", "des Écoles", "du Moulin", "de la Gare", "Gambetta", "Voltaire",
    "Paul Bert", "de la Liberté", "des Tilleuls", "Anatole France", "Émile Zola", "Carnot",
    "Garibaldi", "de Saxe", "Mercière", "de la Croix-Rousse", "des Chartreux", "Sully",
    "Saint-Jean", "des Brotteaux", "Lafayette", "Vauban", "Duguesclin", "de Créqui",
    "Marietton", "Berthelot", "des Acacias", "du Lac", "de Verdun", "Charles de Gaulle",
    "Jules Ferry", "des Vignes", "du Château", "Saint-Exupéry",
)


def place_weights() -> np.ndarray:
    """Weights of every place: the French places first, then the foreign ones."""
    french = np.array([p[2] for p in FRENCH_PLACES])
    foreign = np.array([p[4] for p in FOREIGN_PLACES])
    return np.concatenate([french / french.sum() * (1 - FOREIGN_SHARE),
                           foreign / foreign.sum() * FOREIGN_SHARE])
