"""What compiled SQL reads of the store: its tables and their columns (sqlglot), and those
columns as the indicator compiler types them. A batch pulls no more than that out of
PostgreSQL (``fact_pull``), a lake holds no more than that (``lake``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import ibis
import sqlglot
from sqlglot import exp

from habitue.indicators.sources import entity_table, statuses_table


def table_schema(name: str) -> ibis.Schema:
    """The columns of a store table as the indicator compiler types them."""
    if name == "order_line_statuses":
        return statuses_table().schema()
    if name == "indicator_settings":
        return ibis.schema({"institution_id": "string", "indicator": "string",
                            "enabled": "boolean"})
    return entity_table(name).schema()


def referenced_tables(sqls: Iterable[str], dialect: str = "duckdb") -> set[str]:
    """The tables the statements read; temporary ones (``_ind_…``) and the statements' own
    common table expressions left out."""
    names: set[str] = set()
    for sql in sqls:
        tree = sqlglot.parse_one(sql, read=dialect)
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if table.name and not table.name.startswith("_") and table.name not in ctes:
                names.add(table.name)
    return names


def referenced_columns(sqls: Iterable[str], dialect: str = "duckdb") -> dict[str, set[str]]:
    """Table -> the columns the statements read of it (every column where one selects ``*``
    straight from it). Temporary tables (``_…``) and common table expressions are left out."""
    out: dict[str, set[str]] = {}
    for sql in sqls:
        tree = sqlglot.parse_one(sql, read=dialect)
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        aliases = {t.alias_or_name: t.name for t in tree.find_all(exp.Table)
                   if t.name and not t.name.startswith("_") and t.name not in ctes}
        for name in aliases.values():
            out.setdefault(name, set())
        for column in tree.find_all(exp.Column):
            if column.table in aliases and not isinstance(column.this, exp.Star):
                out[aliases[column.table]].add(column.name)
        for select in tree.find_all(exp.Select):
            _unqualified(select, aliases, out)
    return out


def _unqualified(select: exp.Select, aliases: Mapping[str, str],
                 out: dict[str, set[str]]) -> None:
    """Columns of ``select`` read without a table name or as ``*`` from a base table of its
    own ``FROM`` / ``JOIN``: taken as that table's (every column for ``*``)."""
    sources = [select.args.get("from_")] + list(select.args.get("joins") or [])
    tables = [s.this.name for s in sources if s is not None and isinstance(s.this, exp.Table)
              and s.this.alias_or_name in aliases]
    if not tables:
        return
    star = any(isinstance(e, exp.Star) or (isinstance(e, exp.Column)
                                           and isinstance(e.this, exp.Star))
               for e in select.expressions)
    bare = {c.name for c in select.find_all(exp.Column) if not c.table}
    if not star and not bare:
        return
    for name in tables:
        names = table_schema(name).names
        out[name] |= set(names) if star else bare & set(names)
