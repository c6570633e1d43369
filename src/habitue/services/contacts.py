"""Contacts as people and integrations see them: search, one contact with its consents,
custom attributes and family links, its indicators, and writes (create, update).

**Who sees a contact.** A contact belongs to an institution, and an institution groups
organisations that share their contacts. A principal sees a contact when it sees at least one
organisation of the contact's institution; a principal of every organisation also sees the
contacts of an institution without organisations. What it sees of the contact's indicators
(and orders) is limited to the organisations it sees. It may change a contact when it may write
in one of the organisations of the contact's institution.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from habitue.domain.access import AccessDenied, Principal
from habitue.domain.format import CONTACTS
from habitue.importers.reading import normalise_header
from habitue.importers.records import Record, RecordsRejected
from habitue.storage import contact_queries as cq
from habitue.storage import reference_queries as rq
from habitue.storage.contact_queries import ContactFilter

if TYPE_CHECKING:
    from habitue.services.workspace import IndicatorRow, Workspace

MAX_PAGE_SIZE = 100
CHANNELS = ("email", "sms", "post")
CONTACT_FIELDS = tuple(f.name for f in CONTACTS.fields)


class ContactError(Exception):
    """A contact request that cannot be done; ``field`` names the value at fault
    (``contact_id``, ``organisation``, ``institution``, ``email_opt_in``,
    ``attributes.points``…) or is None."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ContactNotFound(ContactError, LookupError):
    """No such contact (or organisation) among those the principal sees."""


class ContactConflict(ContactError):
    """The request names a contact ambiguously, or one that already exists."""


class ContactInvalid(ContactError, ValueError):
    """A value the import format refuses."""


@dataclass(frozen=True)
class Visibility:
    """The institutions a principal sees contacts of, each with the organisations of it the
    principal sees. ``everything``: no restriction (every institution, with or without
    organisations)."""

    institutions: dict[str, list[str]]
    everything: bool

    def institution_ids(self) -> list[str] | None:
        return None if self.everything else sorted(self.institutions)

    def organisations_of(self, institution: str) -> list[str]:
        return list(self.institutions.get(institution, []))

    def sees(self, institution: str) -> bool:
        return self.everything or institution in self.institutions


@dataclass(frozen=True)
class ContactPage:
    total: int
    page: int
    page_size: int
    items: list[dict]


@dataclass(frozen=True)
class ContactCard:
    """One contact: its stored fields, its consents, custom attributes, the contact it is
    attached to and those attached to it, and the organisations of its institution that the
    principal sees."""

    contact: dict
    consents: dict[str, str]
    attributes: dict[str, str]
    parent: dict | None
    children: list[dict]
    organisations: list[str] = field(default_factory=list)


def consent_state(value: bool | None) -> str:
    return "unknown" if value is None else ("opt_in" if value else "opt_out")


def attributes_of(value: object) -> dict[str, str]:
    if value is None:
        return {}
    data = json.loads(value) if isinstance(value, str) else dict(value)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def search_words(q: str | None) -> tuple[str, ...]:
    return tuple(w for w in (q or "").split() if w)[:cq.MAX_WORDS]


