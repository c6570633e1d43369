"""``habitue generate``: a synthetic venue in the open format."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from habitue.cli.context import console, progress_reporter
from habitue.services.demo import generate_files
from habitue.services.workspace import today


def generate_command(
    out_dir: Annotated[Path, typer.Argument(help="Directory to write the files into.")],
    contacts: Annotated[int, typer.Option(help="Number of contacts.", min=1)],
    organisations: Annotated[int, typer.Option(help="Number of organisations.", min=1)] = 1,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    as_of: Annotated[Optional[str], typer.Option(
        "--today", help="The venue's 'today' YYYY-MM-DD (default: today); the last season "
                        "contains it.")] = None,
) -> None:
    """Write a realistic synthetic venue (seasons, contacts, orders, lines, scans, shares)."""
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("expected csv or parquet", param_hint="--format")
    ref = date.fromisoformat(as_of) if as_of else today()
    with progress_reporter() as reporter:
        summary = generate_files(out_dir, contacts=contacts, organisations=organisations,
                                 seed=seed, fmt=fmt, today=ref, reporter=reporter)
    table = Table(title=f"Generated in {out_dir}", title_justify="left")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)
