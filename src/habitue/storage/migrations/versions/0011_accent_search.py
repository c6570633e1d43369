"""contacts.search_text: the names and email folded (no accents, no capitals:
storage.text_folding), written with each contact, so that "helene" finds Hélène; on PostgreSQL
the trigram index of the contact search is built on it (skipped, as in 0009, where pg_trgm
cannot be created)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The folding as storage.text_folding builds it at this revision, frozen here: the rows hold
# what this migration wrote, whatever the code becomes (a test compares the two: a change of
# the folding needs a migration that writes search_text again).
_SPELT = (("æ", "ae"), ("Æ", "ae"), ("œ", "oe"), ("Œ", "oe"), ("ß", "ss"), ("ẞ", "ss"),
          ("ø", "o"), ("Ø", "o"), ("ł", "l"), ("Ł", "l"), ("đ", "d"), ("Đ", "d"),
          ("ħ", "h"), ("Ħ", "h"), ("ı", "i"), ("ŀ", "l"), ("Ŀ", "l"))
_LETTERS = "[" + "".join(letter for letter, _ in _SPELT) + "]"
# per engine: the text is ASCII only; it holds a letter of _SPELT; its accents taken off
_SQL = {
    "duckdb": ("strlen({0}) = length({0})", f"regexp_matches({{0}}, '{_LETTERS}')",
               "strip_accents({0})"),
    "postgresql": ("octet_length({0}) = char_length({0})", f"{{0}} ~ '{_LETTERS}'",
                   "regexp_replace(normalize({0}, NFD), '[\\u0300-\\u036f]+', '', 'g')"),
}
SEARCHED = ("last_name", "first_name", "structure_name", "email")
SEARCH_TEXT_0009 = ("lower(coalesce(last_name, '') || ' ' || coalesce(first_name, '') || ' ' "
                    "|| coalesce(structure_name, '') || ' ' || coalesce(email, ''))")


def _folded(column: str, dialect: str) -> str:
    ascii_only, has_spelt, unaccented = _SQL[dialect]
    spelt = column
    for letter, letters in _SPELT:
        spelt = f"replace({spelt}, '{letter}', '{letters}')"
    return (f"CASE WHEN {ascii_only.format(column)} THEN lower({column}) "
            f"WHEN {has_spelt.format(column)} THEN lower({unaccented.format(spelt)}) "
            f"ELSE lower({unaccented.format(column)}) END")


def search_text(dialect: str) -> str:
    return "concat_ws(' ', " + ", ".join(_folded(c, dialect) for c in SEARCHED) + ")"


def _trigram_index(bind, expression: str) -> None:
    """``ix_contacts_search`` on ``expression``, where pg_trgm can be created."""
    try:
        with bind.begin_nested():  # a savepoint: a refused extension leaves the rest intact
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        logging.getLogger("habitue").warning(
            "pg_trgm cannot be created (%s): the contact search will scan the contacts",
            exc.orig)
        return
    bind.execute(sa.text(f"CREATE INDEX ix_contacts_search ON contacts USING gin "
                         f"({expression} gin_trgm_ops)"))


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql":  # before the rows are written: not kept up to date meanwhile
        op.execute("DROP INDEX IF EXISTS ix_contacts_search")
    op.add_column("contacts", sa.Column("search_text", sa.Text(), nullable=True))
    op.execute(f"UPDATE contacts SET search_text = {search_text(dialect)}")
    if dialect == "postgresql":
        _trigram_index(bind, "search_text")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_contacts_search")
        op.drop_column("contacts", "search_text")
        _trigram_index(bind, SEARCH_TEXT_0009)
        return
    # DuckDB drops no column of a table that has an index (0010's): they go, and come back
    indexes = bind.execute(sa.text(
        "SELECT index_name, sql FROM duckdb_indexes() WHERE table_name = 'contacts' "
        "AND schema_name = current_schema()")).all()
    for name, _ in indexes:
        op.execute(f"DROP INDEX {name}")
    op.drop_column("contacts", "search_text")
    for _, sql in indexes:
        op.execute(sql)
