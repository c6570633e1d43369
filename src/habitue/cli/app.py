"""The root ``habitue`` command."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Optional

import typer

from habitue import __version__
from habitue.cli import generate, importing, indicators, lake, lists, segments, serving, users
from habitue.cli.context import console, workspace

app = typer.Typer(
    name="habitue",
    help="Habitué — the audience CRM for cultural venues.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[Optional[str], typer.Option(
        "--database-url", envvar="HABITUE_DATABASE_URL",
        help="duckdb:///path/file.duckdb or postgresql://user@host/db "
             "(default: habitue.duckdb in the current directory).")] = None,
) -> None:
    ctx.obj = {"database_url": database_url}


@app.command()
def version() -> None:
    """Print Habitué's version."""
    console.print(__version__)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database schema, or upgrade it to this version."""
    with workspace(ctx) as ws:
        before, after = ws.init()
        where = ws.store.display_url()
    if before == after:
        console.print(f"{where}: schema already at {after}")
    elif before is None:
        console.print(f"{where}: schema created ({after})")
    else:
        console.print(f"{where}: schema upgraded from {before} to {after}")


importing.register(app)
indicators.register(app)
lake.register(app)
segments.register(app)
lists.register(app)
generate.register(app)
serving.register(app)
users.register(app)


def main() -> None:
    if os.environ.get("HABITUE_SQL_TRACE"):
        # every statement slower than half a second, with its time, on stderr
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        logging.getLogger("habitue.sql").setLevel(logging.INFO)
    app()
