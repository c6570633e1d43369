"""The open import format, as data (``spec/data-format.md``).

Each entity of the format is described once here: its fields (type, required, default,
enumeration), its natural key and its references. The importer, the schema and the docs read
these descriptions; nothing else lists the columns again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from habitue.domain.enums import (
    Audience,
    Channel,
    ContactKind,
    LineStatus,
    PerformanceKind,
    ProductFamily,
)


class FieldType(StrEnum):
    ID = "id"  # source-system identifier, text
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"  # stored as the organisation's local wall-clock time
    DECIMAL = "decimal"  # money, 2 decimals, >= 0
    BOOLEAN = "boolean"
    INTEGER = "integer"  # >= 0
    ENUM = "enum"
    TIMEZONE = "timezone"  # IANA name
    CURRENCY = "currency"  # ISO 4217
    COUNTRY = "country"  # ISO 3166 alpha-2


class Scope(StrEnum):
    """How a reference finds its target's key."""

    GLOBAL = "global"  # the value alone is the key (organisation_id)
    ORGANISATION = "organisation"  # (organisation_id, value)
    INSTITUTION = "institution"  # (institution of the row, value): contacts


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    default: str | None = None
    enum: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Reference:
    column: str
    target: str
    scope: Scope


@dataclass(frozen=True)
class Entity:
    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    # order_lines: one file may hold several rows of one key (one per status change)
    history_fields: tuple[str, ...] = ()
    doc: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def get(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def id_column(self) -> str:
        """The entity's own identifier column (the last key column)."""
        return self.key[-1]


def _enum(name: str, values: type[StrEnum], *, required: bool = False, default: str | None = None):
    return Field(name, FieldType.ENUM, required, default, tuple(v.value for v in values))


_ORG = Field("organisation_id", FieldType.ID, required=True)
_ORG_REF = Reference("organisation_id", "organisations", Scope.GLOBAL)

ORGANISATIONS = Entity(
    "organisations",
    (
        Field("organisation_id", FieldType.ID, required=True),
        Field("name", FieldType.TEXT, required=True),
        Field("institution_id", FieldType.ID, default="default"),
        Field("timezone", FieldType.TIMEZONE, default="Europe/Paris"),
        Field("currency", FieldType.CURRENCY, default="EUR"),
    ),
    key=("organisation_id",),
)

SEASONS = Entity(
    "seasons",
    (
        _ORG,
        Field("season_id", FieldType.ID, required=True),
        Field("name", FieldType.TEXT),
        Field("start_date", FieldType.DATE, required=True),
        Field("end_date", FieldType.DATE, required=True),
    ),
    key=("organisation_id", "season_id"),
    references=(_ORG_REF,),
)

CONTACTS = Entity(
    "contacts",
    (
        Field("contact_id", FieldType.ID, required=True),
        Field("institution_id", FieldType.ID, default="default"),
        _enum("kind", ContactKind, default=ContactKind.INDIVIDUAL.value),
        Field("structure_type", FieldType.TEXT),
        Field("parent_contact_id", FieldType.ID),
        Field("title", FieldType.TEXT),
        Field("first_name", FieldType.TEXT),
        Field("last_name", FieldType.TEXT),
        Field("structure_name", FieldType.TEXT),
        Field("email", FieldType.TEXT),
        Field("phone", FieldType.TEXT),
        Field("birth_date", FieldType.DATE),
        Field("street", FieldType.TEXT),
        Field("postal_code", FieldType.TEXT),
        Field("city", FieldType.TEXT),
        Field("country", FieldType.COUNTRY),
        Field("language", FieldType.TEXT),
        Field("created_at", FieldType.DATETIME),
        Field("email_opt_in", FieldType.BOOLEAN),
        Field("sms_opt_in", FieldType.BOOLEAN),
        Field("post_opt_in", FieldType.BOOLEAN),
    ),
    key=("institution_id", "contact_id"),
    references=(Reference("parent_contact_id", "contacts", Scope.INSTITUTION),),
)

PRODUCTS = Entity(
    "products",
    (
        _ORG,
        Field("product_id", FieldType.ID, required=True),
        Field("name", FieldType.TEXT, required=True),
        _enum("family", ProductFamily, required=True),
        _enum("audience", Audience, default=Audience.ALL.value),
        Field("genre", FieldType.TEXT),
        Field("season_id", FieldType.ID),
        Field("valid_from", FieldType.DATE),
        Field("valid_to", FieldType.DATE),
    ),
    key=("organisation_id", "product_id"),
    references=(_ORG_REF, Reference("season_id", "seasons", Scope.ORGANISATION)),
)

PERFORMANCES = Entity(
    "performances",
    (
        _ORG,
        Field("performance_id", FieldType.ID, required=True),
        Field("product_id", FieldType.ID),
        Field("name", FieldType.TEXT),
        _enum("kind", PerformanceKind, default=PerformanceKind.EVENT.value),
        Field("starts_at", FieldType.DATETIME, required=True),
        Field("season_id", FieldType.ID),
        Field("venue", FieldType.TEXT),
        Field("capacity", FieldType.INTEGER),
    ),
    key=("organisation_id", "performance_id"),
    references=(
        _ORG_REF,
        Reference("product_id", "products", Scope.ORGANISATION),
        Reference("season_id", "seasons", Scope.ORGANISATION),
    ),
)

ORDERS = Entity(
    "orders",
    (
        _ORG,
        Field("order_id", FieldType.ID, required=True),
        Field("buyer_contact_id", FieldType.ID, required=True),
        Field("payer_contact_id", FieldType.ID),
        Field("created_at", FieldType.DATETIME, required=True),
        _enum("channel", Channel, required=True),
        Field("origin", FieldType.TEXT),
    ),
    key=("organisation_id", "order_id"),
    references=(
        _ORG_REF,
        Reference("buyer_contact_id", "contacts", Scope.INSTITUTION),
        Reference("payer_contact_id", "contacts", Scope.INSTITUTION),
    ),
)

ORDER_LINES = Entity(
    "order_lines",
    (
        _ORG,
        Field("order_id", FieldType.ID, required=True),
        Field("line_id", FieldType.ID, required=True),
        Field("product_id", FieldType.ID, required=True),
        Field("performance_id", FieldType.ID),
        Field("beneficiary_contact_id", FieldType.ID),
        Field("amount", FieldType.DECIMAL, required=True),
        _enum("status", LineStatus, required=True),
        Field("status_at", FieldType.DATETIME),
        Field("scanned_at", FieldType.DATETIME),
    ),
    key=("organisation_id", "line_id"),
    references=(
        _ORG_REF,
        Reference("order_id", "orders", Scope.ORGANISATION),
        Reference("product_id", "products", Scope.ORGANISATION),
        Reference("performance_id", "performances", Scope.ORGANISATION),
        Reference("beneficiary_contact_id", "contacts", Scope.INSTITUTION),
    ),
    history_fields=("status", "status_at"),
)

SOCIAL_SHARES = Entity(
    "social_shares",
    (
        _ORG,
        Field("share_id", FieldType.ID, required=True),
        Field("contact_id", FieldType.ID, required=True),
        Field("order_id", FieldType.ID),
        Field("network", FieldType.TEXT),
        Field("shared_at", FieldType.DATETIME, required=True),
    ),
    key=("organisation_id", "share_id"),
    references=(
        _ORG_REF,
        Reference("contact_id", "contacts", Scope.INSTITUTION),
        Reference("order_id", "orders", Scope.ORGANISATION),
    ),
)

SHARE_VISITS = Entity(
    "share_visits",
    (
        _ORG,
        Field("visit_id", FieldType.ID, required=True),
        Field("share_id", FieldType.ID, required=True),
        Field("visited_at", FieldType.DATETIME, required=True),
    ),
    key=("organisation_id", "visit_id"),
    references=(_ORG_REF, Reference("share_id", "social_shares", Scope.ORGANISATION)),
)

# Dependency order: an entity only references entities before it (or itself).
ENTITIES: tuple[Entity, ...] = (
    ORGANISATIONS,
    SEASONS,
    CONTACTS,
    PRODUCTS,
    PERFORMANCES,
    ORDERS,
    ORDER_LINES,
    SOCIAL_SHARES,
    SHARE_VISITS,
)
ENTITY_BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}
FILE_EXTENSIONS: dict[str, str] = {".csv": "csv", ".tsv": "csv", ".txt": "csv",
                                   ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}

TRUE_WORDS = ("true", "1", "yes", "oui", "y", "o", "vrai")
FALSE_WORDS = ("false", "0", "no", "non", "n", "faux")
