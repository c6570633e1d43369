"""Plain dicts (from JSON or YAML) → a ``SegmentDefinition``, or a ``SpecError`` with the path
of the faulty node and a sentence in English and French. This module reads the structure
(groups, ids); ``conditions.py`` reads each kind of condition.

Node ids: a node may come without ``id``; the parser then gives it the first free ``n1``,
``n2``… in document order, so parsing the same text twice gives the same ids. What a store keeps
is ``definition.to_dict()``, where every node has its id: from then on ids are stable, whatever
edits move the nodes around. ``require_ids=True`` rejects a definition with a missing id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import yaml

from habitue.segments.conditions import CONDITION_PARSERS, Vocabulary, only
from habitue.segments.definition import (
    GROUP_KINDS,
    ROOT_ID,
    Group,
    Node,
    SegmentDefinition,
    child_path,
)
from habitue.segments.errors import SpecError, unknown
from habitue.segments.operators import wrong_type

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CONDITION_KINDS = tuple(CONDITION_PARSERS)
NODE_KINDS = GROUP_KINDS + CONDITION_KINDS

__all__ = ["Vocabulary", "load_definition", "parse_definition"]


def load_definition(text: str, *, vocabulary: Vocabulary | None = None,
                    require_ids: bool = False) -> SegmentDefinition:
    """Parse JSON or YAML text (JSON is YAML; a JSON error is reported as JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise SpecError("wrong_type", "", f"not valid YAML or JSON: {e}",
                            f"ni YAML ni JSON valide : {e}") from None
    return parse_definition(data, vocabulary=vocabulary, require_ids=require_ids)


def parse_definition(data: object, *, vocabulary: Vocabulary | None = None,
                     require_ids: bool = False) -> SegmentDefinition:
    return _Parser(vocabulary or Vocabulary(), require_ids).definition(data)


class _Parser:
    def __init__(self, vocabulary: Vocabulary, require_ids: bool) -> None:
        self.vocabulary = vocabulary
        self.require_ids = require_ids
        self.seen: dict[str, str] = {}  # id -> path
        self.taken: set[str] = set()
        self.next_free = 1

    # -- structure ------------------------------------------------------------------------

    def definition(self, data: object) -> SegmentDefinition:
        if not isinstance(data, dict):
            raise wrong_type("", "object", data)
        for key in data:
            if key not in ("rules", "version"):
                raise unknown("unknown_key", str(key), "key", "clé inconnue", key,
                              ("rules", "version"))
        if "rules" not in data:
            raise SpecError("missing_key", "rules", "a definition needs 'rules'",
                            "une définition a besoin de « rules »")
        version = data.get("version", 1)
        if version != 1:
            raise SpecError("bad_value", "version", f"unknown version {version!r}; expected 1",
                            f"version inconnue {version!r} ; attendue : 1")
        self.taken = set(_explicit_ids(data["rules"]))
        children = self.children(data["rules"], "rules", "all")
        return SegmentDefinition(Group(ROOT_ID, "all", children))

    def children(self, raw: object, group_path: str, kind: str) -> tuple[Node, ...]:
        """The children of the group at ``group_path`` (``rules`` for the root)."""
        path = group_path if group_path == "rules" else f"{group_path}.{kind}"
        if not isinstance(raw, list):
            raise wrong_type(path, "list", raw)
        if not raw:
            what = "the definition" if path == "rules" else f"'{kind}'"
            quoi = "la définition" if path == "rules" else f"« {kind} »"
            raise SpecError("empty_group", path,
                            f"{what} has no rule: it would match no one or everyone",
                            f"{quoi} n'a aucune règle : elle ne correspondrait à personne "
                            "ou à tout le monde")
        return tuple(self.node(item, child_path(group_path, kind, i))
                     for i, item in enumerate(raw))

    def node(self, raw: object, path: str) -> Node:
        if not isinstance(raw, dict):
            raise wrong_type(path, "object", raw)
        kinds = [k for k in NODE_KINDS if k in raw]
        if not kinds:
            raise SpecError(
                "missing_key", path,
                f"a rule needs one of: {', '.join(NODE_KINDS)}",
                f"une règle a besoin de l'une de ces clés : {', '.join(NODE_KINDS)}")
        if len(kinds) > 1:
            raise SpecError("ambiguous_node", f"{path}.{kinds[1]}",
                            f"a rule is of one kind; got {' and '.join(kinds)}",
                            f"une règle est d'un seul type ; reçu : {' et '.join(kinds)}")
        node_id = self.node_id(raw, path)
        kind = kinds[0]
        if kind in GROUP_KINDS:
            only(raw, path, ("id", kind))
            return Group(node_id, kind, self.children(raw[kind], path, kind))
        return self.condition(kind, raw, path, node_id)

    def node_id(self, raw: dict, path: str) -> str:
        if "id" not in raw:
            if self.require_ids:
                raise SpecError("bad_id", path, "this rule has no id", "cette règle n'a pas d'id")
            while f"n{self.next_free}" in self.taken:
                self.next_free += 1
            self.taken.add(f"n{self.next_free}")
            return f"n{self.next_free}"
        node_id = raw["id"]
        if not isinstance(node_id, str) or not ID_PATTERN.match(node_id) or node_id == ROOT_ID:
            raise SpecError("bad_id", f"{path}.id",
                            f"the id '{node_id}' is not 1 to 40 letters, digits, '-' or '_' "
                            f"(and not '{ROOT_ID}')",
                            f"l'id « {node_id} » n'est pas fait de 1 à 40 lettres, chiffres, "
                            f"« - » ou « _ » (ni « {ROOT_ID} »)")
        if node_id in self.seen:
            raise SpecError("bad_id", f"{path}.id",
                            f"the id '{node_id}' is already used at {self.seen[node_id]}",
                            f"l'id « {node_id} » est déjà utilisé en {self.seen[node_id]}")
        self.seen[node_id] = path
        return node_id

    def condition(self, kind: str, raw: dict, path: str, node_id: str) -> Node:
        return CONDITION_PARSERS[kind](raw, path, node_id, self.vocabulary)


def _explicit_ids(raw: object) -> Iterator[str]:
    """The ids written in a raw tree, whatever its other faults (they are reported later)."""
    if isinstance(raw, list):
        for item in raw:
            yield from _explicit_ids(item)
    elif isinstance(raw, dict):
        if isinstance(raw.get("id"), str):
            yield raw["id"]
        for kind in GROUP_KINDS:
            yield from _explicit_ids(raw.get(kind))
