"""A segment definition as a sentence, in French or English:

    « Abonné : Oui, et a acheté au moins 2 billets d'opéra en 2025/2026 »
    "Subscriber: Yes, and bought at least 2 opera tickets in 2025/2026"

``describe`` gives the whole definition; ``describe_nodes`` one sentence per node id (what the
UI shows next to each rule). Level labels come from the indicator catalogue; ``Names`` gives the
display names of segments, seasons, products and performances (else their keys are shown).
"""

from __future__ import annotations

from habitue.indicators.catalogue import INDICATOR_BY_CODE, ValueType
from habitue.segments import phrases as W
from habitue.segments.behaviour_words import behaviour_sentence
from habitue.segments.definition import (
    AttributeCondition,
    BehaviourCondition,
    ConsentCondition,
    FieldCondition,
    Group,
    IndicatorCondition,
    Node,
    SegmentDefinition,
    SegmentRef,
)
from habitue.segments.fields import CHANNEL_LABELS, FIELD_BY_NAME
from habitue.segments.phrases import Names

FEMININE_FIELDS = {"city", "language", "birth_date", "created_at", "parent_contact_id"}


def describe(definition: SegmentDefinition, lang: str = "fr", *, names: Names | None = None,
             currency: str = "EUR") -> str:
    return _capital(_Describer(lang, names or Names(), currency).group(definition.rules, True))


