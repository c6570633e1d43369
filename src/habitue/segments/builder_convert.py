"""Drafts (the builder's tree of picker texts) to and from definitions.

``draft_to_raw`` writes the plain dict the parser reads, turning the pickers' texts into JSON
values by the operand's kind (``"18"`` → 18 for an age, ``"12,50"`` → 12.5 for an amount,
``"12"`` + ``"months"`` → ``"12 months"``). What a person has not chosen yet is a
``SpecError`` (``missing_key``) at the path the parser would give, so every mistake, the
builder's or the parser's, points at a node the same way. A text that does not read as its kind
is passed on as text, for the parser to say what it expected.

``draft_from_raw`` reads a saved definition (``SegmentDefinition.to_dict()``) back into a draft,
and ``normalise`` keeps a draft's operators and measures among those its pickers allow after a
change of field, indicator or behaviour.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.segments import fields as F
from habitue.segments.builder import GROUP, Draft, ParamValue
from habitue.segments.conditions import VALUE_KINDS
from habitue.segments.definition import (
    BEHAVIOUR_FILTERS,
    GROUP_KINDS,
    ROOT_ID,
    Window,
    child_path,
)
from habitue.segments.errors import SpecError
from habitue.segments.operators import ALIASES, OPS, read_window

DATE_FILTERS = ("order_date", "performance_date")
TEXT_FILTERS = ("genre", "product", "performance")
CHOOSE = {  # the key a condition cannot do without: (English, French)
    "indicator": ("choose an indicator", "choisissez un indicateur"),
    "field": ("choose a field", "choisissez un champ"),
    "consent": ("choose a channel", "choisissez un canal"),
    "attribute": ("choose an attribute", "choisissez un attribut"),
    "behaviour": ("choose a behaviour", "choisissez un comportement"),
    "segment": ("choose a segment", "choisissez un segment"),
}
PARAM_OF_KEY = {"consent": "channel"}  # the draft parameter of a definition key, when it differs


# -- operand kinds ----------------------------------------------------------------------------

def operand_kind(node: Draft, prefix: str = "") -> str | None:
    """The kind of operand (``operators.OPS``) of the node's comparison: the main one, or the
    date filter ``prefix`` (``order_date.``) of a behaviour. None: nothing to compare (yet)."""
    if prefix:
        return "period"
    if node.type == "indicator":
        ind = INDICATOR_BY_CODE.get(node.param("indicator"))
        if ind is None:
            return None
        return "level" if node.param("on", "level") == "level" else VALUE_KINDS[ind.value_type]
    if node.type == "field":
        spec = F.FIELD_BY_NAME.get(node.param("field"))
        return spec.kind if spec else None
    if node.type == "attribute":
        kind = node.param("as", "text")
        return kind if kind in F.ATTRIBUTE_TYPES else "text"
    if node.type == "behaviour":
        return F.MEASURES.get(node.param("measure")) if node.param("measure") else None
    return None


def measures_of(node: Draft) -> tuple[str, ...]:
    return F.BEHAVIOUR_MEASURES.get(node.param("behaviour", F.BEHAVIOURS[0]), ())


def normalise(root: Draft) -> Draft:
    """Every condition's operators and measure among those allowed for what it now compares
    (the first allowed when not: changing a field from a text to a date resets ``starts_with``
    to ``is``); ids and values are kept."""
    def fix(node: Draft) -> Draft:
        if node.is_group:
            return replace(node, children=tuple(fix(c) for c in node.children))
        params = dict(node.params)
        if node.type == "indicator" and params.get("on") not in ("level", "value"):
            params["on"] = "level"
        if node.type == "behaviour" and params.get("measure", "") not in ("", *measures_of(
                node)):
            params["measure"] = ""
        node = replace(node, params=params)
        kind = operand_kind(node)
        if kind is not None and params.get("op") not in OPS[kind]:
            params["op"] = OPS[kind][0]
        if node.type == "behaviour":
            for key in DATE_FILTERS:
                if params.get(f"{key}.op", "") not in ("", *OPS["period"]):
                    params[f"{key}.op"] = ""
        return replace(node, params=params)
    return fix(root)


# -- draft → the parser's dict --------------------------------------------------------------------

def draft_to_raw(root: Draft) -> dict:
    """The definition dict of ``root`` (every node with its id), or ``SpecError`` at the path
    of the first thing left to choose."""
    if not root.children:
        raise SpecError("empty_group", "rules", "add a rule", "ajoutez une règle")
    return {"rules": [_node(c, child_path("rules", "all", i))
                      for i, c in enumerate(root.children)]}


def _node(node: Draft, path: str) -> dict:
    if node.is_group:
        return {"id": node.id, node.kind: [_node(c, child_path(path, node.kind, i))
                                           for i, c in enumerate(node.children)]}
    key = PARAM_OF_KEY.get(node.type, node.type)
    subject = node.param(key).strip()
    if not subject:
        en, fr = CHOOSE[node.type]
        raise SpecError("missing_key", f"{path}.{node.type}", en, fr)
    out: dict = {"id": node.id, node.type: subject}
    if node.type == "indicator":
        on = node.param("on", "level")
        out[on] = _comparison(node, "", operand_kind(node), f"{path}.{on}")
    elif node.type in ("field", "attribute"):
        if node.type == "attribute":
            out["type"] = node.param("as", "text")
        out.update(_comparison(node, "", operand_kind(node), path))
    elif node.type == "consent":
        out["state"] = node.param("state", "opt_in")
    elif node.type == "behaviour":
        _behaviour(node, path, out)
    return out


def _behaviour(node: Draft, path: str, out: dict) -> None:
    if node.param("role"):
        out["role"] = node.param("role")
    if node.many("family"):
        out["family"] = list(node.many("family"))
    for key in TEXT_FILTERS:
        values = split_list(node.param(key))
        if values:
            out[key] = values[0] if len(values) == 1 else values
    if node.param("season"):
        out["season"] = node.param("season")
    for key in DATE_FILTERS:
        if node.param(f"{key}.op"):
            out[key] = _comparison(node, f"{key}.", "period", f"{path}.{key}")
    measure = node.param("measure")
    if measure:
        out[measure] = _comparison(node, "", operand_kind(node), f"{path}.{measure}")


def _missing(path: str) -> SpecError:
    return SpecError("missing_key", path, "a value is missing", "il manque une valeur")


def _comparison(node: Draft, prefix: str, kind: str | None, base: str) -> dict:
    op = node.param(f"{prefix}op")
    if not op:
        raise SpecError("missing_key", base, "choose a comparison", "choisissez une comparaison")
    where = f"{base}.{op}"
    value, value2 = node.param(f"{prefix}value").strip(), node.param(f"{prefix}value2").strip()
    if op == "known":
        return {op: value != "false"}
    if op in ("last", "next"):
        if not value:
            raise _missing(where)
        return {op: f"{value} {node.param(f'{prefix}unit') or 'months'}"}
    if op == "in":
        values = node.many(f"{prefix}values") if kind in ("enum", "level") \
            else split_list(value)
        if not values:
            raise _missing(where)
        return {op: [scalar(kind, v) for v in values]}
    if op == "between":
        if not value or not value2:
            raise _missing(where)
        return {op: [scalar(kind, value), scalar(kind, value2)]}
    if not value:
        raise _missing(where)
    return {op: scalar(kind, value)}


def split_list(text: str) -> list[str]:
    """``"Paris, Lyon"`` → ``["Paris", "Lyon"]`` (commas or semicolons; blanks dropped)."""
    return [v.strip() for v in re.split(r"[,;]", text or "") if v.strip()]


def scalar(kind: str | None, text: str) -> object:
    """A picker's text as the JSON value of its kind; a text that does not read as the kind is
    left as it is, for the parser to say what it expected."""
    text = text.strip()
    if kind in ("count", "integer", "level") and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind in ("number", "amount"):
        cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            return text
        if number.is_finite():
            return int(number) if number == number.to_integral_value() else float(number)
        return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


# -- a saved definition → a draft ---------------------------------------------------------------

def draft_from_raw(data: dict) -> Draft:
    """The draft of a definition dict whose nodes all have ids (``to_dict()``)."""
    return Draft(ROOT_ID, GROUP, "all", {}, tuple(_from(r) for r in data["rules"]))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cmp_params(raw: dict, kind: str | None, prefix: str = "") -> dict[str, ParamValue]:
    (name, value), = raw.items()
    op = ALIASES.get(name, name)
    out: dict[str, ParamValue] = {f"{prefix}op": "known" if op == "unknown" else op}
    if op in ("known", "unknown"):
        out[f"{prefix}value"] = _text(bool(value) if op == "known" else not value)
    elif op in ("last", "next"):
        window: Window = read_window(value, "")
        out[f"{prefix}value"], out[f"{prefix}unit"] = str(window.count), window.unit
    elif op == "in" and kind in ("enum", "level"):
        out[f"{prefix}values"] = tuple(_text(v) for v in value)
    elif op == "in":
        out[f"{prefix}value"] = ", ".join(_text(v) for v in value)
    elif op == "between":
        out[f"{prefix}value"], out[f"{prefix}value2"] = _text(value[0]), _text(value[1])
    else:
        out[f"{prefix}value"] = _text(value)
    return out


def _from(raw: dict) -> Draft:
    node_id = raw["id"]
    for kind in GROUP_KINDS:
        if kind in raw:
            return Draft(node_id, GROUP, kind, {}, tuple(_from(r) for r in raw[kind]))
    if "indicator" in raw:
        on = "level" if "level" in raw else "value"
        node = Draft(node_id, "indicator", params={"indicator": raw["indicator"], "on": on})
        return replace(node, params={**node.params, **_cmp_params(raw[on], operand_kind(node))})
    if "field" in raw or "attribute" in raw:
        node_type = "field" if "field" in raw else "attribute"
        params: dict[str, ParamValue] = {node_type: raw[node_type]}
        if node_type == "attribute":
            params["as"] = raw.get("type", "text")
        node = Draft(node_id, node_type, params=params)
        cmp = {k: v for k, v in raw.items() if k not in ("id", node_type, "type")}
        return replace(node, params={**params, **_cmp_params(cmp, operand_kind(node))})
    if "consent" in raw:
        return Draft(node_id, "consent", params={"channel": raw["consent"],
                                                 "state": raw.get("state", "opt_in")})
    if "segment" in raw:
        return Draft(node_id, "segment", params={"segment": raw["segment"]})
    return _behaviour_from(raw)


def _behaviour_from(raw: dict) -> Draft:
    params: dict[str, ParamValue] = {"behaviour": raw["behaviour"], "role": raw.get("role", ""),
                                     "season": raw.get("season", "")}
    for key in BEHAVIOUR_FILTERS:
        values = raw.get(key, ())
        values = [values] if isinstance(values, str) else list(values)
        if key != "family":
            params[key] = ", ".join(values)
        elif values:  # (an empty list of checkboxes is not in a form at all)
            params[key] = tuple(values)
    for key in DATE_FILTERS:
        if key in raw:
            params.update(_cmp_params(raw[key], "period", f"{key}."))
    measure = next((m for m in F.MEASURES if m in raw), "")
    params["measure"] = measure
    if measure:
        params.update(_cmp_params(raw[measure], F.MEASURES[measure]))
    return Draft(raw["id"], "behaviour", params=params)
