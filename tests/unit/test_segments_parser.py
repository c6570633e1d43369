"""The segment parser: every kind of bad definition fails where it is written (code, path and
sentence in English and French); good ones parse to frozen nodes with stable ids and serialise
back unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from habitue.segments import SpecError, Vocabulary, load_definition, parse_definition
from habitue.segments.definition import (
    BehaviourCondition,
    Comparison,
    FieldCondition,
    Group,
    IndicatorCondition,
    SegmentDefinition,
    Window,
)
from habitue.segments.references import resolve_references

VOCABULARY = Vocabulary(indicators=["abonne", "assiduite", "recence", "pmg_n"],
                        segments=["vip", "parisiens"], attributes=["points", "vip", "a.b"],
                        seasons=["S2024", "S2025"])

BAD = [
    ([],
     'wrong_type', '',
     'expected an object, got list',
     'attendu : un objet, reçu : list'),
    ({},
     'missing_key', 'rules',
     "a definition needs 'rules'",
     'une définition a besoin de « rules »'),
    ({'rules': [{'consent': 'email'}], 'name': 'x'},
     'unknown_key', 'name',
     "unknown key 'name'; expected one of: rules, version",
     'clé inconnue « name » ; valeurs possibles : rules, version'),
    ({'version': 2, 'rules': [{'consent': 'email'}]},
     'bad_value', 'version',
     'unknown version 2; expected 1',
     'version inconnue 2 ; attendue : 1'),
    ({'rules': {'consent': 'email'}},
     'wrong_type', 'rules',
     'expected a list, got dict',
     'attendu : une liste, reçu : dict'),
    ({'rules': []},
     'empty_group', 'rules',
     'the definition has no rule: it would match no one or everyone',
     "la définition n'a aucune règle : elle ne correspondrait à personne ou à tout le monde"),
    ({'rules': [{'consent': 'email'}, {'any': []}]},
     'empty_group', 'rules[1].any',
     "'any' has no rule: it would match no one or everyone",
     "« any » n'a aucune règle : elle ne correspondrait à personne ou à tout le monde"),
    ({'rules': [{'any': [{'none': []}]}]},
     'empty_group', 'rules[0].any[0].none',
     "'none' has no rule: it would match no one or everyone",
     "« none » n'a aucune règle : elle ne correspondrait à personne ou à tout le monde"),
    ({'rules': ['abonne']},
     'wrong_type', 'rules[0]',
     "expected an object, got 'abonne'",
     "attendu : un objet, reçu : 'abonne'"),
    ({'rules': [{'id': 'a'}]},
     'missing_key', 'rules[0]',
     'a rule needs one of: all, any, none, indicator, field, consent, attribute, behaviour, '
     'segment',
     "une règle a besoin de l'une de ces clés : all, any, none, indicator, field, consent, "
     'attribute, behaviour, segment'),
    ({'rules': [{'indicator': 'abonne', 'field': 'city'}]},
     'ambiguous_node', 'rules[0].field',
     'a rule is of one kind; got indicator and field',
     "une règle est d'un seul type ; reçu : indicator et field"),
    ({'rules': [{'any': [{'consent': 'email'}], 'label': 'x'}]},
     'unknown_key', 'rules[0].label',
     "unknown key 'label'; expected one of: id, any",
     'clé inconnue « label » ; valeurs possibles : id, any'),
    ({'rules': [{'id': 'a b', 'consent': 'email'}]},
     'bad_id', 'rules[0].id',
     "the id 'a b' is not 1 to 40 letters, digits, '-' or '_' (and not 'root')",
     "l'id « a b » n'est pas fait de 1 à 40 lettres, chiffres, « - » ou « _ » (ni « root »)"),
    ({'rules': [{'id': 'root', 'consent': 'email'}]},
     'bad_id', 'rules[0].id',
     "the id 'root' is not 1 to 40 letters, digits, '-' or '_' (and not 'root')",
     "l'id « root » n'est pas fait de 1 à 40 lettres, chiffres, « - » ou « _ » (ni « root »)"),
    ({'rules': [{'id': 'a', 'consent': 'email'}, {'any': [{'id': 'a', 'consent': 'sms'}]}]},
     'bad_id', 'rules[1].any[0].id',
     "the id 'a' is already used at rules[0]",
     "l'id « a » est déjà utilisé en rules[0]"),
    ({'rules': [
        {'consent': 'email'},
        {'consent': 'sms'},
        {'any': [{'indicator': 'abonnee', 'level': 1}]}]},
     'unknown_indicator', 'rules[2].any[0].indicator',
     "unknown indicator 'abonnee' (did you mean 'abonne'?); expected one of: assiduite, pmg_n, "
     'recence, abonne',
     'indicateur inconnu « abonnee » (vouliez-vous dire « abonne » ?) ; valeurs possibles : '
     'assiduite, pmg_n, recence, abonne'),
    ({'rules': [{'indicator': 'pmg', 'level': 1}]},
     'unknown_indicator', 'rules[0].indicator',
     "the indicator 'pmg' is disabled for this institution",
     "l'indicateur « pmg » est désactivé pour cette institution"),
    ({'rules': [{'indicator': 'pmg_n'}]},
     'missing_key', 'rules[0]',
     "an indicator rule compares either its 'level' or its 'value'",
     "une règle d'indicateur compare soit son « level », soit sa « value »"),
    ({'rules': [{'indicator': 'pmg_n', 'level': 1, 'value': 2}]},
     'ambiguous_node', 'rules[0]',
     "an indicator rule compares either its 'level' or its 'value'",
     "une règle d'indicateur compare soit son « level », soit sa « value »"),
    ({'rules': [{'indicator': 'abonne', 'level': 5}]},
     'unknown_level', 'rules[0].level',
     "unknown level '5' for abonne; expected one of: 0 (Non / No), 1 (Oui / Yes)",
     'niveau inconnu « 5 » pour Abonné ; valeurs possibles : 0 (Non / No), 1 (Oui / Yes)'),
    ({'rules': [{'indicator': 'assiduite', 'level': {'in': ['Regulier', 'Assidu']}}]},
     'unknown_level', 'rules[0].level.in[0]',
     "unknown level 'Regulier' for assiduite; expected one of: 0 (Inactif / Inactive), 1 "
     '(Occasionnel / Occasional), 2 (Régulier / Regular), 3 (Assidu / Loyal)',
     'niveau inconnu « Regulier » pour Assiduité ; valeurs possibles : 0 (Inactif / Inactive), 1 '
     '(Occasionnel / Occasional), 2 (Régulier / Regular), 3 (Assidu / Loyal)'),
    ({'rules': [{'indicator': 'assiduite', 'level': True}]},
     'unknown_level', 'rules[0].level',
     "unknown level 'True' for assiduite; expected one of: 0 (Inactif / Inactive), 1 (Occasionnel"
     ' / Occasional), 2 (Régulier / Regular), 3 (Assidu / Loyal)',
     'niveau inconnu « True » pour Assiduité ; valeurs possibles : 0 (Inactif / Inactive), 1 '
     '(Occasionnel / Occasional), 2 (Régulier / Regular), 3 (Assidu / Loyal)'),
    ({'rules': [{'indicator': 'assiduite', 'level': {'over': 2}}]},
     'unknown_operator', 'rules[0].level.over',
     "unknown operator 'over' for the level of assiduite; expected one of: is, in, gt, gte, lt, "
     'lte, between',
     "opérateur inconnu « over » pour le niveau de l'indicateur Assiduité ; opérateurs possibles "
     ': is, in, gt, gte, lt, lte, between'),
    ({'rules': [{'indicator': 'assiduite', 'level': {'gte': 1, 'lte': 2}}]},
     'ambiguous_node', 'rules[0].level',
     'one operator expected, got 2: gte, lte',
     'un seul opérateur attendu, 2 reçus : gte, lte'),
    ({'rules': [{'indicator': 'assiduite', 'level': {}}]},
     'missing_key', 'rules[0].level',
     'an operator is missing, e.g. {gte: 2}',
     'il manque un opérateur, par exemple {gte: 2}'),
    ({'rules': [{'indicator': 'assiduite', 'level': {'starts_with': 2}}]},
     'unknown_operator', 'rules[0].level.starts_with',
     "unknown operator 'starts_with' for the level of assiduite; expected one of: is, in, gt, "
     'gte, lt, lte, between',
     "opérateur inconnu « starts_with » pour le niveau de l'indicateur Assiduité ; opérateurs "
     'possibles : is, in, gt, gte, lt, lte, between'),
    ({'rules': [{'indicator': 'pmg_n', 'value': {'gte': '100'}}]},
     'wrong_type', 'rules[0].value.gte',
     "expected a number, got '100'",
     "attendu : un nombre, reçu : '100'"),
    ({'rules': [{'indicator': 'recence', 'value': {'gte': '2025-13-01'}}]},
     'bad_value', 'rules[0].value.gte',
     "'2025-13-01' is not a date (YYYY-MM-DD)",
     "« 2025-13-01 » n'est pas une date (AAAA-MM-JJ)"),
    ({'rules': [{'field': 'zipcode', 'starts_with': '75'}]},
     'unknown_field', 'rules[0].field',
     "unknown field 'zipcode'; expected one of: kind, structure_type, postal_code, city, country,"
     ' language, email, phone, birth_date, age, created_at, parent_contact_id, child_count',
     'champ inconnu « zipcode » ; valeurs possibles : kind, structure_type, postal_code, city, '
     'country, language, email, phone, birth_date, age, created_at, parent_contact_id, '
     'child_count'),
    ({'rules': [{'field': 'city', 'contains': 'Par'}]},
     'unknown_operator', 'rules[0].contains',
     "unknown operator 'contains' for city; expected one of: is, in, starts_with, known, unknown",
     'opérateur inconnu « contains » pour Ville ; opérateurs possibles : is, in, starts_with, '
     'known, unknown'),
    ({'rules': [{'field': 'city'}]},
     'missing_key', 'rules[0]',
     'an operator is missing for city',
     'il manque un opérateur pour Ville'),
    ({'rules': [{'field': 'city', 'is': 'Paris', 'in': ['Lyon']}]},
     'ambiguous_node', 'rules[0].in',
     'one operator per rule; got is, in',
     'un seul opérateur par règle ; reçu : is, in'),
    ({'rules': [{'field': 'postal_code', 'starts_with': 75}]},
     'wrong_type', 'rules[0].starts_with',
     'expected a text, got 75 (put the value in quotes)',
     'attendu : un texte, reçu : 75 (mettez la valeur entre guillemets)'),
    ({'rules': [{'field': 'postal_code', 'starts_with': '  '}]},
     'bad_value', 'rules[0].starts_with',
     'empty text',
     'texte vide'),
    ({'rules': [{'field': 'city', 'in': []}]},
     'empty_group', 'rules[0].in',
     'an empty list matches no one',
     'une liste vide ne correspond à personne'),
    ({'rules': [{'field': 'city', 'in': 'Paris'}]},
     'wrong_type', 'rules[0].in',
     "expected a list, got 'Paris'",
     "attendu : une liste, reçu : 'Paris'"),
    ({'rules': [{'field': 'kind', 'is': 'PERSON'}]},
     'unknown_value', 'rules[0].is',
     "unknown value 'PERSON' for kind; expected one of: INDIVIDUAL, STRUCTURE",
     'valeur inconnue « PERSON » pour Type de contact ; valeurs possibles : INDIVIDUAL, STRUCTURE'),
    ({'rules': [{'field': 'age', 'gte': -1}]},
     'bad_value', 'rules[0].gte',
     '-1 is negative',
     '-1 est négatif'),
    ({'rules': [{'field': 'age', 'between': [30, 18]}]},
     'bad_value', 'rules[0].between',
     'the low bound 30 is above the high bound 18',
     'la borne basse 30 dépasse la borne haute 18'),
    ({'rules': [{'field': 'age', 'between': [1, 2, 3]}]},
     'bad_value', 'rules[0].between',
     'between takes a list of two values [low, high]',
     'between prend une liste de deux valeurs [bas, haut]'),
    ({'rules': [{'field': 'created_at', 'last': '12 moons'}]},
     'bad_value', 'rules[0].last',
     "'12 moons' is not a window such as '12 months' or '30 days'",
     "« 12 moons » n'est pas une période comme « 12 months » ou « 30 days »"),
    ({'rules': [{'field': 'created_at', 'last': '0 days'}]},
     'bad_value', 'rules[0].last',
     "'0 days' is not a window such as '12 months' or '30 days'",
     "« 0 days » n'est pas une période comme « 12 months » ou « 30 days »"),
    ({'rules': [{'field': 'email', 'known': 'yes'}]},
     'wrong_type', 'rules[0].known',
     "expected true or false, got 'yes'",
     "attendu : true ou false, reçu : 'yes'"),
    ({'rules': [{'consent': 'fax'}]},
     'unknown_value', 'rules[0].consent',
     "unknown channel 'fax'; expected one of: email, sms, post",
     'canal inconnu « fax » ; valeurs possibles : email, sms, post'),
    ({'rules': [{'consent': 'email', 'state': 'maybe'}]},
     'unknown_value', 'rules[0].state',
     "unknown consent state 'maybe'; expected one of: opt_in, opt_out, unknown",
     'état de consentement inconnu « maybe » ; valeurs possibles : opt_in, opt_out, unknown'),
    ({'rules': [{'consent': 'email', 'opt_in': True}]},
     'unknown_key', 'rules[0].opt_in',
     "unknown key 'opt_in'; expected one of: id, consent, state",
     'clé inconnue « opt_in » ; valeurs possibles : id, consent, state'),
    ({'rules': [{'attribute': 'a.b', 'is': 'x'}]},
     'bad_value', 'rules[0].attribute',
     "the attribute name 'a.b' has a character segments cannot read (use letters, digits, spaces "
     'and - ° / ( ) , + # &)',
     "le nom d'attribut « a.b » contient un caractère illisible pour les segments (lettres, "
     'chiffres, espaces et - ° / ( ) , + # &)'),
    ({'rules': [{'attribute': 'pionts', 'gte': 3}]},
     'unknown_attribute', 'rules[0].attribute',
     "unknown attribute 'pionts' (did you mean 'points'?); expected one of: a.b, points, vip",
     'attribut inconnu « pionts » (vouliez-vous dire « points » ?) ; valeurs possibles : a.b, '
     'points, vip'),
    ({'rules': [{'attribute': 'points', 'type': 'float', 'gte': 3}]},
     'unknown_value', 'rules[0].type',
     "unknown attribute type 'float'; expected one of: text, number, date, boolean",
     "type d'attribut inconnu « float » ; valeurs possibles : text, number, date, boolean"),
    ({'rules': [{'attribute': 'points', 'gte': '3'}]},
     'unknown_operator', 'rules[0].gte',
     "unknown operator 'gte' for the text attribute 'points'; expected one of: is, in, "
     'starts_with, known, unknown',
     "opérateur inconnu « gte » pour l'attribut texte « points » ; opérateurs possibles : is, in,"
     ' starts_with, known, unknown'),
    ({'rules': [{'behaviour': 'sold'}]},
     'unknown_value', 'rules[0].behaviour',
     "unknown behaviour 'sold'; expected one of: bought, attended, missed",
     'comportement inconnu « sold » ; valeurs possibles : bought, attended, missed'),
    ({'rules': [{'behaviour': 'bought', 'genres': 'opera'}]},
     'unknown_key', 'rules[0].genres',
     "unknown key 'genres' (did you mean 'genre'?); expected one of: id, behaviour, role, family,"
     ' genre, product, performance, season, order_date, performance_date, lines, orders, '
     'performances, amount, first_purchase, last_purchase',
     'clé inconnue « genres » (vouliez-vous dire « genre » ?) ; valeurs possibles : id, '
     'behaviour, role, family, genre, product, performance, season, order_date, performance_date,'
     ' lines, orders, performances, amount, first_purchase, last_purchase'),
    ({'rules': [{'behaviour': 'attended', 'amount': {'gte': 10}}]},
     'unknown_key', 'rules[0].amount',
     "unknown key 'amount'; expected one of: id, behaviour, role, family, genre, product, "
     'performance, season, order_date, performance_date, lines, performances',
     'clé inconnue « amount » ; valeurs possibles : id, behaviour, role, family, genre, product, '
     'performance, season, order_date, performance_date, lines, performances'),
    ({'rules': [{'behaviour': 'bought', 'lines': {'gte': 1}, 'orders': {'gte': 1}}]},
     'ambiguous_node', 'rules[0].orders',
     'one measure per rule; got lines, orders',
     'une seule mesure par règle ; reçu : lines, orders'),
    ({'rules': [{'behaviour': 'bought', 'family': ['TICKET', 'TICKETS']}]},
     'unknown_value', 'rules[0].family[1]',
     "unknown product family 'TICKETS' (did you mean 'TICKET'?); expected one of: TICKET, "
     'SUBSCRIPTION, MEMBERSHIP, OTHER',
     'famille de produit inconnue « TICKETS » (vouliez-vous dire « TICKET » ?) ; valeurs '
     'possibles : TICKET, SUBSCRIPTION, MEMBERSHIP, OTHER'),
    ({'rules': [{'behaviour': 'bought', 'role': 'friend'}]},
     'unknown_value', 'rules[0].role',
     "unknown role 'friend'; expected one of: holder, buyer, payer",
     'rôle inconnu « friend » ; valeurs possibles : holder, buyer, payer'),
    ({'rules': [{'behaviour': 'bought', 'season': 'S1999'}]},
     'unknown_value', 'rules[0].season',
     "unknown season 'S1999'; expected one of: current, previous, S2024, S2025",
     'saison inconnue « S1999 » ; valeurs possibles : current, previous, S2024, S2025'),
    ({'rules': [{'behaviour': 'bought', 'order_date': {'known': True}}]},
     'unknown_operator', 'rules[0].order_date.known',
     "unknown operator 'known' for order_date; expected one of: is, gt, gte, lt, lte, between, "
     'last, next',
     'opérateur inconnu « known » pour la date de commande ; opérateurs possibles : is, gt, gte, '
     'lt, lte, between, last, next'),
    ({'rules': [{'behaviour': 'bought', 'lines': {'gte': 1.5}}]},
     'wrong_type', 'rules[0].lines.gte',
     'expected a whole number, got 1.5',
     'attendu : un nombre entier, reçu : 1.5'),
    ({'rules': [{'behaviour': 'bought', 'genre': []}]},
     'empty_group', 'rules[0].genre',
     'an empty list matches no one',
     'une liste vide ne correspond à personne'),
    ({'rules': [{'segment': 'vipp'}]},
     'unknown_segment', 'rules[0].segment',
     "unknown segment 'vipp' (did you mean 'vip'?); expected one of: parisiens, vip",
     'segment inconnu « vipp » (vouliez-vous dire « vip » ?) ; valeurs possibles : parisiens, vip'),
    ({'rules': [{'segment': 'vip', 'negate': True}]},
     'unknown_key', 'rules[0].negate',
     "unknown key 'negate'; expected one of: id, segment",
     'clé inconnue « negate » ; valeurs possibles : id, segment'),
]


@pytest.mark.parametrize("data, code, path, message, message_fr", BAD,
                         ids=[f"{b[1]}:{b[2]}" for b in BAD])
def test_bad_definition_is_rejected_where_it_is_written(data, code, path, message, message_fr):
    with pytest.raises(SpecError) as e:
        parse_definition(data, vocabulary=VOCABULARY)
    assert (e.value.code, e.value.path, e.value.message, e.value.message_fr) == \
        (code, path, message, message_fr)


def test_every_error_code_is_exercised():
    from habitue.segments.errors import CODES
    tested = {b[1] for b in BAD} | {"cycle"}  # cycles: below
    assert tested == set(CODES)


def test_error_sentence_in_both_languages():
    with pytest.raises(SpecError) as e:
        parse_definition({"rules": [{"any": [{"indicator": "abonne", "level": 3}]}]})
    assert e.value.sentence("en") == ("rules[0].any[0].level: unknown level '3' for abonne; "
                                      "expected one of: 0 (Non / No), 1 (Oui / Yes)")
    assert e.value.sentence("fr") == ("rules[0].any[0].level : niveau inconnu « 3 » pour "
                                      "Abonné ; valeurs possibles : 0 (Non / No), 1 (Oui / Yes)")
    assert str(e.value) == e.value.sentence("en")
    assert e.value.as_dict()["code"] == "unknown_level"


def test_without_vocabulary_any_segment_attribute_or_season_is_accepted():
    d = parse_definition({"rules": [{"segment": "anything"}, {"attribute": "x", "is": "y"},
                                    {"behaviour": "bought", "season": "S1999"},
                                    {"indicator": "pmg", "level": "Grand"}]})
    assert [n.id for _, n in d.nodes()] == ["root", "n1", "n2", "n3", "n4"]


# -- segment references: unknown ones and cycles ------------------------------------------------

def _saved(**texts: str) -> dict[str, SegmentDefinition]:
    return {k: load_definition(v) for k, v in texts.items()}


def test_a_cycle_through_other_segments_is_an_error():
    saved = _saved(a="rules: [{segment: b}]",
                   b="rules: [{consent: email}, {any: [{segment: c}, {consent: sms}]}]",
                   c="rules: [{segment: a}]")
    with pytest.raises(SpecError) as e:
        resolve_references(saved["a"], saved.__getitem__, key="a")
    assert (e.value.code, e.value.path) == ("cycle", "rules[0].segment")
    assert e.value.message == "segment 'a' contains itself: a → b → c → a (in segment 'c' at " \
                              "rules[0])"
    assert e.value.message_fr == "le segment « a » se contient lui-même : a → b → c → a (dans " \
                                 "le segment « c » en rules[0])"


def test_a_segment_that_refers_to_itself():
    saved = _saved(a="rules: [{consent: email}, {none: [{segment: a}]}]")
    with pytest.raises(SpecError) as e:
        resolve_references(saved["a"], saved.__getitem__, key="a")
    assert (e.value.code, e.value.path, e.value.message) == (
        "cycle", "rules[1].none[0].segment", "segment 'a' contains itself: a → a")


def test_a_cycle_is_found_even_without_the_key_of_the_definition():
    saved = _saved(b="rules: [{segment: c}]", c="rules: [{segment: b}]")
    new = load_definition("rules: [{segment: b}]")
    with pytest.raises(SpecError) as e:
        resolve_references(new, saved.__getitem__)
    assert (e.value.code, e.value.path) == ("cycle", "rules[0].segment")


def test_an_unknown_segment_inside_another_one():
    saved = _saved(b="rules: [{consent: email}, {segment: gone}]")
    with pytest.raises(SpecError) as e:
        resolve_references(load_definition("rules: [{segment: b}]"), saved.__getitem__)
    assert (e.value.code, e.value.path, e.value.message) == (
        "unknown_segment", "rules[0].segment",
        "unknown segment 'gone' (in segment 'b' at rules[1])")


def test_a_segment_used_twice_is_not_a_cycle():
    saved = _saved(b="rules: [{consent: email}]", c="rules: [{segment: b}]")
    new = load_definition("rules: [{segment: b}, {any: [{segment: c}, {segment: b}]}]")
    assert set(resolve_references(new, saved.__getitem__)) == {"b", "c"}


# -- good definitions ---------------------------------------------------------------------------

YAML = """
# opera lovers of this season who can be emailed
rules:
  - {indicator: abonne, level: yes}
  - id: opera
    behaviour: bought
    family: ticket
    genre: Opéra
    season: current
    lines: {≥: 2}
  - any:
      - {field: postal_code, prefix: "75"}
      - {field: age, between: [18, 25]}
      - {field: created_at, last: 12 mois}
      - {attribute: since, type: date, ">=": 2020-01-01}
  - none: [{consent: email, state: opt_out}]
