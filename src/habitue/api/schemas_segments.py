"""API schemas of saved segments and marketing lists (``docs/segments.md``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from habitue.api.schemas import DateText, Lang, LocalDateTime

Definition = dict[str, Any] | str
DEFINITION_DOC = ("A definition (``docs/segments.md``): an object with ``rules``, or the same "
                  "in YAML or JSON text.")


class SegmentSize(BaseModel):
    as_of: date
    size: int
    batch_id: int | None = None


class SegmentPublic(BaseModel):
    key: str
    organisation_id: str
    name: str
    definition: dict[str, Any] = Field(description="The definition as saved (every rule with "
                                                   "its id).")
    sentence: str = Field(description="What the rules say, in the requested language.")
    created_at: LocalDateTime
    created_by: str | None
    updated_at: LocalDateTime
    updated_by: str | None
    last_size: SegmentSize | None = Field(
        None, description="Its size after the last indicator computation.")
    sizes: list[SegmentSize] | None = Field(
        None, description="Recent sizes, newest first (one segment only).")


class SegmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                     description="1 to 64 letters, digits, '.', '-' or '_'.")
    organisation_id: str | None = Field(
        None, min_length=1, description="Its organisation; may be left out when the caller "
                                        "sees a single one.")
    name: str | None = Field(None, max_length=200)
    definition: Definition = Field(description=DEFINITION_DOC)


class SegmentUpdate(BaseModel):
    """The new name and/or definition (what is left out is kept)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    definition: Definition | None = Field(None, description=DEFINITION_DOC)


class SegmentCount(BaseModel):
    key: str | None = None
    organisation_id: str
    as_of: date
    count: int
    sentence: str | None = None


class SegmentCountRequest(BaseModel):
    """An unsaved definition to check and count."""

    model_config = ConfigDict(extra="forbid")
    organisation_id: str | None = Field(None, min_length=1)
    definition: Definition = Field(description=DEFINITION_DOC)
    as_of: DateText | None = None
    lang: Lang | None = None


class SegmentPreview(BaseModel):
    key: str
    as_of: date
    count: int
    columns: list[str]
    rows: list[dict[str, Any]] = Field(description="The first members by contact id, each "
                                                   "with the columns above.")


class SegmentOverlap(BaseModel):
    key: str
    other: str
    as_of: date
    a_only: int = Field(description="Members of this segment only.")
    both: int
    b_only: int = Field(description="Members of the other segment only.")


class ListPublic(BaseModel):
    list_id: int
    name: str
    organisation_id: str
    institution_id: str
    segment_key: str | None
    definition: dict[str, Any]
    segments: dict[str, Any] = Field(description="The definitions of the saved segments it "
                                                 "used, by key.")
    as_of: date
    created_at: LocalDateTime
    created_by: str | None
    member_count: int


class ListCreate(BaseModel):
    """Freeze the members of a saved segment, as of a date (default: today)."""

    model_config = ConfigDict(extra="forbid")
    segment_key: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    as_of: DateText | None = None