class Contacts:
    """``ws.contacts``: the contact use cases, scoped to a principal."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def store(self):
        return self.ws.store

    # -- who sees what --------------------------------------------------------------------

    def visibility(self, principal: Principal) -> Visibility:
        with self.store.connect() as conn:
            by_inst = rq.organisations_by_institution(conn)
        if principal.organisations is None:
            return Visibility(by_inst, True)
        return Visibility({i: principal.visible(orgs) for i, orgs in by_inst.items()
                           if principal.visible(orgs)}, False)

    def organisations_of_institution(self, institution: str) -> list[str] | None:
        """Every organisation of the institution (None: no such institution)."""
        with self.store.connect() as conn:
            return rq.organisations_by_institution(conn).get(institution)

    def institution_of(self, organisation: str) -> str | None:
        with self.store.connect() as conn:
            for inst, orgs in rq.organisations_by_institution(conn).items():
                if organisation in orgs:
                    return inst
        return None

    # -- reading --------------------------------------------------------------------------

    def search(self, principal: Principal, *, q: str | None = None,
               organisation: str | None = None, kind: str | None = None,
               postal_code: str | None = None, page: int = 1,
               page_size: int = 20) -> ContactPage:
        """Contacts whose name, structure name or email contains every word of ``q``
        (whatever the case), or whose id is one of the words; of ``organisation``'s
        institution; of a ``kind``; with a postal code starting with ``postal_code``. One
        page of them, with how many match in all."""
        page, page_size = max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))
        seen = self.visibility(principal)
        institutions = seen.institution_ids()
        if organisation:
            principal.require_read(organisation)
            inst = self.institution_of(organisation)
            if inst is None:
                raise ContactNotFound(f"no organisation {organisation!r}", "organisation")
            institutions = [inst]
        f = ContactFilter(search_words(q), institutions, kind, (postal_code or "").strip()
                          or None)
        with self.store.connect() as conn:
            total, items = cq.search_contacts(conn, f, offset=(page - 1) * page_size,
                                              limit=page_size)
        return ContactPage(total, page, page_size, items)

    def find(self, principal: Principal, contact_id: str,
             institution: str | None = None) -> dict:
        """The stored row of a contact the principal sees. ``institution`` is needed only
        when the id exists in several institutions the principal sees."""
        seen = self.visibility(principal)
        if institution is not None and not seen.sees(institution):
            raise ContactNotFound(f"no contact {contact_id!r} in institution {institution!r}",
                                  "contact_id")
        insts = [institution] if institution is not None else seen.institution_ids()
        with self.store.connect() as conn:
            rows = cq.find_contacts(conn, contact_id, insts)
        if not rows:
            raise ContactNotFound(f"no contact {contact_id!r}", "contact_id")
        if len(rows) > 1:
            raise ContactConflict(
                f"contact {contact_id!r} exists in institutions "
                f"{', '.join(r['institution_id'] for r in rows)}: give the institution",
                "institution")
        return rows[0]

    def card(self, principal: Principal, contact_id: str,
             institution: str | None = None) -> ContactCard:
        row = self.find(principal, contact_id, institution)
        inst = row["institution_id"]
        with self.store.connect() as conn:
            parent = None
            if row.get("parent_contact_id"):
                found = cq.get_contact(conn, inst, row["parent_contact_id"])
                parent = {c: found.get(c) for c in cq.SUMMARY_COLUMNS} if found else None
            children = cq.children_of(conn, inst, contact_id)
        contact = {c: row.get(c) for c in CONTACT_FIELDS}
        consents = {ch: consent_state(row.get(f"{ch}_opt_in")) for ch in CHANNELS}
        return ContactCard(contact, consents, attributes_of(row.get("attributes")), parent,
                           children, self.visibility(principal).organisations_of(inst))

    def indicators(self, principal: Principal, contact_id: str, *,
                   institution: str | None = None,
                   organisation: str | None = None) -> Iterator[IndicatorRow]:
        """The contact's indicators in each organisation of its institution the principal sees
        (or in ``organisation``); disabled indicators left out."""
        row = self.find(principal, contact_id, institution)
        orgs = self.visibility(principal).organisations_of(row["institution_id"])
        if organisation is not None:
            principal.require_read(organisation)
            if organisation not in orgs:
                raise ContactNotFound(f"contact {contact_id!r} is not a contact of organisation "
                                      f"{organisation!r}", "organisation")
            orgs = [organisation]
        for org in orgs:
            yield from self.ws.indicator_rows(organisation=org, contact=contact_id)

    # -- writing --------------------------------------------------------------------------

    def require_write(self, principal: Principal, institution: str) -> None:
        """The principal may write in one of the institution's organisations (a principal of
        every organisation may write in an institution without organisations)."""
        seen = self.visibility(principal)
        orgs = seen.organisations_of(institution)
        if any(principal.can_write(o) for o in orgs):
            return
        if principal.organisations is None and not orgs and principal.can_write(None):
            return
        raise AccessDenied(f"{principal.login} ({principal.role}) may not change contacts of "
                           f"institution {institution!r}")

    def create(self, principal: Principal, values: dict, *, now: datetime) -> dict:
        """Create a contact from the open format's fields (``values``, JSON types) and its
        custom ``attributes``; returns the stored row. The values go through the importer's
        rules (``ws.ingest_records``: every rule of ``docs/import-format.md``, recorded as an
        import run) and the contact's real-time indicators are computed in the same
        transaction."""
        values = dict(values)
        inst = values.get("institution_id") or self._only_institution(principal)
        values["institution_id"] = inst
        self.require_write(principal, inst)
        with self.store.connect() as conn:
            if cq.get_contact(conn, inst, values["contact_id"]):
                raise ContactConflict(f"contact {values['contact_id']!r} already exists in "
                                      f"institution {inst!r} (change it with PATCH)",
                                      "contact_id")
        self._write(principal, values, now=now, action="create")
        with self.store.connect() as conn:
            return cq.get_contact(conn, inst, values["contact_id"])

    def update(self, principal: Principal, contact_id: str, changes: dict, *, now: datetime,
               institution: str | None = None) -> dict:
        """Change a contact: the fields in ``changes`` only (None clears one); attributes
        set to None are removed, the others kept."""
        row = self.find(principal, contact_id, institution)
        self.require_write(principal, row["institution_id"])
        values = {**changes, "contact_id": contact_id, "institution_id": row["institution_id"]}
        self._write(principal, values, now=now, action="update")
        with self.store.connect() as conn:
            return cq.get_contact(conn, row["institution_id"], contact_id)

    def _only_institution(self, principal: Principal) -> str:
        seen = self.visibility(principal)
        if len(seen.institutions) == 1:
            return next(iter(seen.institutions))
        if not seen.institutions and seen.everything:
            return "default"
        raise ContactInvalid("give the institution: the caller sees "
                             + (", ".join(sorted(seen.institutions)) or "none"),
                             "institution")

    def _write(self, principal: Principal, values: dict, *, now: datetime,
               action: str) -> None:
        """Store the contact through the importer's rules (``ws.ingest_records``: one
        transaction with the refresh of its real-time indicators; nothing stored when a value
        is refused)."""
        record = Record("contacts", _record_values(values), must_exist=action == "update")
        try:
            self.ws.ingest_records([record], now=now,
                                   source=f"api: contact {action} by {principal.login}")
        except RecordsRejected as exc:
            first = exc.rejects[0]
            raise ContactInvalid(first.reason, _field_of(first.field, values)) from exc


def _record_values(values: dict) -> dict:
    """The record of a contact: the format's fields, then the custom attributes as extra
    keys (None: an empty cell, which clears). An attribute whose name would be read as a
    field of the format is refused."""
    row: dict = {}
    for name, value in values.items():
        if name == "attributes":
            continue
        if name not in CONTACT_FIELDS:
            raise ContactInvalid(f"unknown field {name!r}", name)
        row[name] = value
    names: dict[str, str] = {}
    for key, value in (values.get("attributes") or {}).items():
        name = str(key).strip()
        where = f"attributes.{key}"
        norm = normalise_header(name)
        if not norm:
            raise ContactInvalid(f"{key!r} cannot name a custom attribute", where)
        if norm in CONTACT_FIELDS or norm == "attributes":
            raise ContactInvalid(f"custom attribute {key!r} would be read as the column "
                                 f"{norm!r}: choose another name", where)
        if norm in names:
            raise ContactInvalid(f"custom attributes {names[norm]!r} and {key!r} name the "
                                 "same column", where)
        names[norm] = str(key)
        row[name] = value
    return row


def _field_of(key: str | None, values: dict) -> str | None:
    """The request field a reject's record key came from."""
    if not key or key in CONTACT_FIELDS:
        return key
    attributes = {str(k).strip(): k for k in values.get("attributes") or {}}
    return f"attributes.{attributes[key]}" if key in attributes else key
