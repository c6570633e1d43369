"""Describe a venue's facts in Python, write them as open-format CSV files, import them with the
real importer, compute the indicators as of a date and read them back.

    v = Venue()                                   # organisation ORG of institution INST, Paris
    v.season("S2025", "2025-09-01", "2026-08-31")
    v.product("P1")                               # a TICKET for everyone, no season
    v.performance("PF1", at="2025-10-03 20:30", product="P1")
    v.order("O1", buyer="C1", at="2025-10-01 10:00", channel="INTERNET")
    v.line("L1", order="O1", performance="PF1", amount="30.00")   # product taken from PF1
    v.status("L1", "REFUNDED", at="2025-11-01 09:00")             # a later history row
    v.load(store, tmp_path)
    r = compute(store, "2025-12-01")
    assert r.value("C1", "assiduite") == 0 and r.level("C1", "assiduite") == 0

Contacts referenced by orders, lines and shares are declared on the fly (an individual of the
organisation's institution, birth date unknown) unless declared before with ``contact``.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from habitue.generator import generate_venue
from habitue.importers.runner import ImportResult, run_import
from habitue.services.indicators import compute_indicators
from habitue.services.workspace import IndicatorRow, Workspace
from habitue.storage import schema
from habitue.storage.store import Store

# The wall clock handed to the importer and to compute: never the real one.
NOW = datetime(2030, 1, 1, 12, 0)

COLUMNS = {
    "organisations": ("organisation_id", "name", "institution_id", "timezone", "currency"),
    "seasons": ("organisation_id", "season_id", "name", "start_date", "end_date"),
    "contacts": ("contact_id", "institution_id", "kind", "structure_type", "first_name",
                 "last_name", "structure_name", "birth_date", "parent_contact_id", "email",
                 "phone", "street", "postal_code", "city", "country", "email_opt_in",
                 "sms_opt_in", "post_opt_in"),
    "products": ("organisation_id", "product_id", "name", "family", "audience", "genre",
                 "season_id", "valid_from", "valid_to"),
    "performances": ("organisation_id", "performance_id", "product_id", "name", "kind",
                     "starts_at", "season_id"),
    "orders": ("organisation_id", "order_id", "buyer_contact_id", "payer_contact_id",
               "created_at", "channel"),
    "order_lines": ("organisation_id", "order_id", "line_id", "product_id", "performance_id",
                    "beneficiary_contact_id", "amount", "status", "status_at", "scanned_at"),
    "social_shares": ("organisation_id", "share_id", "contact_id", "order_id", "network",
                      "shared_at"),
    "share_visits": ("organisation_id", "visit_id", "share_id", "visited_at"),
}


def as_date(d: date | str) -> date:
    return d if isinstance(d, date) else date.fromisoformat(d)


@dataclass
class _Line:
    org: str
    order: str
    line_id: str
    product: str
    performance: str | None
    beneficiary: str | None
    amount: str
    history: list[tuple[str, str | None]] = field(default_factory=list)  # (status, status_at)
    scanned_at: str | None = None


class Venue:
    """The facts of one or more organisations, kept in the order they were described."""

    def __init__(self, org: str = "ORG", *, institution: str = "INST",
                 timezone: str = "Europe/Paris", name: str | None = None) -> None:
        self.default_org = org
        self.rows: dict[str, list[dict]] = {name_: [] for name_ in COLUMNS}
        self._institution_of: dict[str, str] = {}
        self._contacts: set[tuple[str, str]] = set()
        self._products: set[tuple[str, str]] = set()
        self._perf_product: dict[tuple[str, str], str | None] = {}
        self._order_org: dict[str, str] = {}
        self._lines: dict[tuple[str, str], _Line] = {}
        self._ids = itertools.count(1)
        self.organisation(org, institution=institution, timezone=timezone, name=name)

    def _add(self, entity: str, **values) -> None:
        self.rows[entity].append(values)

    # -- structure -----------------------------------------------------------------------

    def organisation(self, org: str, *, institution: str = "INST",
                     timezone: str = "Europe/Paris", name: str | None = None) -> Venue:
        self._institution_of[org] = institution
        self._add(
            "organisations",
            organisation_id=org, name=name or f"Venue {org}", institution_id=institution,
            timezone=timezone, currency="EUR")
        return self

    def season(self, season_id: str, start: str, end: str, *, org: str | None = None) -> Venue:
        self._add(
            "seasons",
            organisation_id=org or self.default_org, season_id=season_id, name=season_id,
            start_date=start, end_date=end)
        return self

    def seasons(self, first: int, last: int, *, org: str | None = None) -> Venue:
        """Seasons S<first> … S<last>, each from 1 September to the next 31 August."""
        for year in range(first, last + 1):
            self.season(f"S{year}", f"{year}-09-01", f"{year + 1}-08-31", org=org)
        return self

    def contact(self, contact_id: str, *, kind: str = "INDIVIDUAL",
                birth_date: str | None = None, institution: str | None = None,
                structure_type: str | None = None, attributes: dict | None = None,
                **fields) -> Venue:
        """``fields``: other columns of the format (email, phone, street, postal_code, city,
        country, parent_contact_id, email_opt_in…); ``attributes``: custom columns."""
        unknown = set(fields) - set(COLUMNS["contacts"])
        if unknown:
            raise ValueError(f"not a contact column: {sorted(unknown)}")
        inst = institution or self._institution_of[self.default_org]
        self._contacts.add((inst, contact_id))
        structure = kind.upper() == "STRUCTURE"
        self._add(
            "contacts",
            contact_id=contact_id, institution_id=inst, kind=kind,
            structure_type=structure_type or ("school" if structure else None),
            first_name=None if structure else f"First {contact_id}",
            last_name=None if structure else f"Last {contact_id}",
            structure_name=f"Structure {contact_id}" if structure else None,
            birth_date=birth_date, **fields, **(attributes or {}))
        return self

    def contacts(self, *contact_ids: str, **kwargs) -> Venue:
        for c in contact_ids:
            self.contact(c, **kwargs)
        return self

    def _ensure_contact(self, contact_id: str | None, org: str) -> None:
        if contact_id and (self._institution_of[org], contact_id) not in self._contacts:
            self.contact(contact_id, institution=self._institution_of[org])

    def product(self, product_id: str, *, family: str = "TICKET", audience: str = "ALL",
                season: str | None = None, valid_from: str | None = None,
                valid_to: str | None = None, genre: str | None = "theatre",
                org: str | None = None) -> Venue:
        org = org or self.default_org
        self._products.add((org, product_id))
        self._add(
            "products",
            organisation_id=org, product_id=product_id, name=f"Product {product_id}",
            family=family, audience=audience, genre=genre, season_id=season,
            valid_from=valid_from, valid_to=valid_to)
        return self

    def performance(self, performance_id: str, *, at: str, product: str | None = None,
                    kind: str = "EVENT", season: str | None = None,
                    org: str | None = None) -> Venue:
        org = org or self.default_org
        self._perf_product[(org, performance_id)] = product
        self._add(
            "performances",
            organisation_id=org, performance_id=performance_id, product_id=product,
            name=f"Performance {performance_id}", kind=kind, starts_at=at, season_id=season)
        return self

    def show(self, performance_id: str, *, at: str, kind: str = "EVENT",
             season: str | None = None, org: str | None = None, **product_kwargs) -> Venue:
        """A performance with its own product ``P<performance_id>``."""
        product_id = f"P{performance_id}"
        self.product(product_id, org=org, **product_kwargs)
        return self.performance(performance_id, at=at, product=product_id, kind=kind,
                                season=season, org=org)

    # -- sales ---------------------------------------------------------------------------

    def order(self, order_id: str, *, buyer: str, at: str, channel: str = "INTERNET",
              payer: str | None = None, org: str | None = None) -> Venue:
        org = org or self.default_org
        self._ensure_contact(buyer, org)
        self._ensure_contact(payer, org)
        self._order_org[order_id] = org
        self._add(
            "orders",
            organisation_id=org, order_id=order_id, buyer_contact_id=buyer,
            payer_contact_id=payer, created_at=at, channel=channel)
        return self

    def line(self, line_id: str, *, order: str, product: str | None = None,
             performance: str | None = None, amount: str = "10.00", status: str = "PAID",
             status_at: str | None = None, beneficiary: str | None = None,
             scanned_at: str | None = None) -> Venue:
        org = self._order_org[order]
        if product is None:
            product = self._perf_product.get((org, performance)) if performance else None
            if product is None:
                raise ValueError(f"line {line_id}: give its product")
        self._ensure_contact(beneficiary, org)
        self._lines[(org, line_id)] = _Line(org, order, line_id, product, performance,
                                            beneficiary, amount, [(status, status_at)],
                                            scanned_at)
        return self

    def status(self, line_id: str, status: str, *, at: str, org: str | None = None) -> Venue:
        """A later row of the line's status history (written after the earlier ones)."""
        self._lines[(org or self.default_org, line_id)].history.append((status, at))
        return self

    def sale(self, buyer: str, *, at: str, performance: str | None = None,
             product: str | None = None, amount: str = "10.00", status: str = "PAID",
             status_at: str | None = None, beneficiary: str | None = None,
             channel: str = "INTERNET", payer: str | None = None, order: str | None = None,
             line: str | None = None, org: str | None = None,
             scanned_at: str | None = None) -> str:
        """A one-line order; returns the line id (``L<order id>`` unless given)."""
        order = order or f"OS{next(self._ids)}"
        self.order(order, buyer=buyer, at=at, channel=channel, payer=payer, org=org)
        line = line or f"L{order}"
        self.line(line, order=order, product=product, performance=performance, amount=amount,
                  status=status, status_at=status_at, beneficiary=beneficiary,
                  scanned_at=scanned_at)
        return line

    # -- social --------------------------------------------------------------------------

    def share(self, share_id: str, *, contact: str, at: str, order: str | None = None,
              network: str = "facebook", org: str | None = None) -> Venue:
        org = org or self.default_org
        self._ensure_contact(contact, org)
        self._add(
            "social_shares",
            organisation_id=org, share_id=share_id, contact_id=contact, order_id=order,
            network=network, shared_at=at)
        return self

    def visit(self, visit_id: str, *, share: str, at: str, org: str | None = None) -> Venue:
        self._add(
            "share_visits",
            organisation_id=org or self.default_org, visit_id=visit_id, share_id=share,
            visited_at=at)
        return self

    def visits(self, share: str, count: int, *, at: str, org: str | None = None) -> Venue:
        """``count`` visits of the link of ``share``, all at ``at``."""
        for _ in range(count):
            self.visit(f"V{next(self._ids)}", share=share, at=at, org=org)
        return self

    # -- files and import ------------------------------------------------------------------

    def _line_rows(self) -> list[dict]:
        return [dict(zip(COLUMNS["order_lines"], (
                    ln.org, ln.order, ln.line_id, ln.product, ln.performance, ln.beneficiary,
                    ln.amount, status, status_at, ln.scanned_at), strict=True))
                for ln in self._lines.values() for status, status_at in ln.history]

    def write(self, directory: Path, only: tuple[str, ...] | None = None) -> Path:
        """One CSV per entity that has rows; an empty cell for a missing value."""
        directory.mkdir(parents=True, exist_ok=True)
        rows = dict(self.rows, order_lines=self._line_rows())
        for entity, columns in COLUMNS.items():
            if not rows[entity] or (only and entity not in only):
                continue
            # custom attributes: the columns a row has beyond the format's
            columns = (*columns, *sorted({k for row in rows[entity] for k in row} - set(columns)))
            with (directory / f"{entity}.csv").open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(columns)
                for row in rows[entity]:
                    writer.writerow([_cell(row.get(c)) for c in columns])
        return directory

    def load(self, store: Store, tmp_path: Path, *, name: str = "venue",
             only: tuple[str, ...] | None = None) -> ImportResult:
        """Write the files (of the ``only`` entities, when given) under ``tmp_path/name`` and
        import them; every row must go in. Loading again appends the new status rows."""
        directory = self.write(tmp_path / name, only)
        result = run_import(store, directory, now=NOW,
                            rejects_path=tmp_path / f"{name}-rejects.csv")
        rejects = (result.rejects_path.read_text(encoding="utf-8")
                   if result.rejects_path else "")
        assert result.status == "succeeded", (result.status, result.error, rejects)
        return result


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- computing and reading back ------------------------------------------------------------

