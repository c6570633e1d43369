"""The segment builder's draft: a definition being edited with pickers, as a tree of plain
strings, and the edits a person makes to it.

A ``Draft`` node is a group (``all`` / ``any`` / ``none``) or a condition of one of the parser's
kinds (``indicator``, ``field``…), whose parameters are the texts the pickers hold
(``{"field": "age", "op": "gte", "value": "18"}``). It is not a definition yet: a draft may be
incomplete or wrong; ``builder_convert.draft_to_raw`` turns it into the dict the parser reads,
and the parser's ``SpecError.path`` points back at a node with ``node_at_path``.

Every node keeps its id across edits (the ids the saved definition keeps); a new node gets
``n<k>`` with ``k`` above every ``n<digits>`` id of the tree, so an id is never given to two
different nodes of one segment's history in a session.

A web form carries a draft as fields named ``<id>.<param>`` (see ``draft_from_form`` /
``draft_to_form``): ``nodes`` lists the ids in document order, ``<id>.parent`` the parent's id,
``<id>.type`` the kind of node (``group`` or a condition kind) and ``<id>.kind`` a group's kind.
``<id>.was`` is what the condition was about when the form was drawn (``subject_of``): when
the person picks another kind of rule its parameters start again, and when they pick another
field or indicator its comparison does (a level of Assiduité means nothing to Abonné).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from habitue.segments.definition import GROUP_KINDS, ROOT_ID, child_path
from habitue.segments.parser import CONDITION_KINDS, ID_PATTERN

GROUP = "group"
NODE_TYPES = (GROUP, *CONDITION_KINDS)
# parameters holding several values (checkboxes); the others hold one text
MULTI_PARAMS = ("values", "family")
COMPARISON_PARAMS = ("op", "value", "value2", "values", "unit")
_N_ID = re.compile(r"^n(\d+)$")

ParamValue = str | tuple[str, ...]


class DraftError(ValueError):
    """A draft or an edit that does not make sense (a form that was tampered with, an unknown
    node): not a person's mistake in a rule, which the parser reports."""


