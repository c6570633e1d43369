"""The pictograms of the contact card's "Résumé": one per enabled indicator, coloured by its
level (a tone from grey to green), with the level's label and the value in words."""

from __future__ import annotations

from dataclasses import dataclass

from habitue.indicators.catalogue import INDICATOR_BY_CODE, ValueType
from habitue.web import i18n
from habitue.web.charts import tone
from habitue.web.i18n import N_, NP_

COUNT_PHRASES = {
    "assiduite": NP_("%(n)s performance this season", "%(n)s performances this season"),
    "filiere_vente": NP_("%(n)s order on this channel", "%(n)s orders on this channel"),
    "engagement_social": NP_("%(n)s order shared in 12 months",
                             "%(n)s orders shared in 12 months"),
    "influence_sociale": NP_("%(n)s visit from shared links", "%(n)s visits from shared links"),
}
VALUE_PHRASES = {
    "recence": N_("latest performance: %(d)s"),
    "anciennete": N_("first order: %(d)s"),
    "pmg": N_("%(m)s spent last season"),
    "pmg_n": N_("%(m)s spent this season"),
}


@dataclass(frozen=True)
class Pictogram:
    code: str
    name: str
    level: int
    label: str
    tone: int
    value: object
    display_value: str


def display_value(code: str, value: object, lang: str, currency: str = "EUR") -> str:
    ind = INDICATOR_BY_CODE[code]
    if value is None or ind.value_type is ValueType.BOOLEAN:
        return ""
    if code in COUNT_PHRASES:
        n = int(value)
        return i18n.translate_plural(lang, COUNT_PHRASES[code], n) % {
            "n": i18n.format_number(n, lang)}
    phrase = VALUE_PHRASES.get(code)
    if phrase is None:
        return str(value)
    text = i18n.translate(lang, phrase)
    if ind.value_type is ValueType.DATE:
        return text % {"d": i18n.format_date(value, lang)}
    return text % {"m": i18n.format_money(value, lang, currency)}


def pictograms(rows, lang: str, currency: str = "EUR") -> list[Pictogram]:
    """From the contact's ``IndicatorRow`` of one organisation, in the catalogue's order."""
    out = []
    for r in rows:
        ind = INDICATOR_BY_CODE[r.indicator]
        out.append(Pictogram(r.indicator, ind.name(lang), r.level, r.label(lang),
                             tone(r.indicator, r.level), r.value,
                             display_value(r.indicator, r.value, lang, currency)))
    return out
