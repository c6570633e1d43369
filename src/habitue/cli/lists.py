"""``habitue lists``: marketing lists, the frozen members of a segment on one date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from habitue.cli.context import console, settings_from, workspace
from habitue.cli.segments import (
    AsOf,
    By,
    Columns,
    Lang,
    Purpose,
    choose,
    parse_date,
    print_export,
    segment_errors,
    user,
    write_rows,
)

ListRef = Annotated[str, typer.Argument(help="The list's id, or its name.")]


def freeze_command(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(help="The saved segment's key.")],
    name: Annotated[str, typer.Option(help="The list's name.", show_default=False)],
    as_of: AsOf = None,
    by: By = None,
    lang: Lang = None,
) -> None:
    """Freeze the members of a saved segment into a new list (it will not change)."""
    lang = lang or settings_from(ctx).lang
    ref = parse_date(as_of)
    with workspace(ctx) as ws, segment_errors(lang):
        m = ws.freeze_list(segment, name=name, as_of=ref, now=datetime.now(), by=user(by))
    console.print(f"list {m.list_id} '{escape(m.name)}': {m.member_count:,} members of "
                  f"segment {escape(segment)} as of {ref.isoformat()}")


def list_command(
    ctx: typer.Context,
    organisation: Annotated[Optional[str], typer.Option(help="Only this organisation.")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
) -> None:
    """List the marketing lists: id, name, segment, date, members."""
    fmt = choose(fmt, ("table", "jsonl", "csv"), "--format")
    with workspace(ctx) as ws, segment_errors("en"):
        found = ws.list_marketing_lists(organisation=organisation)
    headers = ["list_id", "name", "organisation_id", "segment", "as_of", "members",
               "created_at", "created_by"]
    rows = [(m.list_id, m.name, m.organisation_id, m.segment_key, m.as_of, m.member_count,
             m.created_at.isoformat(sep=" ", timespec="seconds"), m.created_by)
            for m in found]
    write_rows(headers, rows, fmt)


def export_command(
    ctx: typer.Context,
    ref: ListRef,
    output: Annotated[Path, typer.Option(
        "--output", help="The file to write (.csv or .xlsx).", show_default=False)],
    fmt: Annotated[Optional[str], typer.Option(
        "--format", help="csv or xlsx (default: from the file's suffix).")] = None,
    columns: Columns = None,
    purpose: Purpose = None,
    lang: Lang = None,
) -> None:
    """Export a list's members (their contact fields and indicators as they are now)."""
    lang = lang or settings_from(ctx).lang
    with workspace(ctx) as ws, segment_errors(lang):
        summary = ws.export_list(ref, path=output, fmt=fmt, columns=columns, purpose=purpose,
                                 lang=lang)
    print_export(summary)


def delete_command(ctx: typer.Context, ref: ListRef) -> None:
    """Delete a list and its members."""
    with workspace(ctx) as ws, segment_errors("en"):
        m = ws.delete_list(ref)
    console.print(f"list {m.list_id} '{escape(m.name)}' deleted")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Marketing lists: frozen members of a segment.",
                        no_args_is_help=True)
    group.command("freeze")(freeze_command)
    group.command("list")(list_command)
    group.command("export")(export_command)
    group.command("delete")(delete_command)
    app.add_typer(group, name="lists")