class Results:
    """The stored indicators after one compute, by (organisation, contact, indicator)."""

    def __init__(self, rows: list[IndicatorRow], default_org: str = "ORG") -> None:
        self.rows = rows
        self.default_org = default_org
        self.by_key = {(r.organisation_id, r.contact_id, r.indicator): r for r in rows}

    def row(self, contact: str, code: str, org: str | None = None) -> IndicatorRow:
        return self.by_key[(org or self.default_org, contact, code)]

    def value(self, contact: str, code: str, org: str | None = None):
        return self.row(contact, code, org).value

    def level(self, contact: str, code: str, org: str | None = None) -> int:
        return self.row(contact, code, org).level

    def pair(self, contact: str, code: str, org: str | None = None) -> tuple:
        r = self.row(contact, code, org)
        return (r.value, r.level)

    def values(self, code: str, org: str | None = None) -> dict[str, object]:
        org = org or self.default_org
        return {c: r.value for (o, c, i), r in self.by_key.items() if o == org and i == code}

    def levels(self, code: str, org: str | None = None) -> dict[str, int]:
        org = org or self.default_org
        return {c: r.level for (o, c, i), r in self.by_key.items() if o == org and i == code}

    def grid(self) -> set[tuple[str, str]]:
        """Every (organisation, contact) that has rows."""
        return {(o, c) for o, c, _ in self.by_key}


