"""API schemas of contacts: search results, one contact, writes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from habitue.api.schemas import DateText, DateTimeText, LocalDateTime

Kind = Literal["INDIVIDUAL", "STRUCTURE"]
ConsentState = Literal["opt_in", "opt_out", "unknown"]


class ContactSummary(BaseModel):
    """A contact in a list: its ids, name, email, phone and where it lives."""

    model_config = ConfigDict(extra="ignore")
    institution_id: str
    contact_id: str
    kind: str | None = None
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    structure_name: str | None = None
    email: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    city: str | None = None
    parent_contact_id: str | None = None


class ContactPage(BaseModel):
    total: int = Field(description="How many contacts match, in all pages.")
    page: int
    page_size: int
    items: list[ContactSummary]


class Consents(BaseModel):
    email: ConsentState
    sms: ConsentState
    post: ConsentState


class _ContactFields(BaseModel):
    """The fields of the open format's ``contacts`` file (``docs/import-format.md``)."""

    kind: Kind | None = None
    structure_type: str | None = None
    parent_contact_id: str | None = None
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    structure_name: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: DateText | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2 code (FR, BE…).")
    language: str | None = None
    created_at: DateTimeText | None = Field(
        None, description="When the contact was created in the ticketing system (local time "
                          "of the institution, or with an offset).")
    email_opt_in: StrictBool | None = None
    sms_opt_in: StrictBool | None = None
    post_opt_in: StrictBool | None = None


class ContactPublic(_ContactFields):
    model_config = ConfigDict(extra="ignore")
    institution_id: str
    contact_id: str
    birth_date: date | None = None
    created_at: LocalDateTime | None = Field(
        None, description="When the contact was created in the ticketing system (local time "
                          "of its institution's organisations).")
    consents: Consents
    attributes: dict[str, str] = Field(description="Custom attributes (text).")
    parent: ContactSummary | None = Field(description="The contact this one is attached to.")
    children: list[ContactSummary] = Field(description="The contacts attached to this one.")
    organisations: list[str] = Field(
        description="The organisations of the contact's institution the caller sees.")


class ContactCreate(_ContactFields):
    """A new contact. ``institution_id`` may be left out when the caller sees a single
    institution."""

    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(min_length=1, max_length=200)
    institution_id: str | None = Field(None, min_length=1, max_length=200)
    attributes: dict[str, str] = Field(default_factory=dict,
                                       description="Custom attributes (text).")


class ContactUpdate(_ContactFields):
    """A change: fields left out are kept, fields given as null are cleared (as an empty cell
    of an import). In ``attributes``, a key set to null is removed, other keys are kept."""

    model_config = ConfigDict(extra="forbid")
    attributes: dict[str, str | None] = Field(default_factory=dict)


class ContactIndicator(BaseModel):
    organisation_id: str
    indicator: str
    value: float | int | bool | date | str | None = Field(
        description="The value (a number, a yes/no, a date), or null when unknown.")
    level: int
    label: str = Field(description="The level's label in the requested language.")
