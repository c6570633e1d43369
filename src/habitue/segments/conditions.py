"""Parsing each kind of condition from its plain dict (the structure, groups and ids are
``parser.py``'s). Every function takes the raw node, its path, its id and the ``Vocabulary``,
and raises ``SpecError`` at the path of the faulty key."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from habitue.indicators.catalogue import INDICATOR_BY_CODE, IndicatorDef, ValueType
from habitue.segments import fields as F
from habitue.segments.definition import (
    BEHAVIOUR_FILTERS,
    AttributeCondition,
    BehaviourCondition,
    ConsentCondition,
    FieldCondition,
    IndicatorCondition,
    SegmentRef,
)
from habitue.segments.errors import SpecError, unknown
from habitue.segments.operators import ALIASES, enum_reader, parse_comparison, read_text

VALUE_KINDS = {ValueType.INTEGER: "integer", ValueType.DECIMAL: "number",
               ValueType.DATE: "date", ValueType.BOOLEAN: "boolean"}
TYPE_FR = {"text": "texte", "number": "nombre", "date": "date", "boolean": "booléen"}
WORDS_FR = {"order_date": "la date de commande", "performance_date": "la date de représentation",
            "lines": "le nombre de billets", "orders": "le nombre de commandes",
            "performances": "le nombre de représentations", "amount": "le montant",
            "first_purchase": "la date du premier achat",
            "last_purchase": "la date du dernier achat"}


@dataclass(frozen=True)
class Vocabulary:
    """What the store knows, to reject unknown names where they are written. ``None``: not
    checked here (the compiler still rejects an unknown segment when it resolves it)."""

    indicators: Collection[str] | None = None  # the enabled ones; None: the whole catalogue
    segments: Collection[str] | None = None
    attributes: Collection[str] | None = None
    seasons: Collection[str] | None = None


def only(raw: dict, path: str, allowed: Collection[str]) -> None:
    for key in raw:
        if key not in allowed:
            raise unknown("unknown_key", f"{path}.{key}", "key", "clé inconnue", key,
                          allowed)


def one_operator(raw: dict, path: str, reserved: Collection[str],
                 what_en: str, what_fr: str) -> tuple[str, object]:
    """The single operator key of a field or attribute rule, and its value."""
    ops = [k for k in raw if k not in reserved]
    if not ops:
        raise SpecError("missing_key", path, f"an operator is missing for {what_en}",
                        f"il manque un opérateur pour {what_fr}")
    if len(ops) > 1:
        raise SpecError("ambiguous_node", f"{path}.{ops[1]}",
                        f"one operator per rule; got {', '.join(map(str, ops))}",
                        f"un seul opérateur par règle ; reçu : {', '.join(map(str, ops))}")
    return ops[0], raw[ops[0]]


def parse_indicator(raw: dict, path: str, node_id: str,
                   vocabulary: Vocabulary) -> IndicatorCondition:
    only(raw, path, ("id", "indicator", "level", "value"))
    code = raw["indicator"]
    enabled = vocabulary.indicators
    choices = [c for c in INDICATOR_BY_CODE if enabled is None or c in enabled]
    if isinstance(code, str) and code in INDICATOR_BY_CODE and code not in choices:
        raise SpecError("unknown_indicator", f"{path}.indicator",
                        f"the indicator '{code}' is disabled for this institution",
                        f"l'indicateur « {code} » est désactivé pour cette institution")
    if not isinstance(code, str) or code not in choices:
        raise unknown("unknown_indicator", f"{path}.indicator", "indicator",
                      "indicateur inconnu", code, choices)
    ind = INDICATOR_BY_CODE[code]
    on = [k for k in ("level", "value") if k in raw]
    if len(on) != 1:
        raise SpecError(
            "missing_key" if not on else "ambiguous_node", path,
            "an indicator rule compares either its 'level' or its 'value'",
            "une règle d'indicateur compare soit son « level », soit sa « value »")
    if on[0] == "level":
        comparison = parse_comparison(raw["level"], f"{path}.level", "level",
                                      f"the level of {code}",
                                      f"le niveau de l'indicateur {ind.name_fr}",
                                      level_reader(ind))
    else:
        comparison = parse_comparison(raw["value"], f"{path}.value",
                                      VALUE_KINDS[ind.value_type], f"the value of {code}",
                                      f"la valeur de l'indicateur {ind.name_fr}")
    return IndicatorCondition(node_id, code, on[0], comparison)


def parse_field(raw: dict, path: str, node_id: str,
               vocabulary: Vocabulary) -> FieldCondition:
    name = raw["field"]
    if not isinstance(name, str) or name not in F.FIELD_BY_NAME:
        raise unknown("unknown_field", f"{path}.field", "field", "champ inconnu", name,
                      F.FIELD_BY_NAME)
    spec = F.FIELD_BY_NAME[name]
    op, value = one_operator(raw, path, ("id", "field"), name, spec.fr)
    read = enum_reader(spec.values, "value", "valeur inconnue", of_en=name,
                       of_fr=spec.fr) if spec.kind == "enum" else None
    return FieldCondition(node_id, name, parse_comparison(
        {op: value}, path, spec.kind, name, spec.fr, read))


def parse_consent(raw: dict, path: str, node_id: str,
                 vocabulary: Vocabulary) -> ConsentCondition:
    only(raw, path, ("id", "consent", "state"))
    channel = enum_reader(F.CHANNELS, "channel", "canal inconnu", upper=False)(
        raw["consent"], f"{path}.consent")
    state = "opt_in"
    if "state" in raw:
        state = enum_reader(F.CONSENT_STATES, "consent state", "état de consentement inconnu",
                            upper=False)(raw["state"], f"{path}.state")
    return ConsentCondition(node_id, channel, state)


def parse_attribute(raw: dict, path: str, node_id: str,
                   vocabulary: Vocabulary) -> AttributeCondition:
    name = read_text(raw["attribute"], f"{path}.attribute")
    if not re.match(F.ATTRIBUTE_NAME_PATTERN, name):
        raise SpecError("bad_value", f"{path}.attribute",
                        f"the attribute name '{name}' has a character segments cannot read "
                        "(use letters, digits, spaces and - ° / ( ) , + # &)",
                        f"le nom d'attribut « {name} » contient un caractère illisible pour "
                        "les segments (lettres, chiffres, espaces et - ° / ( ) , + # &)")
    known = vocabulary.attributes
    if known is not None and name not in known:
        raise unknown("unknown_attribute", f"{path}.attribute", "attribute",
                      "attribut inconnu", name, sorted(known))
    op, value = one_operator(raw, path, ("id", "attribute", "type"), f"'{name}'",
                                  f"« {name} »")
    if "type" in raw:
        kind = enum_reader(F.ATTRIBUTE_TYPES, "attribute type", "type d'attribut inconnu",
                           upper=False)(raw["type"], f"{path}.type")
    elif ALIASES.get(op) in ("known", "unknown"):
        kind = "text"  # `known: true` says nothing of the type; any text is known
    else:
        kind = _infer_type(value)
    return AttributeCondition(node_id, name, kind, parse_comparison(
        {op: value}, path, kind, f"the {kind} attribute '{name}'",
        f"l'attribut {TYPE_FR[kind]} « {name} »"))


def parse_behaviour(raw: dict, path: str, node_id: str,
                   vocabulary: Vocabulary) -> BehaviourCondition:
    behaviour = enum_reader(F.BEHAVIOURS, "behaviour", "comportement inconnu", upper=False)(
        raw["behaviour"], f"{path}.behaviour")
    measures = F.BEHAVIOUR_MEASURES[behaviour]
    fixed = ("id", "behaviour", "role", *BEHAVIOUR_FILTERS, "season", "order_date",
             "performance_date")
    only(raw, path, (*fixed, *measures))
    given = [m for m in measures if m in raw]
    if len(given) > 1:
        raise SpecError("ambiguous_node", f"{path}.{given[1]}",
                        f"one measure per rule; got {', '.join(given)}",
                        f"une seule mesure par règle ; reçu : {', '.join(given)}")
    args: dict = {}
    if "role" in raw:
        args["role"] = enum_reader(F.ROLES, "role", "rôle inconnu", upper=False)(
            raw["role"], f"{path}.role")
    family = enum_reader(F.FAMILIES, "product family", "famille de produit inconnue")
    for key, read in (("family", family), ("genre", read_text), ("product", read_text),
                      ("performance", read_text)):
        if key in raw:
            args[key] = _one_or_many(raw[key], f"{path}.{key}", read)
    if "season" in raw:
        args["season"] = parse_season(raw["season"], f"{path}.season", vocabulary)
    for key in ("order_date", "performance_date"):
        if key in raw:
            args[key] = parse_comparison(raw[key], f"{path}.{key}", "period", key,
                                         WORDS_FR[key])
    if given:
        m = given[0]
        args["measure"] = m
        args["comparison"] = parse_comparison(raw[m], f"{path}.{m}", F.MEASURES[m], m,
                                              WORDS_FR[m])
    return BehaviourCondition(node_id, behaviour, **args)


def parse_season(raw: object, path: str, vocabulary: Vocabulary) -> str:
    text = read_text(raw, path)
    if text.lower() in F.SEASON_WORDS:
        return text.lower()
    known = vocabulary.seasons
    if known is not None and text not in known:
        raise unknown("unknown_value", path, "season", "saison inconnue", text,
                      [*F.SEASON_WORDS, *sorted(known)])
    return text


def parse_segment(raw: dict, path: str, node_id: str,
                 vocabulary: Vocabulary) -> SegmentRef:
    only(raw, path, ("id", "segment"))
    key = read_text(raw["segment"], f"{path}.segment")
    known = vocabulary.segments
    if known is not None and key not in known:
        raise unknown("unknown_segment", f"{path}.segment", "segment", "segment inconnu",
                      key, sorted(known))
    return SegmentRef(node_id, key)


def level_reader(ind: IndicatorDef) -> Callable[[object, str], int]:
    """A level of ``ind``: its number, its label in French or English (any case), or, for a
    yes/no indicator, ``true``/``false`` (YAML reads ``yes``/``no`` as booleans)."""
    by_label = {lv.fr.lower(): lv.level for lv in ind.levels}
    by_label.update({lv.en.lower(): lv.level for lv in ind.levels})
    numbers = [lv.level for lv in ind.levels]
    yes_no = numbers == [0, 1]

    def read(raw: object, path: str) -> int:
        if isinstance(raw, bool) and yes_no:
            return int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool) and raw in numbers:
            return raw
        if isinstance(raw, str) and raw.strip().lower() in by_label:
            return by_label[raw.strip().lower()]
        choices = [f"{lv.level} ({lv.fr} / {lv.en})" for lv in ind.levels]
        raise unknown("unknown_level", path, "level", "niveau inconnu", raw, choices,
                      of_en=ind.code, of_fr=ind.name_fr)
    return read


def _one_or_many(raw: object, path: str, read: Callable[[object, str], str]) -> tuple[str, ...]:
    if isinstance(raw, list):
        if not raw:
            raise SpecError("empty_group", path, "an empty list matches no one",
                            "une liste vide ne correspond à personne")
        return tuple(dict.fromkeys(read(v, f"{path}[{i}]") for i, v in enumerate(raw)))
    return (read(raw, path),)


def _infer_type(value: object) -> str:
    """An attribute rule without ``type``: the JSON type of its value says it."""
    if isinstance(value, dict) and len(value) == 1:
        op = ALIASES.get(next(iter(value)), "")
        value = None if op in ("known", "unknown") else next(iter(value.values()))
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if hasattr(value, "isoformat"):
        return "date"
    return "text"


CONDITION_PARSERS = {
    "indicator": parse_indicator, "field": parse_field, "consent": parse_consent,
    "attribute": parse_attribute, "behaviour": parse_behaviour, "segment": parse_segment,
}
