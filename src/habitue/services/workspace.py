"""The Workspace: every use case of Habitué behind one facade.

Entry points (CLI, API, web, scheduler) build one from the settings and call one method per
request; nothing here prints or reads the clock (time comes in as an argument).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from habitue.domain.access import Principal
from habitue.domain.calendar import Season
from habitue.importers.runner import ImportResult, run_import
from habitue.indicators.catalogue import INDICATOR_BY_CODE, INDICATORS
from habitue.reporting import SILENT, Reporter
from habitue.services import marketing_lists, segment_exports, segments
from habitue.services.accounts import Accounts
from habitue.services.audit import AuditLog
from habitue.services.contacts import Contacts
from habitue.services.explain import explain as explain_indicator
from habitue.services.import_jobs import ImportJobs
from habitue.services.segment_builder import SegmentBuilder
from habitue.services.indicators import (
    ComputeSummary,
    bulk_institutions,
    compute_indicators,
    refresh_institutions,
    refresh_touched,
)
from habitue.settings import Settings
from habitue.storage import migrate, reference_queries, schema
from habitue.storage.store import Store


@dataclass(frozen=True)
class IndicatorRow:
    organisation_id: str
    contact_id: str
    indicator: str
    value: object
    level: int

    def label(self, lang: str) -> str:
        return INDICATOR_BY_CODE[self.indicator].level(self.level).label(lang)


class Workspace:
    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.accounts = Accounts(store, self.settings)
        """Users, logins, API tokens (services.accounts)."""
        self.audit = AuditLog(store)
        """Who did what: ``ws.audit.record(actor, action, target, organisation, detail,
        now=...)`` and ``ws.audit.query(...)`` (services.audit)."""
        self.contacts = Contacts(self)
        """Contacts seen by a principal: search, card, indicators, writes (services.contacts)."""
        self.import_jobs = ImportJobs(self)
        """Imports uploaded to the server, run in the background (services.import_jobs)."""
        self.segment_builder = SegmentBuilder(self)
        """The segment builder's pickers and live checks of drafts (services.segment_builder)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Workspace:
        return cls(Store(settings.database_url), settings)

    def close(self) -> None:
        self.store.dispose()

    # -- schema ---------------------------------------------------------------------------

    def init(self) -> tuple[str | None, str]:
        """Create or upgrade the schema; returns the revisions before and after."""
        return migrate.upgrade(self.store)

    def require_schema(self) -> None:
        migrate.require_current(self.store)

    # -- import ---------------------------------------------------------------------------

    def import_path(self, path: Path, *, now: datetime, entity: str | None = None,
                    rejects_path: Path | None = None,
                    reporter: Reporter = SILENT, run_id: int | None = None) -> ImportResult:
        self.require_schema()
        touched = "SELECT institution_id, contact_id FROM _touched"
        bulk: list[str] = []  # institutions of a bulk load, refreshed once it is committed

        def refresh(runner, merged) -> None:
            bulk.extend(bulk_institutions(runner, touched))
            if not bulk:  # a usual import: its contacts, inside its transaction
                reporter.step("refreshing real-time indicators", 0, None)
                refresh_touched(runner, as_of=now.date(), touched_sql=touched)
            elif merged is not None:  # a bulk load merged in DuckDB: computed there, stored
                reporter.step("refreshing real-time indicators", 0, None)
                refresh_institutions(runner, bulk, as_of=now.date(), now=now,
                                     reporter=reporter, engine=merged)
                bulk.clear()

        result = run_import(self.store, path, now=now, entity=entity,
                            rejects_path=rejects_path, reporter=reporter,
                            memory_limit=self.settings.memory_limit, after_merge=refresh,
                            run_id=run_id, merge_engine=self.settings.import_engine)
        if bulk and result.status != "failed":
            # a bulk load: the real-time indicators of every contact of its institutions, as a
            # batch (on DuckDB outside any transaction, 1.5-2x faster); should it fail, the
            # import stays and `habitue refresh --cadence realtime` does it again
            reporter.step("refreshing real-time indicators", 0, None)
            compute_indicators(self.store, as_of=now.date(),
                               organisations=self._organisations_of(bulk),
                               cadence="realtime", now=now,
                               memory_limit=self.settings.memory_limit, reporter=reporter,
                               batch_engine=self.settings.batch_engine)
        return result

    def _organisations_of(self, institutions: list[str]) -> list[str]:
        return [o["organisation_id"] for o in self.organisations()
                if o["institution_id"] in institutions]

    def ingest_records(self, records, *, now: datetime, source: str = "api"):
        """Store records of the open format given in memory (``importers.records.Record``),
        all or nothing, and refresh the real-time indicators of the contacts they touched in
        the same transaction (``services.records.ingest_records``)."""
        from habitue.services.records import ingest_records

        self.require_schema()
        return ingest_records(self.store, records, now=now, source=source,
                              memory_limit=self.settings.memory_limit)

    def ingest_events(self, events, *, now: datetime, actor: str | None = None):
        """Apply ticketing events in order, all or nothing, and refresh the real-time
        indicators of the contacts concerned (``services.events.ingest_events``)."""
        from habitue.services.events import ingest_events

        self.require_schema()
        return ingest_events(self.store, events, now=now, actor=actor,
                             memory_limit=self.settings.memory_limit)

    def import_runs(self, limit: int = 20) -> list[dict]:
        runs = schema.import_runs
        with self.store.connect() as conn:
            rows = conn.execute(
                sa.select(runs).order_by(runs.c.run_id.desc()).limit(limit)
            ).mappings().all()
        return [dict(r) for r in rows]

    # -- indicators -----------------------------------------------------------------------

    def compute(self, *, as_of: date, now: datetime, organisation: str | None = None,
                reporter: Reporter = SILENT) -> ComputeSummary:
        """Compute and store every enabled indicator as of ``as_of`` (a full refresh)."""
        self.require_schema()
        return compute_indicators(self.store, as_of=as_of, organisation=organisation,
                                  now=now, memory_limit=self.settings.memory_limit,
                                  reporter=reporter, batch_engine=self.settings.batch_engine)

    def indicator_rows(self, *, organisation: str | None = None,
                       contact: str | None = None) -> Iterator[IndicatorRow]:
        """The stored indicator values, one row per (organisation, contact, indicator),
        ordered by organisation, contact and the catalogue's order. Disabled indicators are
        left out; an enabled one not computed yet shows its default."""
        self.require_schema()
        disabled = self._disabled()
        v = schema.contact_indicators
        query = sa.select(v).order_by(v.c.organisation_id, v.c.contact_id)
        if organisation:
            query = query.where(v.c.organisation_id == organisation)
        if contact:
            query = query.where(v.c.contact_id == contact)
        with self.store.connect() as conn:
            for r in conn.execute(query).mappings():
                off = disabled.get(r["institution_id"], set())
                for ind in INDICATORS:
                    if ind.code in off:
                        continue
                    level = r[f"{ind.code}_level"]
                    if level is None:
                        yield IndicatorRow(r["organisation_id"], r["contact_id"], ind.code,
                                           ind.default, 0)
                        continue
                    yield IndicatorRow(r["organisation_id"], r["contact_id"], ind.code,
                                       _typed(ind, r[ind.code]), level)

    def refresh(self, *, cadence: str, as_of: date, now: datetime,
                organisation: str | None = None, reporter: Reporter = SILENT) -> ComputeSummary:
        """Refresh the indicators of one cadence (realtime, daily, weekly, season)."""
        self.require_schema()
        return compute_indicators(self.store, as_of=as_of, organisation=organisation,
                                  cadence=cadence, now=now,
                                  memory_limit=self.settings.memory_limit, reporter=reporter,
                               batch_engine=self.settings.batch_engine)

    def set_indicator_enabled(self, code: str, enabled: bool,
                              institution: str | None = None) -> list[str]:
        """Enable or disable an indicator for an institution (default: every institution);
        returns the institutions changed. A disabled indicator's stored values are cleared."""
        if code not in INDICATOR_BY_CODE:
            raise ValueError(f"unknown indicator {code!r}; known: {', '.join(INDICATOR_BY_CODE)}")
        self.require_schema()
        s, inst, ci = schema.indicator_settings, schema.institutions, schema.contact_indicators
        with self.store.begin() as conn:
            known = list(conn.execute(sa.select(inst.c.institution_id)
                                      .order_by(inst.c.institution_id)).scalars())
            if institution is not None and institution not in known:
                raise ValueError(f"unknown institution {institution!r}; known: "
                                 f"{', '.join(known) or '(none: import data first)'}")
            targets = [institution] if institution else known
            for i in targets:
                conn.execute(s.delete().where(s.c.institution_id == i, s.c.indicator == code))
                conn.execute(s.insert().values(institution_id=i, indicator=code,
                                               enabled=enabled))
                if not enabled:
                    conn.execute(ci.update().where(ci.c.institution_id == i).values(
                        {code: None, f"{code}_level": None}))
        return targets

    def indicator_settings(self) -> dict[str, dict[str, bool]]:
        """Per institution, each indicator and whether it is enabled."""
        self.require_schema()
        with self.store.connect() as conn:
            known = list(conn.execute(sa.select(schema.institutions.c.institution_id)
                                      .order_by(schema.institutions.c.institution_id)).scalars())
        disabled = self._disabled()
        return {i: {ind.code: ind.code not in disabled.get(i, set()) for ind in INDICATORS}
                for i in known}

    def explain(self, *, contact: str, code: str, organisation: str | None = None) -> list:
        """Why the contact has its value and level of ``code`` (see services.explain)."""
        self.require_schema()
        return explain_indicator(self.store, contact=contact, code=code,
                                 organisation=organisation)

    def _disabled(self) -> dict[str, set[str]]:
        s = schema.indicator_settings
        with self.store.connect() as conn:
            rows = conn.execute(sa.select(s.c.institution_id, s.c.indicator)
                                .where(s.c.enabled.is_(False))).all()
        out: dict[str, set[str]] = {}
        for inst, code in rows:
            out.setdefault(inst, set()).add(code)
        return out

    def organisations(self) -> list[dict]:
        with self.store.connect() as conn:
            return [dict(r) for r in conn.execute(
                sa.select(schema.organisations).order_by(schema.organisations.c.organisation_id)
            ).mappings()]

    def seasons_of(self, organisation: str) -> list[dict]:
        """An organisation's seasons (id, name, dates), oldest first."""
        with self.store.connect() as conn:
            return reference_queries.list_seasons(conn, organisation)

    def seasons(self) -> list[Season]:
        t = schema.seasons
        with self.store.connect() as conn:
            return [Season(*r) for r in conn.execute(sa.select(
                t.c.organisation_id, t.c.season_id, t.c.start_date, t.c.end_date))]

    # -- segments and marketing lists (services.segments, segment_exports, marketing_lists) ---

    def create_segment(self, key: str, definition: str | dict, *, now: datetime,
                       organisation: str | None = None, name: str | None = None,
                       by: str | None = None):
        self.require_schema()
        return segments.create_segment(self.store, key=key, definition=definition, now=now,
                                       organisation=organisation, name=name, by=by)

    def update_segment(self, key: str, *, now: datetime, definition: str | dict | None = None,
                       name: str | None = None, by: str | None = None):
        self.require_schema()
        return segments.update_segment(self.store, key, now=now, definition=definition,
                                       name=name, by=by)

    def delete_segment(self, key: str) -> None:
        self.require_schema()
        segments.delete_segment(self.store, key)

    def list_segments(self, *, organisation: str | None = None, lang: str = "fr") -> list:
        self.require_schema()
        return segments.list_segments(self.store, organisation=organisation, lang=lang)

    def show_segment(self, key: str, *, lang: str = "fr", sql: bool = False,
                as_of: date | None = None):
        self.require_schema()
        return segments.show_segment(self.store, key, lang=lang, sql=sql, as_of=as_of)

    def describe_segment(self, definition: str | dict, *, organisation: str | None = None,
                         lang: str = "fr") -> str:
        self.require_schema()
        return segments.describe_definition(self.store, definition, organisation=organisation,
                                            lang=lang)

    def segment_target(self, key: str | None = None, *, definition: str | dict | None = None,
                       organisation: str | None = None):
        """A saved segment, or an unsaved definition checked in an organisation."""
        self.require_schema()
        return segments.target_of(self.store, key=key, definition=definition,
                                  organisation=organisation)

    def count_segment(self, target, *, as_of: date) -> int:
        return segments.count_segment(self.store, target, as_of=as_of,
                                      memory_limit=self.settings.memory_limit)

    def preview_segment(self, target, *, as_of: date, limit: int = 20, lang: str = "fr"):
        return segments.preview_segment(self.store, target, as_of=as_of, limit=limit,
                                        lang=lang, memory_limit=self.settings.memory_limit)

    def overlap_segments(self, a, b, *, as_of: date):
        return segments.overlap_segments(self.store, a, b, as_of=as_of,
                                         memory_limit=self.settings.memory_limit)

    def export_segment(self, target, *, as_of: date, path: Path, fmt: str | None = None,
                       columns=None, purpose: str | None = None, lang: str = "fr",
                       by: Principal | None = None, now: datetime | None = None,
                       note: dict | None = None):
        """Export the members. With ``by`` (the principal of a request): refused unless it
        may write in the segment's organisation (an export takes personal data out of the
        CRM), and recorded in the audit log at ``now``, with the counts and ``note``."""
        if by is not None:
            by.require_write(target.organisation_id)
        summary = segment_exports.export_segment(
            self.store, target, as_of=as_of, path=path, fmt=fmt, columns=columns,
            purpose=purpose, lang=lang, memory_limit=self.settings.memory_limit)
        if by is not None:
            self._audit_export(by, "segment.export", target.key, target.organisation_id,
                               summary, now, {"as_of": as_of.isoformat(), **(note or {})})
        return summary

    def _audit_export(self, by: Principal, action: str, target: str | None,
                      organisation: str, summary, now: datetime | None, note: dict) -> None:
        detail = {k: v for k, v in summary.as_dict().items() if k != "path"}
        self.audit.record(by, action, target, organisation, {**detail, **note}, now=now)

    def freeze_list(self, segment_key: str, *, name: str, as_of: date, now: datetime,
                    by: str | None = None):
        self.require_schema()
        return marketing_lists.freeze_list(self.store, segment_key, name=name, as_of=as_of,
                                           now=now, by=by,
                                           memory_limit=self.settings.memory_limit)

    def list_marketing_lists(self, *, organisation: str | None = None) -> list:
        self.require_schema()
        return marketing_lists.list_lists(self.store, organisation=organisation)

    def export_list(self, ref: str, *, path: Path, fmt: str | None = None, columns=None,
                    purpose: str | None = None, lang: str = "fr",
                    by: Principal | None = None, now: datetime | None = None,
                    note: dict | None = None):
        """Export the list's members; ``by``, ``now`` and ``note`` as for
        :meth:`export_segment`."""
        self.require_schema()
        found = marketing_lists.find_list(self.store, ref)
        if by is not None:
            by.require_write(found.organisation_id)
        summary = segment_exports.export_list(
            self.store, found, path=path, fmt=fmt, columns=columns, purpose=purpose,
            lang=lang, memory_limit=self.settings.memory_limit)
        if by is not None:
            self._audit_export(by, "list.export", str(found.list_id), found.organisation_id,
                               summary, now, {"name": found.name, **(note or {})})
        return summary

    def delete_list(self, ref: str):
        self.require_schema()
        return marketing_lists.delete_list(self.store, ref)

    # -- scheduled refreshes ----------------------------------------------------------------

    def claim_run(self, key: str, *, now: datetime) -> bool:
        """Claim one firing of the schedule; False when another runner already has it. On
        PostgreSQL an advisory lock makes the check and the claim one step across processes."""
        runs = schema.scheduled_runs
        with self.store.begin() as conn:
            if self.store.kind == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
            taken = conn.execute(sa.select(runs.c.run_key).where(runs.c.run_key == key)).first()
            if taken:
                return False
            conn.execute(runs.insert().values(run_key=key, claimed_at=now))
            return True

    def finish_run(self, key: str, *, now: datetime, batch_id: int | None) -> None:
        runs = schema.scheduled_runs
        with self.store.begin() as conn:
            conn.execute(runs.update().where(runs.c.run_key == key)
                         .values(finished_at=now, batch_id=batch_id))

    def counts(self) -> dict[str, int]:
        """Rows per entity table (for summaries and the demo)."""
        out = {}
        with self.store.connect() as conn:
            for name, table in schema.ENTITY_TABLES.items():
                out[name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        return out


def _typed(ind, value) -> object:
    if value is not None and ind.value_type.value == "integer":
        return int(value)
    return value


def today() -> date:
    """Only entry points call this."""
    return date.today()
