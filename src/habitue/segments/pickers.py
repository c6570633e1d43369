"""What a person can pick in the segment builder, node by node, in French or English.

The choices come from the rule language's own tables — the indicator catalogue and its level
labels, ``fields.FIELDS``, ``fields.CHANNELS``, ``fields.BEHAVIOUR_MEASURES``,
``operators.OPS``… — and from what the store knows (``PickerContext``: enabled indicators,
saved segments, custom attributes, seasons, genres). Only the words no table has yet (the
operators, behaviours and measures as picker labels) are written here; a test checks that every
name of the tables has one.

``node_pickers(node, context, lang)`` gives the pickers of one draft node, in the order they
read ("Âge" "au moins" "18"): a template draws them without knowing the rule language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from habitue.indicators.catalogue import INDICATOR_BY_CODE, INDICATORS
from habitue.segments import fields as F
from habitue.segments.behaviour_words import NOUNS, ROLE_WORDS
from habitue.segments.builder import Draft, ParamValue
from habitue.segments.builder_convert import DATE_FILTERS, measures_of, operand_kind
from habitue.segments.definition import GROUP_KINDS
from habitue.segments.operators import OPS
from habitue.segments.parser import CONDITION_KINDS
from habitue.segments.phrases import UNITS

# (French, English)
TYPE_LABELS = {"indicator": ("Indicateur", "Indicator"),
               "field": ("Champ du contact", "Contact field"),
               "consent": ("Consentement", "Consent"),
               "attribute": ("Attribut personnalisé", "Custom attribute"),
               "behaviour": ("Comportement", "Behaviour"),
               "segment": ("Autre segment", "Other segment")}
KIND_LABELS = {"all": ("toutes ces règles (et)", "all of these rules (and)"),
               "any": ("au moins une de ces règles (ou)", "any of these rules (or)"),
               "none": ("aucune de ces règles (ni)", "none of these rules")}
OP_LABELS = {"is": ("est", "is"), "in": ("est parmi", "is one of"),
             "gt": ("plus de", "more than"), "gte": ("au moins", "at least"),
             "lt": ("moins de", "less than"), "lte": ("au plus", "at most"),
             "between": ("entre", "between"), "starts_with": ("commence par", "starts with"),
             "last": ("dans les derniers", "in the last"),
             "next": ("dans les prochains", "in the next"),
             "known": ("renseigné ou non", "known or not")}
DATE_OP_LABELS = {"is": ("le", "on"), "gt": ("après le", "after"),
                  "gte": ("le ou après le", "on or after"), "lt": ("avant le", "before"),
                  "lte": ("le ou avant le", "on or before"), "between": ("du … au", "from … to")}
LEVEL_OP_LABELS = {"gt": ("au-dessus de", "above"), "gte": ("au moins", "at least"),
                   "lt": ("en dessous de", "below"), "lte": ("au plus", "at most")}
KNOWN_LABELS = {"true": ("renseigné", "known"), "false": ("non renseigné", "unknown")}
YES_NO = {"true": ("oui", "yes"), "false": ("non", "no")}
ON_LABELS = {"level": ("niveau", "level"), "value": ("valeur", "value")}
STATE_LABELS = {"opt_in": ("a accepté", "opted in"), "opt_out": ("a refusé", "opted out"),
                "unknown": ("jamais demandé", "never asked")}
BEHAVIOUR_LABELS = {"bought": ("a acheté", "bought"), "attended": ("a assisté", "attended"),
                    "missed": ("a manqué", "missed")}
MEASURE_LABELS = {"": ("au moins une fois", "at least once"),
                  "lines": ("nombre de billets", "number of tickets"),
                  "orders": ("nombre de commandes", "number of orders"),
                  "performances": ("nombre de représentations", "number of performances"),
                  "amount": ("montant dépensé", "amount spent"),
                  "first_purchase": ("date du premier achat", "first purchase date"),
                  "last_purchase": ("date du dernier achat", "last purchase date")}
SEASON_LABELS = {"": ("toutes saisons", "any season"), "current": ("cette saison", "this season"),
                 "previous": ("la saison dernière", "last season")}
ATTRIBUTE_TYPE_LABELS = {"text": ("texte", "text"), "number": ("nombre", "number"),
                         "date": ("date", "date"), "boolean": ("oui / non", "yes / no")}
PARAM_LABELS = {
    "type": ("Type de règle", "Kind of rule"), "kind": ("Groupe", "Group"),
    "indicator": ("Indicateur", "Indicator"), "on": ("Comparer", "Compare"),
    "op": ("Comparaison", "Comparison"), "value": ("Valeur", "Value"),
    "value2": ("Jusqu'à", "Up to"), "values": ("Valeurs", "Values"), "unit": ("Unité", "Unit"),
    "field": ("Champ", "Field"), "channel": ("Canal", "Channel"), "state": ("État", "State"),
    "attribute": ("Attribut", "Attribute"), "as": ("Lu comme", "Read as"),
    "behaviour": ("Comportement", "Behaviour"), "family": ("Produits", "Products"),
    "genre": ("Genres", "Genres"), "season": ("Saison", "Season"),
    "measure": ("Mesure", "Measure"), "role": ("Rôle", "Role"),
    "product": ("Produits (ids)", "Products (ids)"),
    "performance": ("Représentations (ids)", "Performances (ids)"),
    "order_date": ("Date de commande", "Order date"),
    "performance_date": ("Date de représentation", "Performance date"),
    "segment": ("Segment", "Segment"),
}
CHOOSE = ("choisir…", "choose…")
LIST_HINT = ("séparés par des virgules", "separated by commas")


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Picker:
    """One input of a node: ``param`` is its draft parameter (the form field is
    ``<node id>.<param>``)."""

    param: str
    label: str
    widget: str  # select | checkboxes | text | number | decimal | date
    options: tuple[Option, ...] = ()
    value: ParamValue = ""
    rerender: bool = False  # changing it redraws the node (its other pickers depend on it)
    blank: str | None = None  # select: the label of an empty first choice; text: a hint
    section: str = "main"  # main | more (optional filters, folded)
    suggestions: tuple[str, ...] = ()
    labelled: bool = False  # its label is shown (the choices alone do not say what it is)


@dataclass(frozen=True)
class PickerContext:
    """What the store knows, for one organisation."""

    indicators: Sequence[str] = tuple(i.code for i in INDICATORS)  # the enabled ones
    segments: Mapping[str, str] = field(default_factory=dict)  # key -> name
    attributes: Sequence[str] = ()
    seasons: Mapping[str, str] = field(default_factory=dict)  # season id -> name
    genres: Sequence[str] = ()


def word(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "fr" else pair[1]


def _options(labels: Mapping[str, tuple[str, str]], lang: str,
             values: Sequence[str] | None = None) -> tuple[Option, ...]:
    return tuple(Option(v, word(labels[v], lang)) for v in (values or labels))


def _keep(options: tuple[Option, ...], current: str) -> tuple[Option, ...]:
    """``options``, with the current value added when it is not one of them (a disabled
    indicator, a deleted attribute: the parser says what is wrong, the picker still shows it)."""
    if current and current not in {o.value for o in options}:
        return (*options, Option(current, current))
    return options


class _Pickers:
    def __init__(self, node: Draft, ctx: PickerContext, lang: str) -> None:
        self.node, self.ctx, self.lang = node, ctx, lang

    def label(self, param: str) -> str:
        return word(PARAM_LABELS[param.split(".")[-1]], self.lang)

    def select(self, param: str, options: tuple[Option, ...], *, rerender: bool = False,
               blank: str | None = None, section: str = "main",
               labelled: bool = False) -> Picker:
        value = self.node.param(param)
        return Picker(param, self.label(param), "select", _keep(options, value), value,
                      rerender, blank, section, labelled=labelled)

    # -- per kind of node ---------------------------------------------------------------------

    def all(self) -> list[Picker]:
        n = self.node
        if n.is_group:
            return [Picker("kind", self.label("kind"), "select",
                           _options(KIND_LABELS, self.lang, GROUP_KINDS), n.kind, True)]
        head = Picker("type", self.label("type"), "select",
                      _options(TYPE_LABELS, self.lang, CONDITION_KINDS), n.type, True)
        return [head, *getattr(self, n.type)()]

    def indicator(self) -> list[Picker]:
        lang = self.lang
        names = tuple(Option(c, INDICATOR_BY_CODE[c].name(lang)) for c in self.ctx.indicators)
        out = [self.select("indicator", names, rerender=True, blank=word(CHOOSE, lang))]
        ind = INDICATOR_BY_CODE.get(self.node.param("indicator"))
        if ind is None:
            return out
        out.append(self.select("on", _options(ON_LABELS, lang), rerender=True))
        levels = tuple(Option(str(lv.level), lv.label(lang)) for lv in ind.levels)
        return out + self.comparison("", operand_kind(self.node), levels)

    def field(self) -> list[Picker]:
        lang = self.lang
        names = tuple(Option(f.name, f.label(lang)) for f in F.FIELDS)
        out = [self.select("field", names, rerender=True, blank=word(CHOOSE, lang))]
        spec = F.FIELD_BY_NAME.get(self.node.param("field"))
        if spec is None:
            return out
        values = tuple(Option(v, word(spec.value_labels.get(v, (v, v)), lang))
                       for v in spec.values)
        return out + self.comparison("", spec.kind, values)

    def consent(self) -> list[Picker]:
        channels = tuple(Option(c, F.CHANNEL_LABELS[c][0 if self.lang == "fr" else 1])
                         for c in F.CHANNELS)
        return [self.select("channel", channels),
                self.select("state", _options(STATE_LABELS, self.lang, F.CONSENT_STATES))]

    def attribute(self) -> list[Picker]:
        lang = self.lang
        names = tuple(Option(a, a) for a in self.ctx.attributes)
        return [self.select("attribute", names, blank=word(CHOOSE, lang)),
                self.select("as", _options(ATTRIBUTE_TYPE_LABELS, lang, F.ATTRIBUTE_TYPES),
                            rerender=True),
                *self.comparison("", operand_kind(self.node), ())]

    def segment(self) -> list[Picker]:
        names = tuple(Option(k, name) for k, name in self.ctx.segments.items())
        return [self.select("segment", names, blank=word(CHOOSE, self.lang))]

    def behaviour(self) -> list[Picker]:
        lang, n = self.lang, self.node
        measures = ("", *measures_of(n))
        families = tuple(Option(f, word((NOUNS[f][0][1], NOUNS[f][1][1]), lang))
                         for f in F.FAMILIES)
        seasons = (*_options(SEASON_LABELS, lang),
                   *(Option(k, name) for k, name in self.ctx.seasons.items()))
        roles = (Option("", word(("par défaut", "default"), lang)),
                 *(Option(r, word(ROLE_WORDS[r], lang)) for r in F.ROLES))
        out = [self.select("behaviour", _options(BEHAVIOUR_LABELS, lang, F.BEHAVIOURS),
                           rerender=True),
               Picker("family", self.label("family"), "checkboxes", families,
                      n.many("family")),
               Picker("genre", self.label("genre"), "text", value=n.param("genre"),
                      blank=word(LIST_HINT, lang), suggestions=tuple(self.ctx.genres),
                      labelled=True),
               self.select("season", seasons),
               self.select("measure", _options(MEASURE_LABELS, lang, measures), rerender=True)]
        if n.param("measure"):
            out += self.comparison("", operand_kind(n), ())
        for key in ("product", "performance"):
            out.append(Picker(key, self.label(key), "text", value=n.param(key),
                              blank=word(LIST_HINT, lang), section="more", labelled=True))
        for key in DATE_FILTERS:
            out += self.comparison(f"{key}.", "period", (), optional=True, section="more")
        out.append(self.select("role", roles, section="more", labelled=True))
        return out

    # -- comparisons --------------------------------------------------------------------------

    def comparison(self, prefix: str, kind: str | None, values: tuple[Option, ...], *,
                   optional: bool = False, section: str = "main") -> list[Picker]:
        """The operator of ``kind`` and the inputs its value takes (``values``: the choices of
        an enumeration or a level)."""
        if kind is None:
            return []
        lang, n = self.lang, self.node
        labels = DATE_OP_LABELS if kind in ("date", "period") else \
            LEVEL_OP_LABELS if kind == "level" else {}
        ops = tuple(Option(op, word(labels.get(op, OP_LABELS[op]), lang)) for op in OPS[kind])
        op_label = self.label(prefix[:-1]) if prefix else self.label("op")
        op = n.param(f"{prefix}op")
        blank = word(("peu importe", "any"), lang) if optional else None
        out = [Picker(f"{prefix}op", op_label, "select", ops, op, True, blank, section,
                      labelled=optional)]
        if not op:
            return out

        def base(param: str) -> Picker:
            value = n.param(param)
            if kind in ("enum", "level"):
                return Picker(param, self.label(param), "select", values, value,
                              section=section)
            if kind == "boolean":
                return Picker(param, self.label(param), "select", _options(YES_NO, lang),
                              value, section=section)
            widget = {"count": "number", "integer": "number", "number": "decimal",
                      "amount": "decimal", "date": "date", "period": "date"}.get(kind, "text")
            return Picker(param, self.label(param), widget, value=value, section=section)

        p = prefix
        if op == "known":
            out.append(Picker(f"{p}value", self.label("value"), "select",
                              _options(KNOWN_LABELS, lang), n.param(f"{p}value"),
                              section=section))
        elif op in ("last", "next"):
            units = tuple(Option(u, UNITS[u][1] if lang == "fr" else UNITS[u][4]) for u in UNITS)
            unit = n.param(f"{p}unit") or "months"
            out += [Picker(f"{p}value", self.label("value"), "number",
                           value=n.param(f"{p}value"), section=section),
                    Picker(f"{p}unit", self.label("unit"), "select", units, unit,
                           section=section)]
        elif op == "in" and kind in ("enum", "level"):
            out.append(Picker(f"{p}values", self.label("values"), "checkboxes", values,
                              n.many(f"{p}values"), section=section))
        elif op == "in":
            out.append(Picker(f"{p}value", self.label("values"), "text",
                              value=n.param(f"{p}value"), blank=word(LIST_HINT, lang),
                              section=section))
        elif op == "between":
            out += [base(f"{p}value"), base(f"{p}value2")]
        else:
            out.append(base(f"{p}value"))
        return out


def node_pickers(node: Draft, context: PickerContext, lang: str = "fr") -> list[Picker]:
    """The pickers of ``node`` (a group: its kind; a condition: its kind of rule, then what it
    compares, the operator and the value)."""
    return _Pickers(node, context, lang).all()
