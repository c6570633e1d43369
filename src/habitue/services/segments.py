"""Saved segments: create, update, delete, list and show them; count, preview and compare
their members; record the size of every saved segment after an indicator batch.

A definition is checked where it is written (``SpecError`` with the node's path): against what
the store knows (enabled indicators, saved segments, custom attributes and seasons of the
organisation), and for references to unknown segments and cycles. The store keeps
``definition.to_dict()`` (every node with its id).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import ibis
import sqlalchemy as sa

from habitue.segments import (
    Names,
    Scope,
    SegmentDefinition,
    SpecError,
    Vocabulary,
    describe,
    load_definition,
    parse_definition,
    resolve_references,
    segment_sql,
)
from habitue.segments.columns import Column, export_table, parse_columns
from habitue.segments.definition import BehaviourCondition
from habitue.services.segment_evaluation import (
    Evaluator,
    SegmentError,
    Target,
    evaluator,
    writing,
)
from habitue.storage import indicator_store as ist
from habitue.storage import segment_store as ss
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# the indicators a preview shows (their labels), when enabled
PREVIEW_INDICATORS = ("abonne", "assiduite", "pmg_n", "recence")
PREVIEW_FIELDS = ("contact_id", "first_name", "last_name", "structure_name", "email")

__all__ = [
    "SegmentError",
    "Target",
    "count_segment",
    "create_segment",
    "delete_segment",
    "list_segments",
    "overlap_segments",
    "preview_segment",
    "record_segment_sizes",
    "show_segment",
    "target_of",
    "update_segment",
]


@dataclass(frozen=True)
class SegmentSummary:
    segment: ss.SavedSegment
    sentence: str
    last_size: tuple | None  # (as_of, size) of the last indicator batch


@dataclass(frozen=True)
class SegmentDetails:
    segment: ss.SavedSegment
    sentence: str
    sql: str | None
    sizes: list[tuple]  # (as_of, size, batch_id), newest first


@dataclass(frozen=True)
class Preview:
    count: int
    headers: list[str]
    rows: list[tuple]


@dataclass(frozen=True)
class Overlap:
    a_only: int
    both: int
    b_only: int

    def as_dict(self) -> dict:
        return {"a_only": self.a_only, "both": self.both, "b_only": self.b_only}


@dataclass
class _Known:
    """What a definition of an organisation may name."""

    organisation: dict
    enabled: list[str]
    segments: dict[str, str] = field(default_factory=dict)  # key -> name
    definitions: dict[str, dict] = field(default_factory=dict)

    @property
    def organisation_id(self) -> str:
        return self.organisation["organisation_id"]

    @property
    def institution_id(self) -> str:
        return self.organisation.get("institution_id") or ""

    def resolver(self):
        def resolve(key: str) -> SegmentDefinition:
            return parse_definition(self.definitions[key])
        return resolve


# -- reading and checking definitions ---------------------------------------------------------

def _organisation(conn: sa.Connection, organisation: str | None) -> dict:
    if organisation:
        row = ss.organisation_row(conn, organisation)
        if row is None:
            raise SegmentError(f"unknown organisation '{organisation}'; known: "
                               f"{', '.join(ss.organisation_ids(conn)) or '(none)'}")
        return row
    known = ss.organisation_ids(conn)
    if len(known) != 1:
        raise SegmentError("give the organisation (--organisation): "
                           + (f"one of {', '.join(known)}" if known
                              else "there is none yet, import data first"))
    return ss.organisation_row(conn, known[0])


def _runner(conn: sa.Connection, store: Store) -> SqlRunner:
    return SqlRunner(native(conn), store.capabilities)


def _known(conn: sa.Connection, store: Store, organisation: dict) -> _Known:
    k = _Known(organisation, ist.enabled_codes(_runner(conn, store),
                                               organisation.get("institution_id") or ""))
    for s in ss.list_segments(conn, k.organisation_id):
        k.segments[s.key] = s.name
        k.definitions[s.key] = s.definition
    return k


def _check(conn: sa.Connection, store: Store, known: _Known,
           definition: str | dict | SegmentDefinition, key: str | None) -> SegmentDefinition:
    """The definition, parsed against what the store knows and with its references
    resolved (``SpecError`` otherwise)."""
    if not isinstance(definition, SegmentDefinition):
        vocabulary = Vocabulary(
            indicators=known.enabled, segments=set(known.segments),
            attributes=ss.attribute_names(conn, store.kind, known.institution_id),
            seasons=set(ss.season_names(conn, known.organisation_id)))
        if isinstance(definition, str):
            definition = load_definition(definition, vocabulary=vocabulary)
        else:
            definition = parse_definition(definition, vocabulary=vocabulary)
    resolve_references(definition, known.resolver(), key=key)
    return definition


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key or ""):
        raise SegmentError(f"the key '{key}' is not 1 to 64 letters, digits, '.', '-' or '_' "
                           "(starting with a letter or a digit)")
    return key


# -- create, update, delete -------------------------------------------------------------------

def create_segment(store: Store, *, key: str, definition: str | dict, now: datetime,
                   organisation: str | None = None, name: str | None = None,
                   by: str | None = None) -> ss.SavedSegment:
    check_key(key)
    with store.begin() as conn:
        if ss.get_segment(conn, key):
            raise SegmentError(f"a segment '{key}' already exists (use update)")
        known = _known(conn, store, _organisation(conn, organisation))
        parsed = _check(conn, store, known, definition, key)
        seg = ss.SavedSegment(key, known.organisation_id, name or key, parsed.to_dict(),
                              now, by, now, by)
        ss.insert_segment(conn, seg)
    return seg


def update_segment(store: Store, key: str, *, now: datetime,
                   definition: str | dict | None = None, name: str | None = None,
                   by: str | None = None) -> ss.SavedSegment:
    with store.begin() as conn:
        old = _saved(conn, key)
        new_definition = old.definition
        if definition is not None:
            known = _known(conn, store, _org_of(conn, old.organisation_id))
            new_definition = _check(conn, store, known, definition, key).to_dict()
        seg = ss.SavedSegment(key, old.organisation_id, name or old.name, new_definition,
                              old.created_at, old.created_by, now, by)
        ss.update_segment(conn, seg)
    return seg


def delete_segment(store: Store, key: str) -> None:
    """Delete a saved segment and its size history (not the lists frozen from it). A
    segment that other saved segments use is kept: they would no longer work."""
    with store.begin() as conn:
        seg = _saved(conn, key)
        users = [s.key for s in ss.list_segments(conn, seg.organisation_id) if s.key != key
                 and any(r.segment == key for _, r in parse_definition(s.definition)
                         .segment_refs())]
        if users:
            raise SegmentError(f"segment '{key}' is used by {', '.join(users)}: change them "
                               "first")
        ss.delete_segment(conn, key)


def _org_of(conn: sa.Connection, organisation: str) -> dict:
    return ss.organisation_row(conn, organisation) or {"organisation_id": organisation}


def _saved(conn: sa.Connection, key: str) -> ss.SavedSegment:
    seg = ss.get_segment(conn, key)
    if seg is None:
        raise SegmentError(f"unknown segment '{key}'")
    return seg


# -- reading ---------------------------------------------------------------------------------

def names_for(conn: sa.Connection, organisation: str,
              definitions: Sequence[SegmentDefinition]) -> Names:
    """Display names of what the definitions name (segments, seasons, products,
    performances)."""
    products: set[str] = set()
    performances: set[str] = set()
    for d in definitions:
        for _, n in d.nodes():
            if isinstance(n, BehaviourCondition):
                products.update(n.product)
                performances.update(n.performance)
    return Names(
        segments={s.key: s.name for s in ss.list_segments(conn, organisation)},
        seasons=ss.season_names(conn, organisation),
        products=ss.names_of(conn, "products", organisation, sorted(products)),
        performances=ss.names_of(conn, "performances", organisation, sorted(performances)))


def _sentence(conn: sa.Connection, seg_org: dict, definition: SegmentDefinition,
              lang: str) -> str:
    names = names_for(conn, seg_org["organisation_id"], [definition])
    return describe(definition, lang, names=names, currency=seg_org.get("currency") or "EUR")


def list_segments(store: Store, *, organisation: str | None = None,
                  lang: str = "fr") -> list[SegmentSummary]:
    with store.connect() as conn:
        sizes = ss.latest_sizes(conn)
        out = []
        for seg in ss.list_segments(conn, organisation):
            org = _org_of(conn, seg.organisation_id)
            out.append(SegmentSummary(seg, _sentence(conn, org, parse_definition(
                seg.definition), lang), sizes.get(seg.key)))
    return out


def show_segment(store: Store, key: str, *, lang: str = "fr", sql: bool = False,
                 as_of: date | None = None) -> SegmentDetails:
    """The segment, its sentence, its size history and (``sql``) its SQL on this store as of
    ``as_of``."""
    with store.connect() as conn:
        seg = _saved(conn, key)
        org = _org_of(conn, seg.organisation_id)
        definition = parse_definition(seg.definition)
        sentence = _sentence(conn, org, definition, lang)
        sizes = ss.segment_sizes_of(conn, key)
        text = None
        if sql:
            known = _known(conn, store, org)
            scope = Scope.on(seg.organisation_id, known.institution_id, as_of or date.today(),
                             ist.load_seasons(_runner(conn, store)))
            text = segment_sql(definition, store.kind, scope=scope,
                               resolve_segment=known.resolver(), key=key)
    return SegmentDetails(seg, sentence, text, sizes)


def describe_definition(store: Store, definition: str | dict, *, organisation: str | None,
                        lang: str = "fr") -> str:
    """Check an unsaved definition and give its sentence."""
    with store.connect() as conn:
        org = _organisation(conn, organisation)
        parsed = _check(conn, store, _known(conn, store, org), definition, None)
        return _sentence(conn, org, parsed, lang)


# -- evaluating ------------------------------------------------------------------------------

def target_of(store: Store, *, key: str | None = None, definition: str | dict | None = None,
              organisation: str | None = None) -> Target:
    """A saved segment (``key``), or an unsaved ``definition`` checked in ``organisation``."""
    with store.connect() as conn:
        if key is not None:
            seg = _saved(conn, key)
            org = _org_of(conn, seg.organisation_id)
            return Target(parse_definition(seg.definition), seg.organisation_id,
                          org.get("institution_id") or "", key)
        if definition is None:
            raise SegmentError("give a saved segment or a definition")
        org = _organisation(conn, organisation)
        known = _known(conn, store, org)
        return Target(_check(conn, store, known, definition, None), known.organisation_id,
                      known.institution_id)


def count_segment(store: Store, target: Target, *, as_of: date,
                  memory_limit: str = "3GB") -> int:
    with evaluator(store, as_of, memory_limit) as ev:
        return ev.count(target)


def preview_columns(enabled: Sequence[str]) -> tuple[Column, ...]:
    specs = [*PREVIEW_FIELDS]
    for code in PREVIEW_INDICATORS:
        if code in enabled:
            specs += [f"{code}:level", f"{code}:label"]
    return parse_columns(specs)


def preview_segment(store: Store, target: Target, *, as_of: date, limit: int = 20,
                    lang: str = "fr", memory_limit: str = "3GB") -> Preview:
    """How many members, and the first ``limit`` of them (by contact id) with their name,
    email and key indicators (level and label)."""
    with evaluator(store, as_of, memory_limit) as ev:
        enabled = ist.enabled_codes(ev.runner, target.institution_id)
        columns = preview_columns(enabled)
        count = ev.materialise(target)
        select = export_table(columns, organisation_id=target.organisation_id, lang=lang,
                              limit=limit)
        rows = ev.runner.fetchall(str(ibis.to_sql(select, dialect=ev.dialect)))
    return Preview(count, [c.spec for c in columns], [tuple(r) for r in rows])


def overlap_segments(store: Store, a: Target, b: Target, *, as_of: date,
                     memory_limit: str = "3GB") -> Overlap:
    """Members of A only, of both, of B only."""
    with evaluator(store, as_of, memory_limit) as ev:
        ev.materialise(a, "_seg_a")
        ev.materialise(b, "_seg_b")
        row = ev.runner.conn.execute(
            "SELECT count(*) FILTER (WHERE b.contact_id IS NULL), "
            "count(*) FILTER (WHERE a.contact_id IS NOT NULL AND b.contact_id IS NOT NULL), "
            "count(*) FILTER (WHERE a.contact_id IS NULL) "
            "FROM _seg_a a FULL OUTER JOIN _seg_b b ON a.institution_id = b.institution_id "
            "AND a.contact_id = b.contact_id").fetchone()
    return Overlap(*(int(x) for x in row))


# -- size history ----------------------------------------------------------------------------

def record_segment_sizes(runner: SqlRunner, organisations: Sequence[str] | None, as_of: date,
                         batch_id: int) -> dict[str, int]:
    """Record the size as of ``as_of`` of every saved segment of ``organisations`` (None:
    all) for the indicator batch ``batch_id``, on the batch's runner: on DuckDB outside any
    transaction (the facts it may need are temporary tables; the sizes are written in a short
    transaction of their own), on PostgreSQL inside the batch's transaction. A segment that no
    longer compiles is skipped. Returns the sizes by key."""
    wanted = None if organisations is None else set(organisations)
    ev = Evaluator(runner, as_of)
    sizes: list[tuple[str, int]] = []
    try:
        for key, (org, _) in sorted(ev.saved.items()):
            if wanted is not None and org not in wanted:
                continue
            try:
                target = ev.saved_target(key)
                sizes.append((key, ev.count(target)))
            except (SpecError, SegmentError):
                continue
        with writing(runner):
            ss.insert_sizes(runner, sizes, as_of=as_of, batch_id=batch_id)
    finally:
        ev.close()
    return dict(sizes)
