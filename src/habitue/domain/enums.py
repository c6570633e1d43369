"""Enumerations of the open import format (``spec/data-format.md``)."""

from __future__ import annotations

from enum import StrEnum


class ContactKind(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    STRUCTURE = "STRUCTURE"


class ProductFamily(StrEnum):
    TICKET = "TICKET"
    SUBSCRIPTION = "SUBSCRIPTION"
    MEMBERSHIP = "MEMBERSHIP"
    OTHER = "OTHER"


class Audience(StrEnum):
    CHILD = "CHILD"
    YOUTH = "YOUTH"
    ADULT = "ADULT"
    SENIOR = "SENIOR"
    ALL = "ALL"


class PerformanceKind(StrEnum):
    EVENT = "EVENT"
    COMPETITION = "COMPETITION"
    VISIT = "VISIT"
    OTHER = "OTHER"


class Channel(StrEnum):
    INTERNET = "INTERNET"
    B2B = "B2B"
    OTHERS = "OTHERS"


class LineStatus(StrEnum):
    RESERVED = "RESERVED"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


COUNTABLE_STATUSES = frozenset({LineStatus.PAID, LineStatus.RESERVED})
REVENUE_STATUSES = frozenset({LineStatus.PAID})
