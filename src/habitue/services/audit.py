"""The audit log: who did what, to what, in which organisation, and when.

Entry points record the actions people care about afterwards (a list exported, a segment or a
contact changed, a user created, a login); the account service records its own. An action is
a dotted ``noun.verb`` (``list.export``, ``segment.update``, ``contact.update``,
``user.create``, ``token.revoke``, ``auth.login``), the target names the thing (a list id, a
segment key, a contact id, a login) and ``detail`` holds what else is worth keeping (JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from habitue.domain.access import Principal
from habitue.storage import account_store
from habitue.storage.account_store import AuditRecord
from habitue.storage.store import Store

MAX_PAGE = 500


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditRecord]
    total: int
    """How many entries match the filters in all."""
    limit: int
    offset: int


def storable(text: str) -> str:
    """``text`` without what a store cannot hold (NUL, lone surrogates)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def actor_name(actor: str | Principal) -> str:
    return actor.login if isinstance(actor, Principal) else actor


def record_in(conn: sa.Connection, actor: str | Principal, action: str,
              target: str | None = None, organisation: str | None = None,
              detail: dict | None = None, *, now: datetime) -> int:
    """Record an entry inside the caller's transaction (it is kept only if the change is)."""
    return account_store.insert_audit(
        conn, at=now, actor=actor_name(actor), action=action,
        target=None if target is None else str(target), organisation_id=organisation,
        detail=detail)


class AuditLog:
    """``ws.audit``: record entries and read them back."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, actor: str | Principal, action: str, target: str | None = None,
               organisation: str | None = None, detail: dict | None = None, *,
               now: datetime) -> int:
        """Record that ``actor`` did ``action`` to ``target``; returns the entry's id."""
        with self.store.begin() as conn:
            return record_in(conn, actor, action, target, organisation, detail, now=now)

    def query(self, *, viewer: Principal | None = None, actor: str | None = None,
              action: str | None = None, target: str | None = None,
              organisation: str | None = None, since: datetime | None = None,
              until: datetime | None = None, limit: int = 50, offset: int = 0) -> AuditPage:
        """Entries matching every filter given, newest first, one page of them.

        ``viewer``: only what this principal may see — every entry for an administrator of
        every organisation, otherwise the entries of its organisations (entries without an
        organisation, such as user changes by a global administrator, are left out)."""
        filters = (actor, action, target, organisation)
        if any(f is not None and f != storable(f) for f in filters):
            return AuditPage([], 0, limit, offset)  # never recorded: matches nothing
        limit = max(1, min(int(limit), MAX_PAGE))
        offset = max(0, int(offset))
        visible = None
        if viewer is not None and viewer.organisations is not None:
            visible = sorted(viewer.organisations)
        with self.store.connect() as conn:
            entries, total = account_store.query_audit(
                conn, actor=actor, action=action, target=target, organisation=organisation,
                visible=visible, since=since, until=until, limit=limit, offset=offset)
        return AuditPage(entries, total, limit, offset)
