"""A segment definition as data: a tree of frozen nodes, each with a stable ``id``.

    rules:                                    # the root: all of these
      - {id: n1, indicator: abonne, level: Oui}
      - id: n2
        behaviour: bought
        genre: Opéra
        season: current
        lines: {gte: 2}
      - id: n3
        any:
          - {id: n4, field: postal_code, starts_with: "75"}
          - {id: n5, consent: email}

Groups are ``all`` / ``any`` / ``none``; conditions are on an indicator, a contact field, a
consent, a custom attribute, a behaviour (the facts as of D) or another saved segment. The
parser (``parser.py``) builds these nodes from plain dicts and is the only way in; the nodes
serialise back with ``to_dict`` (canonical operator names, every id present), which is what a
store keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ROOT_ID = "root"
GROUP_KINDS = ("all", "any", "none")


@dataclass(frozen=True)
class Window:
    """A calendar window relative to the reference date D: ``last 12 months`` is
    ``(D − 12 months, D]``, ``next 30 days`` is ``[D, D + 30 days]``."""

    count: int
    unit: str  # days | weeks | months | years

    def __str__(self) -> str:
        return f"{self.count} {self.unit}"


Scalar = int | Decimal | date | str | bool


@dataclass(frozen=True)
class Comparison:
    """``op`` (canonical name, see ``operators.py``) applied to ``value``: a scalar, a tuple
    (``in``, ``between``), a ``Window`` (``last``, ``next``) or a bool (``known``)."""

    op: str
    value: Scalar | tuple[Scalar, ...] | Window


@dataclass(frozen=True)
class Group:
    id: str
    kind: str  # all | any | none
    children: tuple[Node, ...]


@dataclass(frozen=True)
class IndicatorCondition:
    """The level (``on='level'``, an integer of the catalogue's level table) or the value of an
    indicator of the segment's organisation."""

    id: str
    indicator: str
    on: str  # level | value
    comparison: Comparison


@dataclass(frozen=True)
class FieldCondition:
    id: str
    field: str
    comparison: Comparison


@dataclass(frozen=True)
class ConsentCondition:
    """``opt_in``: the contact said yes to the channel; ``opt_out``: said no; ``unknown``:
    never asked. The three partition the contacts."""

    id: str
    channel: str  # email | sms | post
    state: str = "opt_in"


@dataclass(frozen=True)
class AttributeCondition:
    """A custom attribute (an unknown column of an import, kept as text in ``attributes``),
    read as ``type`` (text, number, date or boolean); a value that does not read as that type
    is unknown."""

    id: str
    attribute: str
    type: str
    comparison: Comparison


@dataclass(frozen=True)
class BehaviourCondition:
    """What the contact did, from the facts as of D (``spec/indicators.md``): the lines of the
    organisation chosen by ``behaviour`` and the filters, measured per contact by ``measure``.

    - ``bought``: countable lines (PAID or RESERVED as of D); ``amount`` sums the revenue lines
      (PAID) among them;
    - ``attended``: countable lines scanned at the door on or before D;
    - ``missed``: countable lines of a performance dated on or before D, not scanned by then.

    ``role`` says whose lines they are (``holder``, ``buyer`` or ``payer``); None means the
    measure's own default (``DEFAULT_ROLE``). Without a measure the condition is "at least one
    line"."""

    id: str
    behaviour: str  # bought | attended | missed
    role: str | None = None
    family: tuple[str, ...] = ()
    genre: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    performance: tuple[str, ...] = ()
    season: str | None = None  # current | previous | a season id
    order_date: Comparison | None = None
    performance_date: Comparison | None = None
    measure: str | None = None  # lines | orders | performances | amount | first_purchase | …
    comparison: Comparison | None = None

    @property
    def effective_role(self) -> str:
        return self.role or DEFAULT_ROLE[self.measure or "lines"]


# Orders and money belong to the buyer (as for PMG and Filière de vente); tickets, attendance
# and purchase dates to the holder (as for Assiduité, Abonné and Récence).
DEFAULT_ROLE = {
    "lines": "holder", "performances": "holder", "first_purchase": "holder",
    "last_purchase": "holder", "orders": "buyer", "amount": "buyer",
}
BEHAVIOUR_FILTERS = ("family", "genre", "product", "performance")


@dataclass(frozen=True)
class SegmentRef:
    """Membership of another saved segment, by its key; evaluated when used (dynamic)."""

    id: str
    segment: str


Condition = (IndicatorCondition | FieldCondition | ConsentCondition | AttributeCondition
             | BehaviourCondition | SegmentRef)
Node = Group | Condition


@dataclass(frozen=True)
class SegmentDefinition:
    """The root: ``rules`` is an ``all`` group whose id is always ``root``."""

    rules: Group
    version: int = 1

    def nodes(self) -> Iterator[tuple[str, Node]]:
        """Every node with its path, in document order (pre-order)."""
        yield "rules", self.rules
        yield from _walk(self.rules, "rules")

    def node(self, node_id: str) -> Node:
        for _, n in self.nodes():
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def segment_refs(self) -> list[tuple[str, SegmentRef]]:
        return [(p, n) for p, n in self.nodes() if isinstance(n, SegmentRef)]

    def to_dict(self) -> dict:
        return {"version": self.version, "rules": [node_to_dict(c) for c in self.rules.children]}


def child_path(group_path: str, kind: str, index: int) -> str:
    """``rules[2]`` for a child of the root, ``rules[2].any[0]`` below."""
    return f"{group_path}[{index}]" if group_path == "rules" else f"{group_path}.{kind}[{index}]"


def _walk(group: Group, path: str) -> Iterator[tuple[str, Node]]:
    for i, child in enumerate(group.children):
        p = child_path(path, group.kind, i)
        yield p, child
        if isinstance(child, Group):
            yield from _walk(child, p)


# -- serialisation --------------------------------------------------------------------------

def value_to_json(value: object) -> object:
    if isinstance(value, tuple):
        return [value_to_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Window):
        return str(value)
    return value


def comparison_to_json(c: Comparison) -> dict:
    return {c.op: value_to_json(c.value)}


def _ids(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def node_to_dict(node: Node) -> dict:
    out: dict = {"id": node.id}
    if isinstance(node, Group):
        out[node.kind] = [node_to_dict(c) for c in node.children]
    elif isinstance(node, IndicatorCondition):
        out["indicator"] = node.indicator
        out[node.on] = comparison_to_json(node.comparison)
    elif isinstance(node, FieldCondition):
        out["field"] = node.field
        out.update(comparison_to_json(node.comparison))
    elif isinstance(node, ConsentCondition):
        out["consent"] = node.channel
        if node.state != "opt_in":
            out["state"] = node.state
    elif isinstance(node, AttributeCondition):
        out["attribute"] = node.attribute
        out["type"] = node.type
        out.update(comparison_to_json(node.comparison))
    elif isinstance(node, BehaviourCondition):
        out["behaviour"] = node.behaviour
        if node.role:
            out["role"] = node.role
        for key in BEHAVIOUR_FILTERS:
            if getattr(node, key):
                out[key] = _ids(getattr(node, key))
        if node.season:
            out["season"] = node.season
        for key in ("order_date", "performance_date"):
            if getattr(node, key) is not None:
                out[key] = comparison_to_json(getattr(node, key))
        if node.measure:
            out[node.measure] = comparison_to_json(node.comparison)
    elif isinstance(node, SegmentRef):
        out["segment"] = node.segment
    else:  # pragma: no cover - every node kind is listed above
        raise TypeError(type(node))
    return out