"""


def test_yaml_with_aliases_parses_to_canonical_nodes():
    d = load_definition(YAML)
    rules = d.rules.children
    assert rules[0] == IndicatorCondition("n1", "abonne", "level", Comparison("is", 1))
    assert rules[1] == BehaviourCondition("opera", "bought", family=("TICKET",),
                                          genre=("Opéra",), season="current", measure="lines",
                                          comparison=Comparison("gte", 2))
    any_ = rules[2]
    assert isinstance(any_, Group) and any_.kind == "any" and any_.id == "n2"
    assert any_.children[0] == FieldCondition("n3", "postal_code",
                                              Comparison("starts_with", "75"))
    assert any_.children[1].comparison == Comparison("between", (18, 25))
    assert any_.children[2].comparison == Comparison("last", Window(12, "months"))
    assert any_.children[3].comparison == Comparison("gte", date(2020, 1, 1))
    assert [n.id for _, n in d.nodes()] == ["root", "n1", "opera", "n2", "n3", "n4", "n5",
                                            "n6", "n7", "n8"]


def test_missing_ids_skip_the_ids_already_written():
    d = parse_definition({"rules": [
        {"consent": "email"}, {"id": "n1", "consent": "sms"},
        {"any": [{"consent": "post"}, {"id": "n3", "consent": "email"}]}]})
    assert [n.id for _, n in d.nodes()] == ["root", "n2", "n1", "n4", "n5", "n3"]


def test_require_ids():
    with pytest.raises(SpecError) as e:
        parse_definition({"rules": [{"id": "a", "any": [{"consent": "sms"}]}]},
                         require_ids=True)
    assert (e.value.code, e.value.path) == ("bad_id", "rules[0].any[0]")


def test_round_trip_keeps_ids_and_canonical_operators():
    d = load_definition(YAML)
    stored = d.to_dict()
    assert stored["rules"][1] == {"id": "opera", "behaviour": "bought", "family": "TICKET",
                                  "genre": "Opéra", "season": "current", "lines": {"gte": 2}}
    assert stored["rules"][2]["any"][0] == {"id": "n3", "field": "postal_code",
                                            "starts_with": "75"}
    assert stored["rules"][2]["any"][2] == {"id": "n5", "field": "created_at",
                                            "last": "12 months"}
    again = parse_definition(stored, require_ids=True)
    assert again == d
    assert again.to_dict() == stored


def test_values_are_typed():
    d = parse_definition({"rules": [
        {"indicator": "pmg_n", "value": {"between": [10, 99.9]}},
        {"indicator": "assiduite", "level": ["Régulier", "assidu", 2]},
        {"field": "kind", "in": ["structure", "Individual"]},
        {"field": "email", "unknown": True},
        {"attribute": "vip", "is": False},
        {"behaviour": "bought", "amount": {"gte": 100}},
    ]})
    c = [n for _, n in d.nodes()][1:]
    assert c[0].comparison == Comparison("between", (Decimal("10"), Decimal("99.9")))
    assert c[1].comparison == Comparison("in", (2, 3))  # duplicates dropped
    assert c[2].comparison == Comparison("in", ("STRUCTURE", "INDIVIDUAL"))
    assert c[3].comparison == Comparison("known", False)
    assert (c[4].type, c[4].comparison) == ("boolean", Comparison("is", False))
    assert c[5].comparison == Comparison("gte", Decimal("100"))
    assert c[5].effective_role == "buyer"


def test_json_text_and_bad_text():
    assert load_definition('{"rules": [{"consent": "sms"}]}').rules.children[0].channel == "sms"
    with pytest.raises(SpecError) as e:
        load_definition("rules: [unclosed")
    assert e.value.code == "wrong_type"


def test_nodes_are_frozen():
    d = load_definition(YAML)
    with pytest.raises(AttributeError):
        d.rules.children[0].indicator = "pmg"  # type: ignore[misc]
