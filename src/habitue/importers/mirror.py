"""A bulk import into PostgreSQL, merged in DuckDB (decision 0007).

PostgreSQL runs the merge's big joins on one core and pays for every row it writes twice (a
temporary copy of the staged rows, then the insert). For a bulk import the staging area's
DuckDB does the merge instead, against a mirror of the store's rows (``storage.mirror``): the
same statements as on a DuckDB store, on every core. What changed (new and updated rows, new
status rows) is then copied into PostgreSQL with ``COPY``, inside the import's transaction,
which holds the records' lock from before the mirror is read until it commits: no other import
or event can change the store in between.
"""

from __future__ import annotations

from habitue.domain.format import ENTITY_BY_NAME
from habitue.importers.reading import RawTable
from habitue.storage import mirror
from habitue.storage.bulk import STAGED_REJECTS, SqlRunner, untraced
from habitue.storage.fact_pull import engine_memory_limit, hand_back

MIRROR_FROM_ROWS = 200_000
"""Staged rows of one file from which ``auto`` merges in DuckDB: when that is also a sizeable
share of its table (:data:`MIRROR_SHARE`), reading the whole store once costs less than
PostgreSQL's merge."""
MIRROR_SHARE = 0.25
ENGINES = ("auto", "duckdb", "database")


def worth_mirroring(target: SqlRunner, staged: list[RawTable], engine: str) -> bool:
    """Whether this import into a PostgreSQL store is merged in DuckDB (``engine``: ``auto``,
    ``duckdb`` or ``database``)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown import engine {engine!r} (expected one of {ENGINES})")
    if engine != "auto":
        return engine == "duckdb"
    for raw in staged:
        if raw.rows < MIRROR_FROM_ROWS:
            continue
        stored = target.scalar(
            "SELECT greatest(reltuples, 0) FROM pg_class WHERE relname = "
            f"'{raw.source.entity.name}' AND relkind = 'r' AND relpersistence = 'p'") or 0
        if raw.rows >= MIRROR_SHARE * stored:
            return True
    return False


class Changes:
    """What the merge changed in the mirror, entity by entity: ``d_<entity>`` holds the keys
    of the rows inserted or updated (a line whose latest status changed counts as updated),
    taken while ``m_<entity>`` is still there (``runner._merge``'s ``after_entity``)."""

    def __init__(self) -> None:
        self.entities: list[str] = []

    def capture(self, local: SqlRunner, entity) -> None:
        name = entity.name
        keys = ", ".join(entity.key)
        restated = ""
        if name == "order_lines" and local.scalar(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'm_statuses_new'"):
            restated = (" UNION SELECT organisation_id, line_id, 'update' FROM m_statuses_new "
                        "WHERE __action = 'unchanged'")
        local.recreate_temp(f"d_{name}", f"SELECT {keys}, __action FROM m_{name} "
                                         f"WHERE __action <> 'unchanged'{restated}")
        self.entities.append(name)


def merge_in_duckdb(local: SqlRunner, target: SqlRunner, store_url: str, run_id: int,
                    merge, memory_limit: str) -> None:
    """Mirror the store into ``local`` (the staging area), run ``merge(local, after_entity)``
    there, and copy its changes into ``target`` (the store, inside the import's transaction).
    ``merge`` leaves ``rej`` and ``_touched`` in ``local``; they are copied to the target for
    the rest of the import (``runner.finish_merge``)."""
    from habitue.importers.runner import RUN_ID_LOCK  # the runner imports this module

    target.execute(RUN_ID_LOCK)
    db = untraced(local.conn)
    # while the store is read, its Arrow batches live outside DuckDB's memory accounting: the
    # engine's share of the limit then, as a batch's pull has (measured at 1M contacts: the
    # whole limit made 4.07 GB of the process on a second import)
    db.execute(f"SET memory_limit = '{engine_memory_limit(memory_limit)}'")
    mirror.pull_store(store_url, db)
    db.execute(f"SET memory_limit = '{memory_limit}'")
    local.recreate_temp("rej", f"SELECT * FROM {STAGED_REJECTS}")
    changes = Changes()
    merge(local, changes.capture)
    _apply(local, target, changes, run_id)
    local.execute("CREATE OR REPLACE TEMP TABLE _touched AS "
                  "SELECT DISTINCT institution_id, contact_id FROM _touched")
    for name in ("rej", "_touched"):
        hand_back(local, target, name)
    # what is left in the staging area is the store as merged (a batch may compute there)
    leftovers = [r[0] for r in local.fetchall(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "OR table_name LIKE 's\\_%' ESCAPE '\\'")]
    local.drop(*leftovers)


def _apply(local: SqlRunner, target: SqlRunner, changes: Changes, run_id: int) -> None:
    """The mirror's changes, copied into the store: new institutions, then each entity's new
    and updated rows (dependency order), then the new status rows."""
    local.recreate_temp("_new_institutions", "SELECT institution_id, name FROM institutions")
    hand_back(local, target, "_new_institutions")
    target.execute("""INSERT INTO institutions (institution_id, name)
        SELECT institution_id, name FROM _new_institutions n WHERE NOT EXISTS (
            SELECT 1 FROM institutions i WHERE i.institution_id = n.institution_id)""")
    target.drop("_new_institutions")
    for name in changes.entities:
        entity = ENTITY_BY_NAME[name]
        cols = ", ".join(f"t.{c}" for c in mirror.columns_of(name))
        match = " AND ".join(f"d.{k} = t.{k}" for k in entity.key)
        rows = dict(local.fetchall(f"SELECT __action, count(*) FROM d_{name} GROUP BY 1"))

        def select(action: str) -> str:
            return (f"SELECT {cols} FROM {name} t JOIN d_{name} d ON {match} "  # noqa: B023
                    f"WHERE d.__action = '{action}'")

        mirror.insert_rows(local, target, select("insert"), name, rows.get("insert", 0))
        mirror.update_rows(local, target, select("update"), name, rows.get("update", 0))
        local.drop(f"d_{name}")
    statuses = local.scalar(
        f"SELECT count(*) FROM order_line_statuses WHERE import_run_id = {run_id}")
    columns = ", ".join(mirror.columns_of("order_line_statuses"))
    mirror.insert_rows(local, target, f"SELECT {columns} FROM order_line_statuses "
                       f"WHERE import_run_id = {run_id}", "order_line_statuses", statuses)