def compute(store: Store, as_of: date | str, *, default_org: str = "ORG") -> Results:
    """A full computation as of ``as_of`` (clock: ``NOW``), then every stored row."""
    compute_indicators(store, as_of=as_date(as_of), now=NOW)
    return Results(list(Workspace(store).indicator_rows()), default_org)


def history(store: Store) -> list[tuple]:
    """The level history as (organisation, contact, indicator, old, new, as_of), sorted."""
    h = schema.indicator_history
    with store.connect() as conn:
        rows = conn.execute(sa.select(h.c.organisation_id, h.c.contact_id, h.c.indicator,
                                      h.c.old_level, h.c.new_level, h.c.as_of)).all()
    return sorted((tuple(r) for r in rows), key=lambda r: (r[5], r[0], r[1], r[2]))


def population(store: Store, contact: str, code: str, org: str = "ORG") -> str | None:
    """The PMG population (``pmg_population`` / ``pmg_n_population``) stored for a contact."""
    t = schema.contact_indicators
    col = t.c[f"{code}_population"]
    with store.connect() as conn:
        return conn.execute(sa.select(col).where(t.c.organisation_id == org,
                                                 t.c.contact_id == contact)).scalar()


def generated_and_computed(store: Store, directory: Path, *, contacts: int, seed: int,
                           today: date, now: datetime, organisations: int = 2) -> Store:
    """``store`` holding a generated venue (the generator's, not one designed for a test),
    imported and computed as of ``today``."""
    data = generate_venue(directory, contacts=contacts, organisations=organisations,
                          seed=seed, today=today)
    result = run_import(store, data.directory, now=now)
    assert result.status == "succeeded", result.error
    compute_indicators(store, as_of=today, now=now)
    return store
