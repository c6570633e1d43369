"""API schemas (Pydantic v2)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from habitue.services.workspace import IndicatorRow


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")
    organisation_id: str
    name: str
    institution_id: str
    timezone: str
    currency: str


class ImportRunPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")
    run_id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    summary: dict | None
    error: str | None


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
