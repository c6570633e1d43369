"""describe(): every rule as a sentence in French and in English. French typography: a
no-break space before a colon and inside « », U+202F between thousands."""

from __future__ import annotations

import pytest

from habitue.segments import load_definition, parse_definition
from habitue.segments.describe import describe, describe_nodes
from habitue.segments.phrases import Names

NAMES = Names(segments={"vip": "Grands donateurs"}, seasons={"S2025": "2025/2026"},
              products={"P1": "Carmen"}, performances={"PF1": "Carmen, 14 mars"})


def _sentences(rule: dict) -> tuple[str, str]:
    d = parse_definition({"rules": [rule]})
    return describe(d, "fr", names=NAMES), describe(d, "en", names=NAMES)


def fr(text: str) -> str:
    """Write French expectations with plain spaces: ' :' and '« x »' get no-break spaces."""
    return text.replace(" :", "\u00a0:").replace("« ", "«\u00a0").replace(" »", "\u00a0»")


def test_the_example_of_the_issue():
    d = load_definition("""
        rules:
          - {indicator: abonne, level: Oui}
          - {behaviour: bought, family: TICKET, genre: Opéra, season: S2025, lines: {gte: 2}}
    """)
    assert describe(d, "fr", names=NAMES) == \
        fr("Abonné : Oui, et a acheté au moins 2 billets d'opéra en 2025/2026")
    assert describe(d, "en", names=NAMES) == \
        "Subscriber: Yes, and bought at least 2 opéra tickets in 2025/2026"


