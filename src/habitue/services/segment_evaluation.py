"""Evaluating segments on a store: where the work runs, the facts as of D, the members' SQL.

A segment with a behaviour rule reads the lines as of D (``_ind_lines``), which the indicators'
own steps materialise (``services.indicators._run_steps``), so a segment counts exactly what the
indicators count. An ``Evaluator`` materialises them once, the first time a segment needs them,
and drops them when it is closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date

import ibis

from habitue.domain.calendar import season_context
from habitue.indicators.facts import FACT_TABLES, LINES_TABLE, Window
from habitue.segments import (
    Scope,
    SegmentDefinition,
    compile_segment,
    parse_definition,
    uses_facts,
)
from habitue.segments.columns import MEMBERS_TABLE
from habitue.services.indicators import DIALECTS, _run_steps
from habitue.storage import indicator_store as ist
from habitue.storage import segment_store as ss
from habitue.storage.bulk import SqlRunner, duckdb_transaction, scratch_runner
from habitue.storage.store import Store, native

SCRATCH_TABLES = (MEMBERS_TABLE, "_seg_a", "_seg_b")


class SegmentError(ValueError):
    """A segment or list that does not exist, or a request that cannot be done."""


@dataclass(frozen=True)
class Target:
    """A definition to evaluate in an organisation: a saved segment's (``key``) or not."""

    definition: SegmentDefinition
    organisation_id: str
    institution_id: str
    key: str | None = None


@contextmanager
def evaluation_runner(store: Store, memory_limit: str = "3GB") -> Iterator[SqlRunner]:
    """Where segments are evaluated. DuckDB: a connection outside any transaction (decision
    0003; a write wraps itself in ``duckdb_transaction``); PostgreSQL: one transaction, with
    the bulk settings."""
    if store.kind == "duckdb":
        with scratch_runner(store, memory_limit) as runner:
            yield runner
        return
    with store.begin() as conn:
        runner = SqlRunner(native(conn), store.capabilities)
        runner.begin_bulk()
        yield runner


def writing(runner: SqlRunner) -> AbstractContextManager:
    """The transaction of a write on an evaluation runner: its own on DuckDB, the runner's
    on PostgreSQL."""
    return WRITE_TRANSACTIONS[runner.capabilities.name](runner)


WRITE_TRANSACTIONS = {"duckdb": duckdb_transaction, "postgresql": lambda runner: nullcontext()}


class Evaluator:
    """Segments of any organisation evaluated as of ``as_of`` on one runner."""

    def __init__(self, runner: SqlRunner, as_of: date) -> None:
        self.runner = runner
        self.as_of = as_of
        self.dialect = DIALECTS[runner.capabilities.name]
        self.seasons = ist.load_seasons(runner)
        self.institutions = dict(ist.load_organisations(runner))
        self.saved: dict[str, tuple[str, dict]] = {
            key: (org, d) for key, org, d in ss.load_definitions(runner)}
        self._parsed: dict[str, SegmentDefinition] = {}
        self._sql: dict[Target, str] = {}
        self.facts_for: set[str] = set()

    # -- saved segments -----------------------------------------------------------------------

    def saved_target(self, key: str) -> Target:
        if key not in self.saved:
            raise SegmentError(f"unknown segment '{key}'")
        org = self.saved[key][0]
        return Target(self.definition(key), org, self.institutions.get(org, ""), key)

    def definition(self, key: str) -> SegmentDefinition:
        if key not in self._parsed:
            self._parsed[key] = parse_definition(self.saved[key][1])
        return self._parsed[key]

    def resolver(self, organisation: str):
        """A segment uses the saved segments of its own organisation."""
        def resolve(key: str) -> SegmentDefinition:
            if key not in self.saved or self.saved[key][0] != organisation:
                raise KeyError(key)
            return self.definition(key)
        return resolve

    # -- evaluation ---------------------------------------------------------------------------

    def scope(self, organisation: str) -> Scope:
        return Scope.on(organisation, self.institutions.get(organisation, ""), self.as_of,
                        self.seasons)

    def members_sql(self, target: Target) -> str:
        """``SELECT institution_id, contact_id`` of the members (one row each)."""
        if target not in self._sql:  # compiling takes tens of milliseconds: once per target
            resolve = self.resolver(target.organisation_id)
            if uses_facts(target.definition, resolve):
                self.need_facts(target.organisation_id)
            expr = compile_segment(target.definition, scope=self.scope(target.organisation_id),
                                   resolve_segment=resolve, key=target.key)
            self._sql[target] = str(ibis.to_sql(expr, dialect=self.dialect))
        return self._sql[target]

    def need_facts(self, organisation: str) -> None:
        """Materialise the lines as of D of ``organisation`` (and of those before it)."""
        if organisation in self.facts_for:
            return
        self.facts_for.add(organisation)
        contexts = [(season_context(o, self.seasons, self.as_of), self.institutions.get(o, ""))
                    for o in sorted(self.facts_for)]
        ist.write_context(self.runner, contexts, Window(self.as_of).as_row())
        _run_steps(self.runner, (), subset=False, with_lines=True)

    def count(self, target: Target) -> int:
        return int(self.runner.scalar(f"SELECT count(*) FROM ({self.members_sql(target)}) m"))

    def materialise(self, target: Target, table: str = MEMBERS_TABLE) -> int:
        """The members into the temporary table ``table``; returns how many."""
        self.runner.recreate_temp(table, self.members_sql(target))
        ist.analyze(self.runner, table)
        return int(self.runner.scalar(f"SELECT count(*) FROM {table}"))

    def close(self) -> None:
        self.runner.drop(*FACT_TABLES, LINES_TABLE, "_ind_ctx", *SCRATCH_TABLES)


@contextmanager
def evaluator(store: Store, as_of: date, memory_limit: str = "3GB") -> Iterator[Evaluator]:
    with evaluation_runner(store, memory_limit) as runner:
        ev = Evaluator(runner, as_of)
        yield ev
        # (after an error the work is thrown away with the connection or the transaction)
        ev.close()
