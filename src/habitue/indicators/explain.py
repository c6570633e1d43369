"""Sentences explaining an indicator's value and level, in French and English (pure)."""

from __future__ import annotations

from decimal import Decimal

from habitue.indicators.catalogue import INDICATOR_BY_CODE

POPULATIONS = {"collectivite": ("collectivités", "organisations"),
               "abonne": ("abonnés", "subscribers"), "autre": ("autres", "others")}

COUNTED = {
    "assiduite": ("{n} séance(s) distincte(s) de la saison {season} dont le contact détient un "
                  "billet payé ou réservé :",
                  "{n} distinct performance(s) of season {season} for which the contact holds "
                  "a paid or reserved ticket:"),
    "produit_enfant": ("{n} ligne(s) « Enfant » de la saison {season} achetée(s) par le contact "
                       "(quel que soit leur statut) :",
                       "{n} CHILD line(s) of season {season} bought by the contact (whatever "
                       "their status):"),
    "adherent": ("{n} adhésion(s) payée(s) ou réservée(s) ; valable(s) le {as_of} si saison "
                 "{season} ou période de validité en cours :",
                 "{n} paid or reserved membership(s); valid on {as_of} when of season {season} "
                 "or within their validity period:"),
    "pmg": ("{total} € payés sur {n} ligne(s) de la saison précédente {previous} commandées par "
            "le contact :",
            "{total} paid on {n} line(s) of the previous season {previous} ordered by the "
            "contact:"),
    "pmg_n": ("{total} € payés sur {n} ligne(s) de la saison {season} commandées par le "
              "contact :",
              "{total} paid on {n} line(s) of season {season} ordered by the contact:"),
    "recence": ("dernière séance (événement ou compétition) du contact, passée ou à venir :",
                "the contact's latest performance (event or competition), past or future:"),
    "filiere_vente": ("commandes du contact avec au moins une ligne payée ou réservée, depuis "
                      "le {months_36} (12 mois : depuis le {months_12}) :",
                      "the contact's orders holding a paid or reserved line, since {months_36} "
                      "(12 months: since {months_12}):"),
    "abonne": ("{n} abonnement(s) de la saison {season} payé(s) ou réservé(s) :",
               "{n} paid or reserved subscription(s) of season {season}:"),
    "anciennete": ("première commande où le contact est acheteur, payeur ou bénéficiaire :",
                   "the first order where the contact is buyer, payer or beneficiary:"),
    "jeune": ("né(e) le ou après le {young_from} pour être « jeune » ; date de naissance :",
              "born on or after {young_from} to be young; birth date:"),
    "engagement_social": ("partages depuis le {months_12} (commandes distinctes partagées) :",
                          "shares since {months_12} (distinct orders shared):"),
    "influence_sociale": ("visites générées jusqu'au {as_of} par les liens partagés depuis le "
                          "{months_12} :",
                          "visits up to {as_of} from the links shared since {months_12}:"),
}


def _fmt(v: object) -> str:
    if isinstance(v, Decimal):
        return f"{v:,.2f}"
    return "" if v is None else str(v)


def band_sentence(expl, lang: str) -> str | None:
    t = expl.thresholds
    if not t or expl.level == 0:
        return None
    fr = lang == "fr"
    label = INDICATOR_BY_CODE[expl.indicator].level(expl.level).label(lang)
    who = (POPULATIONS.get(expl.population, (expl.population, expl.population))[0 if fr else 1]
           if expl.population else ("contacts classés" if fr else "ranked contacts"))
    ranked = f"{t['ranked']:,}".replace(",", "\u202f" if fr else ",")
    if expl.level == 1:
        rule = (f"jusqu'à {t['level_1_max']}" if fr else f"up to {t['level_1_max']}")
    elif expl.level == 2:
        rule = (f"au-dessus de {t['level_1_max']}, jusqu'à {t['level_2_max']}" if fr
                else f"above {t['level_1_max']}, up to {t['level_2_max']}")
    else:
        low = t.get("level_2_max") or t.get("level_1_max")
        rule = ((f"au-dessus de {low}" if fr else f"above {low}") if low else
                ("les valeurs les plus hautes" if fr else "the highest values"))
    return (f"{label} : parmi les {ranked} {who} de valeur > 0, {rule} (50 % les plus bas : "
            "Petit, 20 % les plus hauts : Grand)" if fr else
            f"{label}: among the {ranked} {who} with a value above 0, {rule} (lowest 50%: "
            "level 1, highest 20%: level 3)")


def sentences(expl, lang: str = "fr") -> list[str]:
    """The explanation as lines of text."""
    ind = INDICATOR_BY_CODE[expl.indicator]
    level = ind.level(expl.level)
    ctx = expl.context
    fields = {
        "n": len(expl.facts),
        "season": ctx.current.season_id if ctx.current else "—",
        "previous": ctx.previous.season_id if ctx.previous else "—",
        "as_of": expl.as_of.isoformat(),
        "months_12": expl.window["months_12"].isoformat(),
        "months_36": expl.window["months_36"].isoformat(),
        "young_from": ctx.young_born_from.isoformat(),
        "total": _fmt(sum((f.get("amount") or 0) for f in expl.facts) if expl.facts
                      else Decimal("0.00")),
    }
    head = (f"{ind.name(lang)} — {expl.contact_id} / {expl.organisation_id}, "
            f"{'au' if lang == 'fr' else 'as of'} {expl.as_of.isoformat()}"
            f"{' :' if lang == 'fr' else ':'} "
            f"{_fmt(expl.value) or ('aucune valeur' if lang == 'fr' else 'no value')} → "
            f"{level.label(lang)} ({'niveau' if lang == 'fr' else 'level'} {expl.level})")
    out = [head, COUNTED[expl.indicator][0 if lang == "fr" else 1].format(**fields)]
    for fact in expl.facts:
        out.append("  - " + ", ".join(f"{k}: {_fmt(v)}" for k, v in fact.items()))
    if not expl.facts:
        out.append("  - " + ("(aucun)" if lang == "fr" else "(none)"))
    band = band_sentence(expl, lang)
    if band:
        out.append(band)
    return out