CASES = [
    ({"indicator": "assiduite", "level": {"gte": 2}},
     "Assiduité : Régulier ou plus", "Attendance: Regular or above"),
    ({"indicator": "assiduite", "level": {"lt": "Régulier"}},
     "Assiduité : en dessous de Régulier", "Attendance: below Regular"),
    ({"indicator": "pmg", "level": ["Moyen", "Grand"]},
     "PMG : Moyen ou Grand", "Spender (previous season): Medium or Big"),
    ({"indicator": "recence", "level": {"between": [2, 3]}},
     "Récence : de Entre 1 et 3 ans à Il y a moins d'une année",
     "Recency: 1 to 3 years ago to Within the last year"),
    ({"indicator": "pmg_n", "value": {"gte": 1500.5}},
     "Valeur de PMG - N : au moins 1\u202f500,50\u00a0€",
     "Spender (current season) value: at least €1,500.50"),
    ({"indicator": "recence", "value": {"last": "12 months"}},
     "Valeur de Récence : dans les 12 derniers mois", "Recency value: in the last 12 months"),
    ({"indicator": "anciennete", "value": {"known": False}},
     "Valeur de Ancienneté : non renseignée", "Seniority value: unknown"),
    ({"indicator": "jeune", "value": True}, "Valeur de Jeune : oui", "Young value: yes"),
    ({"field": "postal_code", "starts_with": "75"},
     "Code postal : commençant par 75", "Postal code: starting with 75"),
    ({"field": "city", "in": ["Paris", "Lyon", "Lille"]},
     "Ville : Paris, Lyon ou Lille", "City: Paris, Lyon or Lille"),
    ({"field": "kind", "is": "STRUCTURE"},
     "Type de contact : Structure", "Contact kind: Organisation"),
    ({"field": "age", "between": [18, 25]}, "Âge : entre 18 et 25 ans", "Age: between 18 and 25"),
    ({"field": "age", "is": 30}, "Âge : 30 ans", "Age: 30"),
    ({"field": "age", "known": True}, "Âge : connu", "Age: known"),
    ({"field": "birth_date", "known": False},
     "Date de naissance : non renseignée", "Birth date: unknown"),
    ({"field": "email", "known": True}, "E-mail : renseigné", "Email: known"),
    ({"field": "created_at", "gte": "2025-03-01"},
     "Date de création : le 1er mars 2025 ou après", "Creation date: on or after 1 March 2025"),
    ({"field": "created_at", "next": "1 week"},
     "Date de création : dans la prochaine semaine", "Creation date: in the next week"),
    ({"field": "child_count", "lt": 3},
     "Nombre de contacts rattachés : moins de 3", "Linked contacts: fewer than 3"),
    ({"consent": "sms"}, "Accepte les SMS", "Opted in to SMS"),
    ({"consent": "post", "state": "opt_out"}, "A refusé le courrier", "Opted out of post"),
    ({"consent": "email", "state": "unknown"},
     "Consentement pour les e-mails inconnu", "Email consent unknown"),
    ({"attribute": "points", "gte": 3},
     "Attribut « points » : au moins 3", "Attribute “points”: at least 3"),
    ({"attribute": "vip", "is": True}, "Attribut « vip » : oui", "Attribute “vip”: yes"),
    ({"attribute": "since", "type": "date", "lt": "2020-01-01"},
     "Attribut « since » : avant le 1er janvier 2020",
     "Attribute “since”: before 1 January 2020"),
    ({"behaviour": "bought"}, "A acheté des articles", "Bought items"),
    ({"behaviour": "bought", "family": "SUBSCRIPTION", "season": "current"},
     "A acheté des abonnements cette saison", "Bought subscriptions this season"),
    ({"behaviour": "bought", "family": ["TICKET", "MEMBERSHIP"], "season": "previous"},
     "A acheté des billets ou adhésions la saison dernière",
     "Bought tickets or memberships last season"),
    ({"behaviour": "bought", "family": "TICKET", "lines": {"is": 1}},
     "A acheté exactement 1 billet", "Bought exactly 1 ticket"),
    ({"behaviour": "bought", "amount": {"gte": 100}, "order_date": {"last": "1 year"}},
     "A dépensé au moins 100\u00a0€ en articles (date de commande : dans la dernière année)",
     "Spent at least €100 on items (order date: in the last year)"),
    ({"behaviour": "bought", "orders": {"gte": 3}, "role": "holder"},
     "A acheté des articles dans au moins 3 commandes (en tant que bénéficiaire)",
     "Bought items in at least 3 orders (as holder)"),
    ({"behaviour": "bought", "role": "buyer"},
     "A acheté des articles (en tant qu'acheteur)", "Bought items (as buyer)"),
    ({"behaviour": "bought", "family": "TICKET", "performances": {"between": [1, 3]},
      "genre": ["Danse", "Opéra"]},
     "A acheté des billets de danse ou d'opéra pour entre 1 et 3 représentations",
     "Bought danse or opéra tickets for between 1 and 3 performances"),
    ({"behaviour": "bought", "first_purchase": {"last": "12 months"}},
     "A acheté des articles, premier achat dans les 12 derniers mois",
     "Bought items, first purchase in the last 12 months"),
    ({"behaviour": "bought", "product": "P1", "performance": "PF1",
      "performance_date": {"between": ["2026-01-01", "2026-03-31"]}},
     "A acheté des articles du produit « Carmen » pour la représentation « Carmen, 14 mars » "
     "(date de représentation : du 1er janvier 2026 au 31 mars 2026)",
     "Bought items of product “Carmen” for performance “Carmen, 14 mars” "
     "(performance date: from 1 January 2026 to 31 March 2026)"),
    ({"behaviour": "attended", "genre": "opéra"},
     "A assisté à une représentation d'opéra", "Attended an opéra performance"),
    ({"behaviour": "attended", "performances": {"gte": 3}, "season": "S2025"},
     "A assisté à au moins 3 représentations en 2025/2026",
     "Attended at least 3 performances in 2025/2026"),
    ({"behaviour": "attended", "lines": {"gte": 2}},
     "A assisté à des représentations avec au moins 2 billets",
     "Attended performances with at least 2 tickets"),
    ({"behaviour": "missed", "family": "SUBSCRIPTION"},
     "A manqué une représentation avec des abonnements",
     "Missed a performance with subscriptions"),
    ({"segment": "vip"}, "Fait partie du segment « Grands donateurs »",
     "In segment “Grands donateurs”"),
    ({"segment": "unnamed"}, "Fait partie du segment « unnamed »", "In segment “unnamed”"),
    # negations: the verb where there is one, else "non (…)"
    ({"none": [{"behaviour": "bought", "family": "TICKET", "genre": "opéra"}]},
     "N'a pas acheté de billets d'opéra", "Did not buy opéra tickets"),
    ({"none": [{"behaviour": "bought", "family": "SUBSCRIPTION"}]},
     "N'a pas acheté d'abonnements", "Did not buy subscriptions"),
    ({"none": [{"behaviour": "attended"}]},
     "N'a assisté à aucune représentation", "Did not attend any performance"),
    ({"none": [{"consent": "email"}]}, "N'accepte pas les e-mails", "Not opted in to email"),
    ({"none": [{"segment": "vip"}]}, "Ne fait pas partie du segment « Grands donateurs »",
     "Not in segment “Grands donateurs”"),
    ({"none": [{"field": "city", "is": "Paris"}]}, "Non (Ville : Paris)", "Not (City: Paris)"),
    ({"none": [{"behaviour": "bought", "lines": {"gte": 2}}]},
     "Non (a acheté au moins 2 articles)", "Not (bought at least 2 items)"),
    ({"none": [{"field": "city", "is": "Paris"}, {"field": "age", "lt": 18}]},
     "Ni Ville : Paris, ni Âge : moins de 18 ans",
     "None of (City: Paris; Age: less than 18)"),
    ({"any": [{"field": "city", "is": "Paris"},
              {"all": [{"field": "age", "lt": 18}, {"consent": "email"}]}]},
     "Ville : Paris ou (Âge : moins de 18 ans et accepte les e-mails)",
     "City: Paris or (Age: less than 18 and opted in to email)"),
]