@dataclass(frozen=True)
class Draft:
    id: str
    type: str  # group | indicator | field | consent | attribute | behaviour | segment
    kind: str = "all"  # groups: all | any | none
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    children: tuple[Draft, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.type == GROUP

    def param(self, name: str, default: str = "") -> str:
        value = self.params.get(name, default)
        return value if isinstance(value, str) else (value[0] if value else default)

    def many(self, name: str) -> tuple[str, ...]:
        value = self.params.get(name, ())
        if isinstance(value, str):
            return (value,) if value else ()
        return tuple(v for v in value if v)


def subject_of(node: Draft) -> str:
    """What a condition is about, as far as its comparison is concerned (``field:age``,
    ``indicator:pmg/level``)."""
    if node.type == "indicator":
        return f"indicator:{node.param('indicator')}/{node.param('on', 'level')}"
    if node.type == "field":
        return f"field:{node.param('field')}"
    return f"{node.type}:"


def _after_change(node: Draft, was: str | None) -> Draft:
    """``node`` as the form sent it, knowing what it was about when the form was drawn."""
    if was is None or was == subject_of(node):
        return node
    if was.split(":", 1)[0] != node.type:
        return replace(node, params={})
    return replace(node, params={k: v for k, v in node.params.items()
                                 if k not in COMPARISON_PARAMS})


def empty_draft() -> Draft:
    """A new segment: the root group with one condition to fill in."""
    return Draft(ROOT_ID, GROUP, "all", {}, (Draft("n1", "indicator"),))


def walk(node: Draft, path: str = "rules") -> Iterator[tuple[str, Draft, Draft | None]]:
    """``(path, node, parent)`` of every node in document order, the root first; the paths are
    the parser's (``rules[1].any[0]``)."""
    yield path, node, None

    def below(group: Draft, group_path: str) -> Iterator[tuple[str, Draft, Draft | None]]:
        for i, child in enumerate(group.children):
            p = child_path(group_path, group.kind, i)
            yield p, child, group
            if child.is_group:
                yield from below(child, p)
    yield from below(node, path)


def find(root: Draft, node_id: str) -> Draft:
    for _, node, _ in walk(root):
        if node.id == node_id:
            return node
    raise DraftError(f"no rule '{node_id}' in this segment")


def node_at_path(root: Draft, path: str) -> str:
    """The id of the node a ``SpecError`` path is about: the deepest node whose path is the
    error's or a prefix of it (``rules[1].any[0].gte`` → the node at ``rules[1].any[0]``)."""
    best, best_len = root.id, -1
    for p, node, _ in walk(root):
        if (path == p or path.startswith((p + ".", p + "["))) and len(p) > best_len:
            best, best_len = node.id, len(p)
    return best


def next_id(root: Draft) -> str:
    numbers = [int(m.group(1)) for _, n, _ in walk(root) if (m := _N_ID.match(n.id))]
    return f"n{max(numbers, default=0) + 1}"


# -- edits ------------------------------------------------------------------------------------

def _rebuild(node: Draft, node_id: str, change) -> Draft:
    """``node`` with the node ``node_id`` replaced by ``change(that node)`` (None removes it)."""
    children = []
    for child in node.children:
        if child.id == node_id:
            new = change(child)
            if new is not None:
                children.append(new)
        else:
            children.append(_rebuild(child, node_id, change) if child.is_group else child)
    return replace(node, children=tuple(children))


def _edit(root: Draft, node_id: str, change) -> Draft:
    find(root, node_id)
    if node_id == root.id:
        new = change(root)
        if new is None:
            raise DraftError("the root of a segment cannot be removed")
        return new
    return _rebuild(root, node_id, change)


def _group(root: Draft, group_id: str) -> Draft:
    group = find(root, group_id)
    if not group.is_group:
        raise DraftError(f"'{group_id}' is a condition, not a group")
    return group


def add_condition(root: Draft, parent_id: str, type: str = "indicator") -> tuple[Draft, str]:
    """A new empty condition at the end of the group ``parent_id``; returns its id."""
    _group(root, parent_id)
    if type not in CONDITION_KINDS:
        raise DraftError(f"unknown kind of condition '{type}'")
    new_id = next_id(root)
    new = Draft(new_id, type)
    return _edit(root, parent_id, lambda g: replace(g, children=(*g.children, new))), new_id


def add_group(root: Draft, parent_id: str, kind: str = "any") -> tuple[Draft, str]:
    """A new group at the end of ``parent_id``, with one empty condition in it (a group without
    rules means nothing); returns the group's id."""
    _group(root, parent_id)
    if kind not in GROUP_KINDS:
        raise DraftError(f"unknown kind of group '{kind}'")
    group_id = next_id(root)
    first = Draft(f"n{int(group_id[1:]) + 1}", "indicator")
    new = Draft(group_id, GROUP, kind, {}, (first,))
    return _edit(root, parent_id, lambda g: replace(g, children=(*g.children, new))), group_id


def remove_node(root: Draft, node_id: str) -> Draft:
    return _edit(root, node_id, lambda n: None)


def set_kind(root: Draft, group_id: str, kind: str) -> Draft:
    _group(root, group_id)
    if kind not in GROUP_KINDS or (group_id == root.id and kind != "all"):
        raise DraftError(f"a group cannot be '{kind}' here")
    return _edit(root, group_id, lambda g: replace(g, kind=kind))


def set_type(root: Draft, node_id: str, type: str) -> Draft:
    """Change what a condition is about; its parameters start again from nothing."""
    if find(root, node_id).is_group or type not in CONDITION_KINDS:
        raise DraftError(f"'{node_id}' cannot become a '{type}' condition")
    return _edit(root, node_id, lambda n: replace(n, type=type, params={}))


def set_params(root: Draft, node_id: str, **params: ParamValue) -> Draft:
    return _edit(root, node_id, lambda n: replace(n, params={**n.params, **params}))


def move_node(root: Draft, node_id: str, delta: int) -> Draft:
    """Move a node up (``-1``) or down (``+1``) among its siblings (ids unchanged)."""
    for _, node, parent in walk(root):
        if node.id == node_id and parent is not None:
            kids = list(parent.children)
            i = kids.index(node)
            j = min(max(i + delta, 0), len(kids) - 1)
            kids.insert(j, kids.pop(i))
            return _edit(root, parent.id, lambda g, kids=tuple(kids): replace(g, children=kids))
    raise DraftError(f"'{node_id}' cannot be moved")


ACTIONS = ("add-condition", "add-group", "remove", "up", "down")


def apply_action(root: Draft, action: str) -> Draft:
    """An edit written as the builder's buttons send it: ``add-condition:<group id>``,
    ``add-group:<group id>``, ``remove:<id>``, ``up:<id>``, ``down:<id>``."""
    name, _, node_id = (action or "").partition(":")
    if name == "add-condition":
        return add_condition(root, node_id)[0]
    if name == "add-group":
        return add_group(root, node_id)[0]
    if name == "remove":
        return remove_node(root, node_id)
    if name in ("up", "down"):
        return move_node(root, node_id, -1 if name == "up" else 1)
    raise DraftError(f"unknown action '{action}'")


# -- the web form ---------------------------------------------------------------------------

def draft_to_form(root: Draft) -> list[tuple[str, str]]:
    """The form fields that carry ``root`` (what ``draft_from_form`` reads back)."""
    out: list[tuple[str, str]] = []
    for _, node, parent in walk(root):
        out.append(("nodes", node.id))
        out.append((f"{node.id}.parent", parent.id if parent else ""))
        out.append((f"{node.id}.type", node.type))
        if node.is_group:
            out.append((f"{node.id}.kind", node.kind))
        else:
            out.append((f"{node.id}.was", subject_of(node)))
        for name, value in node.params.items():
            for v in ((value,) if isinstance(value, str) else value):
                out.append((f"{node.id}.{name}", v))
    return out


def draft_from_form(fields: Mapping[str, Sequence[str]] | Sequence[tuple[str, str]]) -> Draft:
    """The draft a builder form carries. ``fields``: every value of every field name (a
    ``MultiDict``'s lists), or the (name, value) pairs."""
    if not isinstance(fields, Mapping):
        grouped: dict[str, list[str]] = {}
        for name, value in fields:
            grouped.setdefault(name, []).append(value)
        fields = grouped
    ids = list(dict.fromkeys(fields.get("nodes", ())))
    if not ids or ids[0] != ROOT_ID:
        raise DraftError("the form does not carry a segment")
    for node_id in ids:
        if node_id != ROOT_ID and not ID_PATTERN.match(node_id):
            raise DraftError(f"bad rule id '{node_id}'")

    def one(name: str, default: str = "") -> str:
        values = fields.get(name) or [default]
        return str(values[0])

    nodes: dict[str, dict] = {}
    for node_id in ids:
        node_type = one(f"{node_id}.type", GROUP if node_id == ROOT_ID else "")
        if node_type not in NODE_TYPES:
            raise DraftError(f"rule '{node_id}' has no kind")
        kind = one(f"{node_id}.kind", "all") if node_type == GROUP else "all"
        if kind not in GROUP_KINDS:
            raise DraftError(f"rule '{node_id}' has an unknown group kind")
        params: dict[str, ParamValue] = {}
        prefix = f"{node_id}."
        for name, values in fields.items():
            if not name.startswith(prefix):
                continue
            param = name[len(prefix):]
            if param in ("parent", "type", "kind", "was"):
                continue
            values = [str(v) for v in values]
            params[param] = tuple(values) if param.split(".")[-1] in MULTI_PARAMS \
                else (values[0] if values else "")
        nodes[node_id] = {"type": node_type, "kind": kind, "params": params, "children": [],
                          "parent": one(f"{node_id}.parent") if node_id != ROOT_ID else None,
                          "was": fields[f"{node_id}.was"][0] if fields.get(f"{node_id}.was")
                          else None}
    if nodes[ROOT_ID]["type"] != GROUP:
        raise DraftError("the root of a segment is a group")
    for node_id in ids[1:]:
        parent = nodes[node_id]["parent"]
        if parent not in nodes or nodes[parent]["type"] != GROUP or parent == node_id:
            raise DraftError(f"rule '{node_id}' has no group")
        nodes[parent]["children"].append(node_id)

    def build(node_id: str, seen: frozenset[str]) -> Draft:
        if node_id in seen:
            raise DraftError("the rules of the form make a loop")
        n = nodes[node_id]
        node = Draft(node_id, n["type"], n["kind"], n["params"],
                     tuple(build(c, seen | {node_id}) for c in n["children"]))
        return node if node.is_group else _after_change(node, n["was"])
    root = build(ROOT_ID, frozenset())
    if len(list(walk(root))) != len(ids):
        raise DraftError("some rules of the form are not in the segment")
    return replace(root, kind="all")
