"""Check references and merge the staged rows into the store (portable SQL).

Runs on the store's own connection, inside the import's transaction, on DuckDB and PostgreSQL
alike: the statements use only what both engines share, and the few differences (JSON merge)
come from the store's capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

from habitue.domain.format import ENTITY_BY_NAME, Entity, Reference, Scope
from habitue.importers.parsing import content_columns
from habitue.importers.reading import sql_literal
from habitue.storage.bulk import SqlRunner
from habitue.storage.schema import lookup_indexes, stored_fields
from habitue.storage.text_folding import SEARCHED_COLUMNS, search_text_sql

LABELS = {
    "organisations": "organisation",
    "seasons": "season",
    "contacts": "contact",
    "products": "product",
    "performances": "performance",
    "orders": "order",
    "order_lines": "order line",
    "social_shares": "social share",
    "share_visits": "share visit",
}
SEQ_RUN_FACTOR = 10_000_000_000  # status seq = run id * factor + line in file
TOUCH_EVERYONE_FROM = 50_000  # changed rows of one file from which every contact is touched


@dataclass
class EntityCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _derived_on_insert(name: str, dialect: str) -> tuple[str, str, str]:
    """(columns, values, join) of the derived columns of a new row (``schema.DERIVED_COLUMNS``):
    a new contact's search text; a new line staged on one row has that row's status as its
    latest; a line staged on several rows gets it from its history once merged
    (``_update_last_status``)."""
    if name == "contacts":
        return ", search_text", ", " + search_text_sql(dialect, lambda c: f"s.{c}"), ""
    if name != "order_lines":
        return "", "", ""
    # a status without status_at is dated at its order's creation: NULL says so here (its
    # history row holds the date; looking the order up for every new line would cost a join)
    return (", last_status, last_status_at",
            ", CASE WHEN s.__rows = 1 THEN s.status END, "
            "CASE WHEN s.__rows = 1 THEN s.status_at END", "")


def _derived_on_update(name: str, present: list[str], dialect: str) -> dict[str, str]:
    """The ``SET`` of the derived columns of an updated row (``u``, the staged row): a
    contact's search text, from its columns as merged (those the file has not keep their
    stored values), when the file has one of them."""
    if name != "contacts" or not set(SEARCHED_COLUMNS) & set(present):
        return {}
    merged = search_text_sql(dialect, lambda c: f"u.{c}" if c in present else f"{name}.{c}")
    return {"search_text": f"search_text = {merged}"}


def _eq(cols: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in cols)


def _target_key(ref: Reference, inst: str) -> tuple[str, str]:
    """(join condition against the target alias ``t``, key text) of a reference of row ``s``;
    ``inst`` is the SQL giving the row's institution (contacts are per institution)."""
    col = f"s.{ref.column}"
    target = ENTITY_BY_NAME[ref.target]
    if ref.scope == Scope.GLOBAL:
        return f"t.{target.key[0]} = {col}", col
    if ref.scope == Scope.ORGANISATION:
        return (f"t.organisation_id = s.organisation_id AND t.{target.id_column} = {col}",
                f"s.organisation_id || '|' || {col}")
    return f"t.institution_id = {inst} AND t.contact_id = {col}", f"{inst} || '|' || {col}"