@pytest.mark.parametrize("rule, french, english", CASES, ids=[str(c[0]) for c in CASES])
def test_each_rule_in_french_and_english(rule, french, english):
    assert _sentences(rule) == (fr(french), english)


def test_nested_groups_are_bracketed_and_the_root_joins_with_and():
    d = load_definition("""
        rules:
          - {consent: email}
          - any: [{field: city, is: Paris}, {none: [{consent: sms}, {consent: post}]}]
          - {indicator: abonne, level: 1}
    """)
    assert describe(d, "fr") == fr(
        "Accepte les e-mails, et (Ville : Paris ou (ni accepte les SMS, ni accepte le "
        "courrier)), et Abonné : Oui")
    assert describe(d, "en") == (
        "Opted in to email, and (City: Paris or none of (opted in to SMS; opted in to post)), "
        "and Subscriber: Yes")


def test_one_sentence_per_node():
    d = load_definition("""
        rules:
          - {id: a, consent: email}
          - {id: b, any: [{id: c, field: city, is: Paris}, {id: d, field: age, gte: 18}]}
    """)
    assert describe_nodes(d, "en") == {
        "root": "Opted in to email, and (City: Paris or Age: at least 18)",
        "a": "Opted in to email",
        "b": "City: Paris or Age: at least 18",
        "c": "City: Paris",
        "d": "Age: at least 18",
    }


def test_numbers_money_and_dates():
    from datetime import date
    from decimal import Decimal

    from habitue.segments import phrases as W
    assert W.number(Decimal("1234567.5"), "fr") == "1\u202f234\u202f567,50"
    assert W.number(Decimal("1234567.5"), "en") == "1,234,567.50"
    assert W.money(Decimal(12), "en", "GBP") == "£12"
    assert W.money(Decimal(12), "en", "CHF") == "CHF 12"
    assert W.money(Decimal(12), "fr", "CHF") == "12\u00a0CHF"
    assert W.day(date(2026, 3, 1), "fr") == "1er mars 2026"
    assert W.day(date(2026, 3, 14), "en") == "14 March 2026"
