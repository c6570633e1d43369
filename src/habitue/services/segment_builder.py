"""The segment builder's use cases: what an organisation's pickers offer, and checking a draft
while it is edited — its sentence, each rule's sentence, its count, or the rule at fault.

The draft is the builder's tree (``segments.builder``); it is checked exactly as a saved
definition is (``services.segments.target_of``: enabled indicators, saved segments, custom
attributes, seasons, references and cycles), so what the builder counts is what saving keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from habitue.segments import SegmentDefinition, SpecError, describe, describe_nodes
from habitue.segments.builder import Draft, node_at_path
from habitue.segments.builder_convert import draft_to_raw, normalise
from habitue.segments.pickers import PickerContext
from habitue.services import segments
from habitue.services.segment_evaluation import SegmentError, Target
from habitue.storage import indicator_store as ist
from habitue.storage import segment_store as ss
from habitue.storage.bulk import SqlRunner
from habitue.storage.store import Store, native

if TYPE_CHECKING:
    from habitue.services.workspace import Workspace


@dataclass(frozen=True)
class DraftCheck:
    """A draft, checked: either ``error`` (and the id of the rule at fault, ``error_node``), or
    its ``definition``, ``sentence``, one sentence per rule and (when asked) its ``count``."""

    draft: Draft  # normalised (operators among those allowed)
    definition: SegmentDefinition | None = None
    sentence: str | None = None
    node_sentences: dict[str, str] = field(default_factory=dict)
    count: int | None = None
    error: SpecError | None = None
    error_node: str | None = None
    target: Target | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def raw(self) -> dict | None:
        return self.definition.to_dict() if self.definition else None


def picker_context(store: Store, organisation: str, *, exclude: str | None = None
                   ) -> PickerContext:
    """What the pickers of ``organisation`` offer: its institution's enabled indicators, its
    saved segments (but ``exclude``, the one being edited: it cannot contain itself), the
    custom attributes of its contacts, its seasons and the genres of its products."""
    with store.connect() as conn:
        org = ss.organisation_row(conn, organisation)
        if org is None:
            raise SegmentError(f"unknown organisation '{organisation}'")
        institution = org.get("institution_id") or ""
        enabled = ist.enabled_codes(SqlRunner(native(conn), store.capabilities), institution)
        saved = {s.key: s.name for s in ss.list_segments(conn, organisation) if s.key != exclude}
        attributes = sorted(ss.attribute_names(conn, store.kind, institution))
        seasons = ss.season_names(conn, organisation)
        genres = ss.genres_of(conn, organisation)
    ordered_seasons = dict(sorted(seasons.items(), key=lambda kv: kv[0], reverse=True))
    return PickerContext(indicators=tuple(enabled), segments=saved, attributes=attributes,
                         seasons=ordered_seasons, genres=tuple(genres))


def check_draft(store: Store, draft: Draft, *, organisation: str, as_of: date,
                lang: str = "fr", count: bool = True, memory_limit: str = "3GB") -> DraftCheck:
    """Check ``draft`` in ``organisation``; its members are counted as of ``as_of`` when
    ``count``. A wrong or unfinished draft is never counted."""
    draft = normalise(draft)
    try:
        target = segments.target_of(store, definition=draft_to_raw(draft),
                                    organisation=organisation)
        with store.connect() as conn:
            org = ss.organisation_row(conn, organisation) or {}
            names = segments.names_for(conn, organisation, [target.definition])
        currency = org.get("currency") or "EUR"
        sentence = describe(target.definition, lang, names=names, currency=currency)
        per_node = describe_nodes(target.definition, lang, names=names, currency=currency)
        size = segments.count_segment(store, target, as_of=as_of,
                                      memory_limit=memory_limit) if count else None
    except SpecError as e:
        return DraftCheck(draft, error=e, error_node=node_at_path(draft, e.path))
    return DraftCheck(draft, target.definition, sentence, per_node, size, target=target)


def size_history(store: Store, key: str, limit: int = 60) -> list[tuple[date, int]]:
    """The sizes recorded after each indicator computation, oldest first."""
    with store.connect() as conn:
        rows = ss.segment_sizes_of(conn, key, limit)
    return [(as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of)), int(size))
            for as_of, size, _ in reversed(rows)]



class SegmentBuilder:
    """``ws.segment_builder``: the builder's use cases on the workspace's store."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def pickers(self, organisation: str, *, exclude: str | None = None) -> PickerContext:
        self.ws.require_schema()
        return picker_context(self.ws.store, organisation, exclude=exclude)

    def check(self, draft: Draft, *, organisation: str, as_of: date, lang: str = "fr",
              count: bool = True) -> DraftCheck:
        self.ws.require_schema()
        return check_draft(self.ws.store, draft, organisation=organisation, as_of=as_of,
                           lang=lang, count=count, memory_limit=self.ws.settings.memory_limit)

    def size_history(self, key: str) -> list[tuple[date, int]]:
        return size_history(self.ws.store, key)
