"""``habitue import``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from habitue.cli.context import console, err_console, progress_reporter, workspace
from habitue.importers.runner import ImportResult


def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A file or a directory of the open format.")],
    entity: Annotated[Optional[str], typer.Option(
        help="What a single file holds, when its name does not say (e.g. contacts).")] = None,
    rejects: Annotated[Optional[Path], typer.Option(
        help="Where to write the rejected rows (default: "
             "./habitue-import-RUN-rejects.csv).")] = None,
    output: Annotated[str, typer.Option(
        "--output", help="Summary format: text or json.")] = "text",
) -> None:
    """Import a file or a directory of the open format.

    Exit status: 0 when every row was imported, 2 when some rows were rejected (the others
    were imported), 1 when nothing was changed because of an error.
    """
    with workspace(ctx) as ws, progress_reporter(output == "text") as reporter:
        result = ws.import_path(path, now=datetime.now(), entity=entity, rejects_path=rejects,
                                reporter=reporter)
    if output == "json":
        console.print_json(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        render_result(result)
    raise typer.Exit(result.exit_code)


def render_result(result: ImportResult) -> None:
    if result.status == "failed":
        err_console.print(f"[red]import failed, nothing was changed:[/red] {result.error}")
        return
    table = Table(title=f"Import run {result.run_id}", title_justify="left")
    for col in ("file", "read", "inserted", "updated", "unchanged", "rejected"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for f in result.files:
        table.add_row(f.file, *(f"{n:,}" for n in (f.read, f.inserted, f.updated,
                                                     f.unchanged, f.rejected)))
    console.print(table)
    for f in result.files:
        if f.unknown_columns:
            console.print(f"{f.file}: kept as custom attributes: {', '.join(f.unknown_columns)}")
        if f.encoding and f.encoding != "utf-8":
            console.print(f"{f.file}: read as {f.encoding}")
    for name in result.ignored:
        console.print(f"ignored (not a file of the open format): {name}")
    if result.rejects_path:
        rows = sum(f.rejected for f in result.files)
        err_console.print(
            f"[yellow]{rows:,} row(s) rejected ({result.rejected:,} problem(s))[/yellow] — "
            f"details in {result.rejects_path}"
        )
    else:
        console.print("[green]every row was imported[/green]")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
