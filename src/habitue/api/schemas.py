"""API schemas (Pydantic v2)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    WithJsonSchema,
)

from habitue.indicators.catalogue import IndicatorDef
from habitue.services.workspace import IndicatorRow

Lang = Literal["fr", "en"]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _text(kind: str, example: str):
    def check(value: object) -> object:
        # a number, or a numeric text (pydantic would read "0.5" as a Unix time), is refused
        if not isinstance(value, str | date) or (
                isinstance(value, str) and not _ISO_DATE.match(value)):
            raise ValueError(  # noqa: TRY004 - pydantic reports ValueError as a field error
                f"expected a {kind} written as text, such as {example}")
        return value
    return BeforeValidator(check)


DateText = Annotated[date, _text("date", "2026-03-14")]
"""A date in a request body, written ``YYYY-MM-DD`` (a number is refused)."""
DateTimeText = Annotated[datetime, _text("date-time", "2026-03-14T20:30:00+01:00")]
"""A date-time in a request body, ISO 8601 (a number is refused)."""
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "local-date-time",
                    "description": "A local wall-clock time (the organisation's), ISO 8601 "
                                   "without offset: 2026-03-14T20:30:00",
                    "example": "2026-03-14T20:30:00"}),
]
"""A stored date-time in a response: the organisation's local wall-clock time, which has no
offset (so not an RFC 3339 ``date-time``)."""


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")
    organisation_id: str
    name: str
    institution_id: str
    timezone: str
    currency: str


class SeasonPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")
    organisation_id: str
    season_id: str
    name: str | None
    start_date: date
    end_date: date
    current: bool = Field(description="Whether today falls in the season.")


class IndicatorPublic(BaseModel):
    organisation_id: str
    contact_id: str
    indicator: str
    value: Decimal | int | bool | date | None
    level: int
    label: str

    @classmethod
    def from_row(cls, row: IndicatorRow, lang: str) -> IndicatorPublic:
        return cls(organisation_id=row.organisation_id, contact_id=row.contact_id,
                   indicator=row.indicator, value=row.value, level=row.level,
                   label=row.label(lang))


class LevelPublic(BaseModel):
    level: int
    label_fr: str
    label_en: str


class IndicatorDefinitionPublic(BaseModel):
    """An indicator of the catalogue (``spec/indicators.md``)."""

    code: str
    name_fr: str
    name_en: str
    value_type: Literal["integer", "boolean", "decimal", "date"]
    default: Decimal | int | bool | date | None
    levels: list[LevelPublic]
    cadences: list[Literal["realtime", "daily", "weekly", "season"]]

    @classmethod
    def from_def(cls, ind: IndicatorDef) -> IndicatorDefinitionPublic:
        return cls(code=ind.code, name_fr=ind.name_fr, name_en=ind.name_en,
                   value_type=ind.value_type.value, default=ind.default,
                   levels=[LevelPublic(level=lv.level, label_fr=lv.fr, label_en=lv.en)
                           for lv in ind.levels],
                   cadences=[c.value for c in ind.cadences])


class IndicatorSettingsPublic(BaseModel):
    """Which indicators an institution computes (shared by its organisations)."""

    institution_id: str
    organisations: list[str] = Field(description="Its organisations the caller sees.")
    enabled: dict[str, bool] = Field(description="Per indicator code, whether it is enabled.")


class IndicatorSettingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    institution_id: str = Field(min_length=1)
    enabled: StrictBool
