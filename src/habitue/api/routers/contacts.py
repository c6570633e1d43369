"""Contacts: search, one contact, create and update, and a contact's indicators.

A caller sees a contact when it sees one of the organisations of the contact's institution
(see :mod:`habitue.services.contacts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from habitue.api.deps import NowDep, PrincipalDep, WorkspaceDep
from habitue.api.errors import ERROR_RESPONSES, ApiError
from habitue.api.schemas import Lang
from habitue.api.schemas_contacts import (
    ContactCreate,
    ContactIndicator,
    ContactPage,
    ContactPublic,
    ContactSummary,
    ContactUpdate,
)
from habitue.services.contacts import (
    ContactCard,
    ContactConflict,
    ContactInvalid,
    ContactNotFound,
)

router = APIRouter(tags=["contacts"], responses=ERROR_RESPONSES)

Institution = Annotated[str | None, Query(
    description="The contact's institution; needed only when the id exists in several "
                "institutions the caller sees.")]


LOCATIONS = {"contact_id": "path.contact_id", "organisation": "query.organisation",
             "institution": "query.institution"}


@contextmanager
def contact_errors(**where: str) -> Iterator[None]:
    """The service's errors as API errors. The service names fields plainly
    (``organisation``, ``email_opt_in``, ``attributes.points``); they are placed in the
    request by ``where``, then ``LOCATIONS``, else in the body."""

    def field(name: str | None) -> str | None:
        return None if name is None else where.get(name) or LOCATIONS.get(name, f"body.{name}")

    try:
        yield
    except ContactNotFound as exc:
        raise ApiError(404, "not_found", str(exc), field(exc.field)) from exc
    except ContactConflict as exc:
        raise ApiError(409, "conflict", str(exc), field(exc.field)) from exc
    except ContactInvalid as exc:
        raise ApiError(422, "rejected", str(exc), field(exc.field)) from exc


def _public(card: ContactCard) -> ContactPublic:
    return ContactPublic(**card.contact, consents=card.consents, attributes=card.attributes,
                         parent=card.parent, children=card.children,
                         organisations=card.organisations)


@router.get("/contacts", response_model=ContactPage)
def search_contacts(
    ws: WorkspaceDep, principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200, description=(
        "Words that must all appear (whatever the case) in the first name, last name, "
        "structure name or email, or be the contact id."))] = None,
    organisation: Annotated[str | None, Query(
        description="Only the contacts of this organisation's institution.")] = None,
    kind: Literal["INDIVIDUAL", "STRUCTURE"] | None = None,
    postal_code: Annotated[str | None, Query(max_length=20,
                                             description="A postal code prefix.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ContactPage:
    """Search the contacts the caller sees, sorted by last name (or structure name), first
    name and id; ``total`` counts the matches of every page."""
    with contact_errors():
        found = ws.contacts.search(principal, q=q, organisation=organisation, kind=kind,
                                   postal_code=postal_code, page=page, page_size=page_size)
    return ContactPage(total=found.total, page=found.page, page_size=found.page_size,
                       items=[ContactSummary(**c) for c in found.items])


@router.get("/contacts/{contact_id}", response_model=ContactPublic)
def get_contact(contact_id: str, ws: WorkspaceDep, principal: PrincipalDep,
                institution: Institution = None) -> ContactPublic:
    """The contact's fields, consents, custom attributes, and the contacts it is linked to
    (the structure or parent it is attached to, those attached to it)."""
    with contact_errors():
        return _public(ws.contacts.card(principal, contact_id, institution))


@router.post("/contacts", response_model=ContactPublic, status_code=201)
def create_contact(body: ContactCreate, ws: WorkspaceDep, principal: PrincipalDep,
                   now: NowDep) -> ContactPublic:
    """Create a contact. Its values are checked by the rules of the import format (a
    reference to an unknown parent, a country that is not a code… are refused with the
    field at fault), and its real-time indicators computed."""
    with contact_errors(contact_id="body.contact_id", institution="body.institution_id"):
        row = ws.contacts.create(principal, body.model_dump(exclude_unset=True), now=now)
        ws.audit.record(principal, "contact.create", row["contact_id"], None,
                        {"institution_id": row["institution_id"]}, now=now)
        return _public(ws.contacts.card(principal, row["contact_id"], row["institution_id"]))


@router.patch("/contacts/{contact_id}", response_model=ContactPublic)
def update_contact(contact_id: str, body: ContactUpdate, ws: WorkspaceDep,
                   principal: PrincipalDep, now: NowDep,
                   institution: Institution = None) -> ContactPublic:
    """Change a contact: the fields sent are changed (null clears one), the others kept.
    Custom attributes sent are set (null removes one), the others kept."""
    changes = body.model_dump(exclude_unset=True)
    with contact_errors():
        row = ws.contacts.update(principal, contact_id, changes, now=now,
                                 institution=institution)
        ws.audit.record(principal, "contact.update", contact_id, None,
                        {"institution_id": row["institution_id"],
                         "fields": sorted(changes)}, now=now)
        return _public(ws.contacts.card(principal, contact_id, row["institution_id"]))


@router.get("/contacts/{contact_id}/indicators", response_model=list[ContactIndicator])
def contact_indicators(contact_id: str, ws: WorkspaceDep, principal: PrincipalDep,
                       organisation: str | None = None, lang: Lang | None = None,
                       institution: Institution = None) -> list[ContactIndicator]:
    """The contact's indicators (value, level and the level's label) in each organisation
    of its institution the caller sees, or in ``organisation``. Disabled indicators are
    left out; one not computed yet shows its default."""
    lang = lang or ws.settings.lang
    with contact_errors():
        rows = list(ws.contacts.indicators(principal, contact_id, institution=institution,
                                           organisation=organisation))
    return [ContactIndicator(organisation_id=r.organisation_id, indicator=r.indicator,
                             value=float(r.value) if isinstance(r.value, Decimal) else r.value,
                             level=r.level, label=r.label(lang)) for r in rows]
