"""Marketing lists: the members of a saved segment on one date, frozen, with the definition
they came from (and the definitions of the saved segments it used). A list does not change
when the facts do; its segment does."""

from __future__ import annotations

from datetime import date, datetime

from habitue.segments import resolve_references
from habitue.services.segment_evaluation import SegmentError, evaluator, writing
from habitue.storage import segment_store as ss
from habitue.storage.store import Store


def freeze_list(store: Store, segment_key: str, *, name: str, as_of: date, now: datetime,
                by: str | None = None, memory_limit: str = "3GB") -> ss.MarketingList:
    """Freeze the members of ``segment_key`` as of ``as_of`` into a new list."""
    name = (name or "").strip()
    if not name:
        raise SegmentError("a list needs a name")
    with evaluator(store, as_of, memory_limit) as ev:
        target = ev.saved_target(segment_key)
        members_sql = ev.members_sql(target)
        used = resolve_references(target.definition, ev.resolver(target.organisation_id),
                                  key=segment_key)
        with writing(ev.runner):
            m = ss.MarketingList(
                ss.next_list_id(ev.runner), name, target.organisation_id,
                target.institution_id, segment_key, target.definition.to_dict(),
                {k: d.to_dict() for k, d in sorted(used.items())}, as_of, now, by, 0)
            count = ss.insert_list(ev.runner, m, members_sql)
    return ss.MarketingList(**{**m.__dict__, "member_count": count})


def list_lists(store: Store, *, organisation: str | None = None) -> list[ss.MarketingList]:
    with store.connect() as conn:
        return ss.list_lists(conn, organisation)


def find_list(store: Store, ref: str) -> ss.MarketingList:
    """A list by its id, or by its name when no other list has it."""
    with store.connect() as conn:
        if str(ref).isdigit():
            found = ss.get_list(conn, int(ref))
            if found:
                return found
        named = ss.lists_named(conn, str(ref))
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(str(m.list_id) for m in named)
        raise SegmentError(f"{len(named)} lists are named '{ref}': give its id ({ids})")
    raise SegmentError(f"unknown list '{ref}' (give its id or its name; see habitue lists "
                       "list)")


def delete_list(store: Store, ref: str) -> ss.MarketingList:
    m = find_list(store, ref)
    with store.begin() as conn:
        ss.delete_list(conn, m.list_id)
    return m