class Merger:
    """The target side of one import."""

    def __init__(self, runner: SqlRunner, files: dict[str, str], run_id: int) -> None:
        self.db = runner
        self.files = files  # entity name -> file name, for the entities of this import
        self.run_id = run_id
        self.touched_everyone = False

    # -- references -----------------------------------------------------------------------

    def valid(self, entity: Entity | str) -> str:
        """SQL of the staged rows of ``entity`` not rejected so far. The staged tables are
        read-only here: on DuckDB they live in the staging database, outside this
        transaction."""
        name = entity if isinstance(entity, str) else entity.name
        if not self._rejected_in(self.files[name]):
            return f"s_{name}"
        file = sql_literal(self.files[name])
        return (f"(SELECT * FROM s_{name} v WHERE NOT EXISTS (SELECT 1 FROM rej r "
                f"WHERE r.file = {file} AND r.line = v.__line))")

    def build_orgmap(self) -> None:
        """``_orgmap``: the institution of each organisation (the store's, once this import's
        organisations are merged)."""
        self.db.recreate_temp("_orgmap",
                              "SELECT organisation_id, institution_id FROM organisations")

    def check_references(self, entity: Entity) -> None:
        """Reject the staged rows of ``entity`` whose references are unknown. Entities are
        merged in dependency order, so a reference is checked against the store, which
        already holds the referenced rows of this import; a reference to the entity itself
        (a child contact and its parent) is checked against the staged rows too."""
        for ref in entity.references:
            if ref.target == entity.name:
                while self._reject_unknown(entity, ref):
                    pass
            else:
                self._reject_unknown(entity, ref)
        if entity.name == "seasons":
            self._reject_overlapping_seasons()

    def _reject_unknown(self, entity: Entity, ref: Reference) -> int:
        target = ENTITY_BY_NAME[ref.target]
        join = ""
        inst = "s.institution_id"
        if ref.scope == Scope.INSTITUTION and "institution_id" not in entity.field_names:
            join = " JOIN _orgmap m ON m.organisation_id = s.organisation_id"
            inst = "m.institution_id"
        cond, key = _target_key(ref, inst)
        label = LABELS[target.name]
        target_file = self.files.get(target.name)
        why = "''"
        lookup = ""
        if target_file and self._rejected_in(target_file):
            lookup = (
                f" LEFT JOIN (SELECT key, min(line) AS line FROM rej "
                f"WHERE file = {sql_literal(target_file)} GROUP BY key) r ON r.key = {key}"
            )
            why = (f"coalesce(' (its row in {target_file}, line ' || CAST(r.line AS TEXT) "
                   "|| ', was rejected)', '')")
        own_file = sql_literal(self.files[entity.name])
        in_staged = (f"AND NOT EXISTS (SELECT 1 FROM {self.valid(target)} t WHERE {cond})"
                     if target.name == entity.name else "")
        own_key = " || '|' || ".join(f"s.{k}" for k in entity.key)
        if target.name != entity.name and not self._any_unknown(entity, ref, join, cond):
            return 0
        before = self._rejected_in(self.files[entity.name])
        self.db.execute(
            f"""INSERT INTO rej (file, line, column_name, value, reason, key)
            SELECT {own_file}, s.__line, {sql_literal(ref.column)}, s.{ref.column},
                   'unknown {label} ''' || s.{ref.column} || '''' || {why}, {own_key}
            FROM {self.valid(entity)} s{join}{lookup}
            WHERE s.{ref.column} IS NOT NULL
              {in_staged}
              AND NOT EXISTS (SELECT 1 FROM {target.name} t WHERE {cond})"""
        )
        return self._rejected_in(self.files[entity.name]) - before

    def _any_unknown(self, entity: Entity, ref: Reference, join: str, cond: str) -> bool:
        """Whether some distinct referenced key is unknown (most imports: none, and the
        row-level check with its messages is skipped)."""
        scope_cols = {Scope.GLOBAL: [], Scope.ORGANISATION: ["s.organisation_id"],
                      Scope.INSTITUTION: ["m.institution_id" if join else "s.institution_id"]}
        cols = [*scope_cols[ref.scope], f"s.{ref.column}"]
        names = ["organisation_id" if c == "s.organisation_id" else
                 "institution_id" if c.endswith("institution_id") else ref.column for c in cols]
        distinct = (f"SELECT DISTINCT {', '.join(f'{c} AS {n}' for c, n in zip(cols, names))} "
                    f"FROM {self.valid(entity)} s{join} WHERE s.{ref.column} IS NOT NULL")
        probe = cond.replace("m.institution_id", "s.institution_id")
        return bool(self.db.scalar(
            f"SELECT count(*) FROM ({distinct}) s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {ENTITY_BY_NAME[ref.target].name} t WHERE {probe})"))

    def _rejected_in(self, file: str) -> int:
        return self.db.scalar(f"SELECT count(*) FROM rej WHERE file = {sql_literal(file)}")

    def _reject_overlapping_seasons(self) -> None:
        file = sql_literal(self.files["seasons"])
        staged = self.valid("seasons")
        self.db.recreate_temp(
            "_all_seasons",
            f"""SELECT organisation_id, season_id, start_date, end_date FROM {staged} a
               UNION ALL
               SELECT organisation_id, season_id, start_date, end_date FROM seasons x
               WHERE NOT EXISTS (SELECT 1 FROM {staged} s WHERE s.organisation_id =
                   x.organisation_id AND s.season_id = x.season_id)""",
        )
        self.db.execute(
            f"""INSERT INTO rej (file, line, column_name, value, reason, key)
            SELECT {file}, s.__line, 'start_date', CAST(s.start_date AS TEXT),
                'season ''' || s.season_id || ''' (' || CAST(s.start_date AS TEXT) || ' to '
                || CAST(s.end_date AS TEXT) || ') overlaps season ''' || min(o.season_id)
                || ''' of organisation ''' || s.organisation_id || '''',
                s.organisation_id || '|' || s.season_id
            FROM {staged} s JOIN _all_seasons o
              ON o.organisation_id = s.organisation_id AND o.season_id <> s.season_id
             AND o.start_date <= s.end_date AND s.start_date <= o.end_date
            GROUP BY s.__line, s.organisation_id, s.season_id, s.start_date, s.end_date"""
        )
        self.db.drop("_all_seasons")

    # -- merge ----------------------------------------------------------------------------

    def insert_institutions(self, entity: Entity) -> None:
        """Institutions are implicit: the first organisation or contact naming one makes it."""
        self.db.execute(
            f"""INSERT INTO institutions (institution_id, name)
            SELECT DISTINCT institution_id, institution_id FROM {self.valid(entity)} x
            WHERE NOT EXISTS (SELECT 1 FROM institutions t
                              WHERE t.institution_id = x.institution_id)"""
        )

    def merge_entity(self, entity: Entity, present: list[str], has_attributes: bool) -> None:
        """Classify each key (insert / update / unchanged) in ``m_<entity>``, then apply."""
        caps = self.db.capabilities
        name = entity.name
        keys = entity.key
        cols = stored_fields(entity)
        compare = [c for c in content_columns(entity) if c in present and c != "attributes"]
        merged_attrs = caps.json_merge.format(old="t.attributes", new="s.attributes")
        diffs = [f"s.{c} IS DISTINCT FROM t.{c}" for c in compare]
        if has_attributes:
            diffs.append(
                f"{caps.json_text.format(merged_attrs)} IS DISTINCT FROM "
                f"{caps.json_text.format('t.attributes')}"
            )
        changed = " OR ".join(diffs) if diffs else "false"
        key_list = ", ".join(keys)
        # one narrow row per key: its first staged row, how many rows it stands for, and what
        # to do with it; the staged rows themselves are read again only where needed
        self.db.recreate_temp(
            f"m_{name}",
            f"""SELECT {', '.join(f's.{k}' for k in keys)}, k.__first, k.__rows,
                   CASE WHEN t.{keys[0]} IS NULL THEN 'insert'
                        WHEN {changed} THEN 'update' ELSE 'unchanged' END AS __action
            FROM (SELECT min(__line) AS __first, count(*) AS __rows
                  FROM {self.valid(name)} b GROUP BY {key_list}) k
            JOIN s_{name} s ON s.__line = k.__first
            LEFT JOIN {name} t ON {_eq(keys, 's', 't')}""",
        )
        insert_attrs = caps.json_merge.format(old="NULL", new="s.attributes")
        derived_cols, derived_values, derived_join = _derived_on_insert(name, caps.name)
        col_list = ", ".join(cols) + derived_cols
        inserts = self.db.scalar(f"SELECT count(*) FROM m_{name} WHERE __action = 'insert'")
        self.db.bulk_insert(name, keys, inserts, f"""INSERT INTO {name}
            ({col_list}, attributes, import_run_id)
            SELECT {', '.join(f's.{c}' for c in cols)}{derived_values},
                   {insert_attrs if has_attributes else 'NULL'}, {self.run_id}
            FROM {self.first_rows(name, "insert")} s{derived_join}""")
        sets = {c: f"{c} = u.{c}" for c in cols if c in present and c not in keys}
        if has_attributes:
            sets["attributes"] = ("attributes = " + caps.json_merge.format(
                old=f"{name}.attributes", new="u.attributes"))
        sets.update(_derived_on_update(name, present, caps.name))
        sets["import_run_id"] = f"import_run_id = {self.run_id}"
        if self.db.scalar(f"SELECT count(*) FROM m_{name} WHERE __action = 'update'"):
            self._update(name, keys, sets)

    def _update(self, name: str, keys: tuple[str, ...], sets: dict[str, str]) -> None:
        """Apply the updates of ``m_<name>``. On DuckDB a row whose indexed column is set,
        even to the value it has, is deleted and inserted again, its index entries with it
        (100,000 order lines: 21 s instead of 0.5 s): the indexed columns are set apart, on
        the rows where they change only (decision 0009)."""
        source = self.first_rows(name, "update")
        on = _eq(keys, name, "u")
        indexed = ([c.name for ix in lookup_indexes(name) for c in ix.columns if c.name in sets]
                   if self.db.capabilities.index_lookups else [])
        plain = [v for c, v in sets.items() if c not in indexed]
        self.db.execute(f"UPDATE {name} SET {', '.join(plain)} FROM {source} u WHERE {on}")
        if not indexed:
            return
        moved = " OR ".join(f"{name}.{c} IS DISTINCT FROM u.{c}" for c in indexed)
        self.db.execute(f"UPDATE {name} SET {', '.join(sets[c] for c in indexed)} "
                        f"FROM {source} u WHERE {on} AND ({moved})")

    def first_rows(self, name: str, action: str | None = None) -> str:
        """SQL of the first staged row of each key of ``m_<name>`` (with ``__action``)."""
        where = f" WHERE m.__action = '{action}'" if action else ""
        return (f"(SELECT s.*, m.__action, m.__rows FROM m_{name} m "
                f"JOIN s_{name} s ON s.__line = m.__first{where})")

    def merge_statuses(self) -> None:
        """Append the status rows a line did not have yet (status_at defaults to the order's
        creation); rows sharing a status_at are ordered by import run, then file line. A new
        line's rows are all new; a known line's rows are compared with its history."""
        seq = f"{self.run_id} * CAST({SEQ_RUN_FACTOR} AS BIGINT)"
        status_at = "coalesce(s.status_at, o.created_at)"
        join_order = "JOIN orders o ON o.organisation_id = s.organisation_id " \
                     "AND o.order_id = s.order_id"
        same_line = "m.organisation_id = s.organisation_id AND m.line_id = s.line_id"
        insert = ("INSERT INTO order_line_statuses "
                  "(organisation_id, line_id, status, status_at, seq, import_run_id) ")
        # new lines staged on one row: nothing to deduplicate
        rows = self.db.scalar("SELECT count(*) FROM m_order_lines "
                              "WHERE __action = 'insert' AND __rows = 1")
        self.db.bulk_insert(
            "order_line_statuses", ("organisation_id", "line_id", "status", "status_at"), rows,
            f"""{insert}SELECT s.organisation_id, s.line_id, s.status, {status_at},
                   {seq} + s.__line, {self.run_id}
            FROM m_order_lines m JOIN s_order_lines s ON s.__line = m.__first {join_order}
            WHERE m.__action = 'insert' AND m.__rows = 1""")
        # new lines staged on several rows, and rows of known lines not in their history yet
        rows_of = (f"""SELECT s.__line, s.organisation_id, s.line_id, s.status,
                          {status_at} AS status_at, m.__action
                   FROM (SELECT * FROM m_order_lines WHERE {{filter}}) m
                   JOIN s_order_lines s ON {same_line} {join_order}""")
        self.db.recreate_temp(
            "m_statuses_new",
            rows_of.format(filter="__action = 'insert' AND __rows > 1")
            + " UNION ALL SELECT * FROM ("
            + rows_of.format(filter="__action <> 'insert'")
            + """) k WHERE NOT EXISTS (SELECT 1 FROM order_line_statuses h
                    WHERE h.organisation_id = k.organisation_id AND h.line_id = k.line_id
                      AND h.status = k.status AND h.status_at = k.status_at)""",
        )
        self.db.execute(
            f"""{insert}SELECT organisation_id, line_id, status, status_at,
                   {seq} + max(__line), {self.run_id}
            FROM m_statuses_new GROUP BY organisation_id, line_id, status, status_at"""
        )
        self._update_last_status()

    def _update_last_status(self) -> None:
        """Lines whose history got rows other than their single staged row (new lines staged
        on several rows, known lines with a new status): their latest status again."""
        if not self.db.scalar("SELECT count(*) FROM m_statuses_new"):
            return
        self.db.recreate_temp(
            "_last_status",
            """SELECT organisation_id, line_id, status, status_at FROM (
                SELECT h.organisation_id, h.line_id, h.status, h.status_at,
                       row_number() OVER (PARTITION BY h.organisation_id, h.line_id
                                          ORDER BY h.status_at DESC, h.seq DESC) AS rn
                FROM order_line_statuses h WHERE EXISTS (
                    SELECT 1 FROM m_statuses_new n WHERE n.organisation_id = h.organisation_id
                    AND n.line_id = h.line_id)) r WHERE rn = 1""",
        )
        self.db.execute(
            """UPDATE order_lines SET last_status = x.status, last_status_at = x.status_at
            FROM _last_status x WHERE order_lines.organisation_id = x.organisation_id
              AND order_lines.line_id = x.line_id"""
        )
        self.db.drop("_last_status")

    def counts(self, entity: Entity) -> EntityCounts:
        """Per staged row: inserted, updated or unchanged. A repeated row of a key counts as
        unchanged, except order-line rows, which count with their line (inserted, updated)
        or as updated when they add a status to an unchanged line."""
        name = entity.name
        ins, upd, ins_rows, upd_rows, total = (int(v) for v in self.db.fetchall(
            f"""SELECT count(*) FILTER (WHERE __action = 'insert'),
                       count(*) FILTER (WHERE __action = 'update'),
                       coalesce(sum(__rows) FILTER (WHERE __action = 'insert'), 0),
                       coalesce(sum(__rows) FILTER (WHERE __action = 'update'), 0),
                       coalesce(sum(__rows), 0) FROM m_{name}"""
        )[0])
        if name != "order_lines":
            return EntityCounts(ins, upd, total - ins - upd)
        new_status = self.db.scalar(
            "SELECT count(*) FROM m_statuses_new WHERE __action = 'unchanged'")
        updated = upd_rows + new_status
        return EntityCounts(ins_rows, updated, total - ins_rows - updated)

    def collect_touched_contacts(self, entity: Entity) -> None:
        """Append to ``_touched`` the contacts whose facts this entity's merge changed (for
        the real-time refresh of their indicators)."""
        if self.touched_everyone:
            return
        changed = self.db.scalar(
            f"SELECT count(*) FROM m_{entity.name} WHERE __action <> 'unchanged'")
        if changed > TOUCH_EVERYONE_FROM:
            # a bulk load: rather than tracing who each changed row concerns, every contact of
            # the institutions concerned is refreshed (the refresh then runs as a batch)
            institutions = (
                "SELECT DISTINCT institution_id FROM m_contacts" if entity.name == "contacts"
                else f"SELECT g.institution_id FROM _orgmap g WHERE g.organisation_id IN "
                     f"(SELECT DISTINCT organisation_id FROM m_{entity.name})")
            self.db.execute(
                f"""INSERT INTO _touched (institution_id, contact_id)
                SELECT c.institution_id, c.contact_id FROM contacts c
                WHERE c.institution_id IN ({institutions})"""
            )
            self.touched_everyone = True
            return
        via_org = "JOIN _orgmap g ON g.organisation_id = x.organisation_id"
        parts: list[str] = []
        if entity.name == "contacts":
            parts.append("SELECT institution_id, contact_id FROM m_contacts "
                         "WHERE __action <> 'unchanged'")
        elif entity.name == "orders":
            parts += [
                f"SELECT g.institution_id, x.{col} FROM {self.first_rows('orders')} x "
                f"{via_org} WHERE x.__action <> 'unchanged' AND x.{col} IS NOT NULL"
                for col in ("buyer_contact_id", "payer_contact_id")
            ]
        elif entity.name == "order_lines":
            self.db.recreate_temp(
                "_changed_lines",
                f"""SELECT organisation_id, order_id, beneficiary_contact_id
                   FROM {self.first_rows('order_lines')} f WHERE __action <> 'unchanged'
                   UNION ALL
                   SELECT f.organisation_id, f.order_id, f.beneficiary_contact_id
                   FROM {self.first_rows('order_lines', 'unchanged')} f
                   JOIN (SELECT DISTINCT organisation_id, line_id FROM m_statuses_new) n
                     ON n.organisation_id = f.organisation_id AND n.line_id = f.line_id""",
            )
            parts.append(
                f"SELECT DISTINCT g.institution_id, x.beneficiary_contact_id "
                f"FROM _changed_lines x {via_org} WHERE x.beneficiary_contact_id IS NOT NULL"
            )
            orders = ("(SELECT DISTINCT organisation_id, order_id FROM _changed_lines) x "
                      "JOIN orders o ON o.organisation_id = x.organisation_id "
                      "AND o.order_id = x.order_id")
            parts += [
                f"SELECT g.institution_id, o.{col} FROM {orders} {via_org} "
                f"WHERE o.{col} IS NOT NULL"
                for col in ("buyer_contact_id", "payer_contact_id")
            ]
        elif entity.name == "social_shares":
            parts.append(f"SELECT g.institution_id, x.contact_id "
                         f"FROM {self.first_rows('social_shares')} x {via_org} "
                         "WHERE x.__action <> 'unchanged'")
        elif entity.name == "share_visits":
            parts.append(
                f"SELECT g.institution_id, sh.contact_id FROM {self.first_rows('share_visits')} x "
                f"{via_org} "
                "JOIN social_shares sh ON sh.organisation_id = x.organisation_id "
                "AND sh.share_id = x.share_id WHERE x.__action <> 'unchanged'"
            )
        if parts:
            self.db.execute("INSERT INTO _touched (institution_id, contact_id) "
                            + " UNION ALL ".join(parts))
        self.db.drop("_changed_lines")