def describe_nodes(definition: SegmentDefinition, lang: str = "fr", *,
                   names: Names | None = None, currency: str = "EUR") -> dict[str, str]:
    d = _Describer(lang, names or Names(), currency)
    return {node.id: _capital(d.group(node, True) if isinstance(node, Group) else d.node(node))
            for _, node in definition.nodes()}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Describer:
    def __init__(self, lang: str, names: Names, currency: str) -> None:
        self.lang = lang
        self.fr = lang == "fr"
        self.names = names
        self.currency = currency
        self.colon = W.colon(lang)

    def pick(self, fr: str, en: str) -> str:
        return fr if self.fr else en

    # -- groups ---------------------------------------------------------------------------

    def group(self, g: Group, top: bool = False) -> str:
        """``top``: the whole sentence (or the node described alone), not bracketed."""
        if len(g.children) == 1:
            only = g.children[0]
            if g.kind == "none":
                return self.negated(only)
            return self.group(only, top) if isinstance(only, Group) else self.node(only)
        parts = [self.node(c) for c in g.children]
        if g.kind == "none":
            text = self.pick("ni " + ", ni ".join(parts), "none of (" + "; ".join(parts) + ")")
            return text if top or not self.fr else f"({text})"
        if top and g.kind == "all":
            return self.pick(", et ", ", and ").join(parts)
        word = {"all": self.pick("et", "and"), "any": self.pick("ou", "or")}[g.kind]
        text = f" {word} ".join(parts)
        return text if top else f"({text})"

    def node(self, n: Node) -> str:
        if isinstance(n, Group):
            return self.group(n)
        return {IndicatorCondition: self.indicator, FieldCondition: self.field,
                ConsentCondition: self.consent, AttributeCondition: self.attribute,
                BehaviourCondition: self.behaviour, SegmentRef: self.segment}[type(n)](n)

    def negated(self, n: Node) -> str:
        if isinstance(n, BehaviourCondition) and n.measure is None:
            return self.behaviour(n, negated=True)
        if isinstance(n, ConsentCondition) and n.state == "opt_in":
            fr_what, en_what = CHANNEL_LABELS[n.channel]
            return self.pick(f"n'accepte pas {fr_what}", f"not opted in to {en_what}")
        if isinstance(n, SegmentRef):
            return self.pick(f"ne fait pas partie du segment {self.segment_name(n)}",
                             f"not in segment {self.segment_name(n)}")
        text = self.node(n)
        if not text.startswith("("):
            text = f"({text})"
        return self.pick(f"non {text}", f"not {text}")

    # -- conditions -----------------------------------------------------------------------

    def indicator(self, n: IndicatorCondition) -> str:
        ind = INDICATOR_BY_CODE[n.indicator]
        name, c = ind.name(self.lang), n.comparison
        if n.on == "level":
            def label(level: int) -> str:
                return ind.level(level).label(self.lang)
            v = c.value
            text = {
                "is": lambda: label(v),
                "in": lambda: W.or_list([label(x) for x in v], self.lang),
                "gte": lambda: self.pick(f"{label(v)} ou plus", f"{label(v)} or above"),
                "gt": lambda: self.pick(f"au-dessus de {label(v)}", f"above {label(v)}"),
                "lte": lambda: self.pick(f"{label(v)} ou moins", f"{label(v)} or below"),
                "lt": lambda: self.pick(f"en dessous de {label(v)}", f"below {label(v)}"),
                "between": lambda: self.pick(f"de {label(v[0])} à {label(v[1])}",
                                             f"{label(v[0])} to {label(v[1])}"),
            }[c.op]()
            return f"{name}{self.colon}{text}"
        subject = self.pick(f"valeur de {name}", f"{name} value")
        if ind.value_type == ValueType.DATE:
            text = W.date_phrase(c, self.lang, feminine=True)
        elif ind.value_type == ValueType.BOOLEAN:
            text = self.yes_no(c, feminine=True)
        else:
            fmt = (lambda v: W.money(v, self.lang, self.currency)) \
                if ind.value_type == ValueType.DECIMAL else self.number
            text = W.amount_phrase(c, self.lang, fmt, feminine=True)
        return _capital(subject) + self.colon + text

    def field(self, n: FieldCondition) -> str:
        spec = FIELD_BY_NAME[n.field]
        c, fem = n.comparison, n.field in FEMININE_FIELDS
        if spec.kind == "enum":
            text = W.text_phrase(c, self.lang, fmt=lambda v: spec.value_labels[v][
                0 if self.fr else 1])
        elif spec.kind == "date":
            text = W.date_phrase(c, self.lang, feminine=fem)
        elif n.field == "age":
            text = str(c.value) if c.op == "is" else W.amount_phrase(c, self.lang, str)
            text += self.pick(" ans", "") if c.op != "known" else ""
        elif spec.kind == "count":
            text = W.amount_phrase(c, self.lang, self.number, fewer=True)
        else:
            text = W.text_phrase(c, self.lang, feminine=fem)
        return spec.label(self.lang) + self.colon + text

    def consent(self, n: ConsentCondition) -> str:
        fr_what, en_what = CHANNEL_LABELS[n.channel]
        return {
            "opt_in": self.pick(f"accepte {fr_what}", f"opted in to {en_what}"),
            "opt_out": self.pick(f"a refusé {fr_what}", f"opted out of {en_what}"),
            "unknown": self.pick(f"consentement pour {fr_what} inconnu",
                                 f"{en_what} consent unknown"),
        }[n.state]

    def attribute(self, n: AttributeCondition) -> str:
        subject = self.pick("Attribut ", "Attribute ") + W.quote(n.attribute, self.lang)
        c = n.comparison
        if n.type == "date":
            text = W.date_phrase(c, self.lang)
        elif n.type == "number":
            text = W.amount_phrase(c, self.lang, self.number)
        elif n.type == "boolean":
            text = self.yes_no(c)
        else:
            text = W.text_phrase(c, self.lang)
        return subject + self.colon + text

    def segment(self, n: SegmentRef) -> str:
        return self.pick(f"fait partie du segment {self.segment_name(n)}",
                         f"in segment {self.segment_name(n)}")

    def segment_name(self, n: SegmentRef) -> str:
        return W.quote(self.names.segments.get(n.segment, n.segment), self.lang)

    def yes_no(self, c, feminine: bool = False) -> str:
        if c.op == "known":
            return W.date_phrase(c, self.lang, feminine=feminine)
        return self.pick("oui", "yes") if c.value else self.pick("non", "no")

    def number(self, v) -> str:
        return W.number(v, self.lang)

    # -- behaviour ------------------------------------------------------------------------

    def behaviour(self, n: BehaviourCondition, negated: bool = False) -> str:
        return behaviour_sentence(n, self.lang, negated=negated, names=self.names,
                                  currency=self.currency)
