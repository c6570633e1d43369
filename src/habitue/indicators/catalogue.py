"""The twelve standard indicators as data (``spec/indicators.md``): codes, names, value types,
defaults, level tables with French and English labels, and refresh cadences."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ValueType(StrEnum):
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"
    DATE = "date"


class Cadence(StrEnum):
    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    SEASON = "season"


@dataclass(frozen=True)
class Level:
    level: int
    fr: str
    en: str

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    name_fr: str
    name_en: str
    value_type: ValueType
    default: object
    levels: tuple[Level, ...]
    cadences: tuple[Cadence, ...]

    def name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" else self.name_en

    def level(self, level: int) -> Level:
        for lv in self.levels:
            if lv.level == level:
                return lv
        raise KeyError(f"{self.code} has no level {level}")


_YES_NO = (Level(0, "Non", "No"), Level(1, "Oui", "Yes"))
_SPENDER = (Level(0, "Aucun", "None"), Level(1, "Petit", "Small"), Level(2, "Moyen", "Medium"),
            Level(3, "Grand", "Big"))
R, D, W, S = Cadence.REALTIME, Cadence.DAILY, Cadence.WEEKLY, Cadence.SEASON

INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("assiduite", "Assiduité", "Attendance", ValueType.INTEGER, 0,
                 (Level(0, "Inactif", "Inactive"), Level(1, "Occasionnel", "Occasional"),
                  Level(2, "Régulier", "Regular"), Level(3, "Assidu", "Loyal")), (R, S)),
    IndicatorDef("produit_enfant", "Produit Enfant", "Child product", ValueType.BOOLEAN, False,
                 _YES_NO, (R, S)),
    IndicatorDef("adherent", "Adhérent", "Member", ValueType.BOOLEAN, False, _YES_NO, (D, R)),
    IndicatorDef("pmg", "PMG", "Spender (previous season)", ValueType.DECIMAL, 0, _SPENDER, (S,)),
    IndicatorDef("pmg_n", "PMG - N", "Spender (current season)", ValueType.DECIMAL, 0, _SPENDER,
                 (W,)),
    IndicatorDef("recence", "Récence", "Recency", ValueType.DATE, None,
                 (Level(0, "Aucune commande", "No order"),
                  Level(1, "Il y a plus de 3 ans", "Over 3 years ago"),
                  Level(2, "Entre 1 et 3 ans", "1 to 3 years ago"),
                  Level(3, "Il y a moins d'une année", "Within the last year"),
                  Level(4, "Futur", "Today or future")), (D, R)),
    IndicatorDef("filiere_vente", "Filière de vente", "Sales channel", ValueType.INTEGER, None,
                 (Level(0, "Aucune", "None"), Level(1, "Autres", "Other"),
                  Level(2, "Internet", "Internet"), Level(3, "B2B", "B2B")), (D,)),
    IndicatorDef("abonne", "Abonné", "Subscriber", ValueType.BOOLEAN, False, _YES_NO, (R, S)),
    IndicatorDef("anciennete", "Ancienneté", "Seniority", ValueType.DATE, None,
                 (Level(0, "Aucune commande", "No order"), Level(1, "Nouveau", "New"),
                  Level(2, "Récent", "Recent"), Level(3, "Ancien", "Long-standing")), (D, R)),
    IndicatorDef("jeune", "Jeune", "Young", ValueType.BOOLEAN, None, _YES_NO, (D, R)),
    IndicatorDef("engagement_social", "Engagement social", "Social engagement",
                 ValueType.INTEGER, 0,
                 (Level(0, "Inactif", "Inactive"), Level(1, "Occasionnel", "Occasional"),
                  Level(2, "Engagé", "Engaged"), Level(3, "Ambassadeur", "Ambassador")), (D,)),
    IndicatorDef("influence_sociale", "Influence sociale", "Social influence", ValueType.INTEGER,
                 0,
                 (Level(0, "Inactif", "Inactive"),
                  Level(1, "Influenceur basique", "Basic influencer"),
                  Level(2, "Influenceur", "Influencer"),
                  Level(3, "Influenceur clé", "Key influencer")), (D,)),
)
INDICATOR_BY_CODE: dict[str, IndicatorDef] = {i.code: i for i in INDICATORS}
