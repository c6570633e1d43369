"""``habitue segments``: save, read, count, preview, compare and export segments."""

from __future__ import annotations

import csv
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from habitue.cli.context import console, err_console, settings_from, workspace
from habitue.cli.indicators import json_value
from habitue.segments import SpecError
from habitue.services.segment_evaluation import SegmentError
from habitue.services.workspace import Workspace, today

AsOf = Annotated[Optional[str], typer.Option(
    "--as-of", help="Reference date YYYY-MM-DD of behaviours and dates (default: today).")]
Lang = Annotated[Optional[str], typer.Option(
    help="fr or en (default: HABITUE_LANG, else fr).")]
File = Annotated[Optional[Path], typer.Option(
    "--file", help="A definition in JSON or YAML.")]
Organisation = Annotated[Optional[str], typer.Option(
    help="The organisation (default: the only one).")]
By = Annotated[Optional[str], typer.Option(
    help="Who makes the change (default: the system user name).")]
Key = Annotated[Optional[str], typer.Argument(
    help="A saved segment's key (or give --file).", show_default=False)]
Columns = Annotated[Optional[str], typer.Option(
    help="Comma-separated columns: contact fields, CODE, CODE:level, CODE:label, "
         "CODE:label_fr, CODE:label_en, attribute:NAME.")]
Purpose = Annotated[Optional[str], typer.Option(
    help="email, sms or post: only members with that opt-in and a usable address.")]

REASON_WORDS = {
    "no_opt_in": {"email": "without email opt-in", "sms": "without SMS opt-in",
                  "post": "without post opt-in"},
    "unusable_address": {"email": "without a usable email address",
                         "sms": "without a phone number", "post": "without a postal address"},
}


# -- shared helpers ------------------------------------------------------------------------

@contextmanager
def segment_errors(lang: str) -> Iterator[None]:
    """A bad definition or an unknown segment: its sentence (with the node's path), exit 1."""
    try:
        yield
    except SpecError as exc:
        err_console.print(f"[red]error:[/red] {escape(exc.sentence(lang))}")
        raise typer.Exit(1) from exc
    except (SegmentError, OSError) as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def parse_date(text: str | None, hint: str = "--as-of") -> date:
    if not text:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (expected YYYY-MM-DD)",
                                 param_hint=hint) from exc


def read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SegmentError(f"cannot read {path}: {exc.strerror}") from exc


def user(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name: leave it empty
        return ""


def choose(value: str, allowed: tuple[str, ...], hint: str) -> str:
    if value not in allowed:
        raise typer.BadParameter(f"expected {' or '.join(allowed)}", param_hint=hint)
    return value


def target(ws: Workspace, key: str | None, file: Path | None, organisation: str | None):
    if (key is None) == (file is None):
        raise SegmentError("give a saved segment's key or --file (one of them)")
    if key is not None:
        return ws.segment_target(key)
    return ws.segment_target(definition=read_file(file), organisation=organisation)


def write_rows(headers: list[str], rows: list, fmt: str, title: str | None = None) -> None:
    """Rows as a Rich table, JSON lines or CSV on standard output."""
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(headers, map(json_value, row), strict=True)),
                                        ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(headers)
        for row in rows:
            writer.writerow("" if v is None else json_value(v) for v in row)
        return
    table = Table(title=title, title_justify="left")
    for h in headers:
        table.add_column(h, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else escape(str(json_value(v))) for v in row))
    console.print(table)


def left_out_text(purpose: str | None, left_out: dict[str, int]) -> str:
    parts = [f"{n:,} {REASON_WORDS[r][purpose]}" for r, n in left_out.items() if n]
    return "; left out: " + ", ".join(parts) if parts else ""


# -- commands ------------------------------------------------------------------------------

def create_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The segment's key, e.g. opera-lovers.")],
    file: Annotated[Path, typer.Option("--file", help="The definition in JSON or YAML.")],
    name: Annotated[Optional[str], typer.Option(help="A display name (default: the key).")]
    = None,
    organisation: Organisation = None,
    by: By = None,
    lang: Lang = None,
) -> None:
    """Save a segment: its definition is checked against the organisation's data."""
    lang = lang or settings_from(ctx).lang
    with workspace(ctx) as ws, segment_errors(lang):
        seg = ws.create_segment(key, read_file(file), now=datetime.now(),
                                organisation=organisation, name=name, by=user(by))
        sentence = ws.show_segment(seg.key, lang=lang).sentence
    console.print(f"segment {escape(seg.key)} created in {escape(seg.organisation_id)}: "
                  f"{escape(sentence)}")


def update_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The segment's key.")],
    file: File = None,
    name: Annotated[Optional[str], typer.Option(help="A new display name.")] = None,
    by: By = None,
    lang: Lang = None,
) -> None:
    """Change a saved segment's definition (--file) or name."""
    lang = lang or settings_from(ctx).lang
    with workspace(ctx) as ws, segment_errors(lang):
        if file is None and name is None:
            raise SegmentError("nothing to change: give --file or --name")
        ws.update_segment(key, now=datetime.now(),
                          definition=read_file(file) if file else None, name=name,
                          by=user(by))
        sentence = ws.show_segment(key, lang=lang).sentence
    console.print(f"segment {escape(key)} updated: {escape(sentence)}")


def delete_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The segment's key.")],
) -> None:
    """Delete a saved segment and its size history (lists frozen from it stay)."""
    with workspace(ctx) as ws, segment_errors("en"):
        ws.delete_segment(key)
    console.print(f"segment {escape(key)} deleted")


def list_command(
    ctx: typer.Context,
    organisation: Annotated[Optional[str], typer.Option(help="Only this organisation.")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
    lang: Lang = None,
) -> None:
    """List the saved segments: key, organisation, name, last recorded size, sentence."""
    fmt = choose(fmt, ("table", "jsonl", "csv"), "--format")
    lang = lang or settings_from(ctx).lang
    with workspace(ctx) as ws, segment_errors(lang):
        found = ws.list_segments(organisation=organisation, lang=lang)
    headers = ["key", "organisation_id", "name", "size", "size_as_of", "sentence"]
    rows = [(s.segment.key, s.segment.organisation_id, s.segment.name,
             s.last_size[1] if s.last_size else None, s.last_size[0] if s.last_size else None,
             s.sentence) for s in found]
    write_rows(headers, rows, fmt)


def show_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The segment's key.")],
    sql: Annotated[bool, typer.Option("--sql", help="Also print its SQL for this store.")]
    = False,
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Lang = None,
) -> None:
    """Print a segment as a sentence (and with --sql, the SQL it runs on this store)."""
    fmt = choose(fmt, ("text", "json"), "--format")
    lang = lang or settings_from(ctx).lang
    with workspace(ctx) as ws, segment_errors(lang):
        d = ws.show_segment(key, lang=lang, sql=sql, as_of=parse_date(as_of))
    s = d.segment
    if fmt == "json":
        console.print_json(json.dumps({
            "key": s.key, "organisation_id": s.organisation_id, "name": s.name,
            "sentence": d.sentence, "definition": s.definition,
            "created_at": s.created_at.isoformat(), "created_by": s.created_by,
            "updated_at": s.updated_at.isoformat(), "updated_by": s.updated_by,
            "sizes": [{"as_of": a.isoformat(), "size": n, "batch_id": b}
                      for a, n, b in d.sizes],
            **({"sql": d.sql} if sql else {})}, ensure_ascii=False))
        return
    console.print(f"[bold]{escape(s.name)}[/bold] ({escape(s.key)}, {escape(s.organisation_id)})")
    console.print(d.sentence, markup=False)
    if d.sizes:
        console.print("sizes: " + ", ".join(f"{a.isoformat()}: {n:,}" for a, n, _ in d.sizes),
                      markup=False)
    if sql:
        console.print()
        console.print(d.sql, markup=False, highlight=False)


def count_command(
    ctx: typer.Context,
    key: Key = None,
    file: File = None,
    organisation: Organisation = None,
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Lang = None,
) -> None:
    """Count the members of a saved segment, or of a definition file (--file)."""
    fmt = choose(fmt, ("text", "json"), "--format")
    lang = lang or settings_from(ctx).lang
    ref = parse_date(as_of)
    with workspace(ctx) as ws, segment_errors(lang):
        n = ws.count_segment(target(ws, key, file, organisation), as_of=ref)
    if fmt == "json":
        console.print_json(json.dumps({"segment": key, "as_of": ref.isoformat(), "count": n}))
    else:
        console.print(f"{n:,} members as of {ref.isoformat()}")


def preview_command(
    ctx: typer.Context,
    key: Key = None,
    file: File = None,
    organisation: Organisation = None,
    limit: Annotated[int, typer.Option(help="How many members to show.", min=1)] = 20,
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
    lang: Lang = None,
) -> None:
    """Show the first members (by contact id): name, email and key indicators."""
    fmt = choose(fmt, ("table", "jsonl", "csv"), "--format")
    lang = lang or settings_from(ctx).lang
    ref = parse_date(as_of)
    with workspace(ctx) as ws, segment_errors(lang):
        p = ws.preview_segment(target(ws, key, file, organisation), as_of=ref, limit=limit,
                               lang=lang)
    if fmt != "table":
        write_rows(p.headers, p.rows, fmt)
        return
    keep = [i for i, h in enumerate(p.headers) if not h.endswith(":level")]
    write_rows([p.headers[i] for i in keep], [[r[i] for i in keep] for r in p.rows], fmt,
               title=f"{p.count:,} members as of {ref.isoformat()}"
                     + (f" (first {len(p.rows)})" if p.count > len(p.rows) else ""))


def overlap_command(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="A saved segment's key.")],
    b: Annotated[str, typer.Argument(help="Another saved segment's key.")],
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """How many contacts are in A only, in both, in B only."""
    fmt = choose(fmt, ("text", "json"), "--format")
    ref = parse_date(as_of)
    with workspace(ctx) as ws, segment_errors("en"):
        o = ws.overlap_segments(ws.segment_target(a), ws.segment_target(b), as_of=ref)
    if fmt == "json":
        console.print_json(json.dumps({"a": a, "b": b, "as_of": ref.isoformat(),
                                       **o.as_dict()}))
        return
    table = Table(title=f"as of {ref.isoformat()}", title_justify="left")
    for col in (f"{a} only", "both", f"{b} only"):
        table.add_column(escape(col), justify="right")
    table.add_row(f"{o.a_only:,}", f"{o.both:,}", f"{o.b_only:,}")
    console.print(table)


def export_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(
        "--output", help="The file to write (.csv or .xlsx).", show_default=False)],
    key: Key = None,
    file: File = None,
    organisation: Organisation = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", help="csv or xlsx (default: from the file's suffix).")] = None,
    columns: Columns = None,
    purpose: Purpose = None,
    as_of: AsOf = None,
    lang: Lang = None,
) -> None:
    """Export the members to CSV or XLSX, with chosen columns, for a purpose."""
    lang = lang or settings_from(ctx).lang
    ref = parse_date(as_of)
    with workspace(ctx) as ws, segment_errors(lang):
        summary = ws.export_segment(target(ws, key, file, organisation), as_of=ref,
                                    path=output, fmt=fmt, columns=columns, purpose=purpose,
                                    lang=lang)
    print_export(summary)


def print_export(summary) -> None:
    console.print(f"exported {summary.exported:,} of {summary.members:,} members to "
                  f"{escape(str(summary.path))}"
                  f"{escape(left_out_text(summary.purpose, summary.left_out))}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Segments: rules over contacts, saved, counted and exported.",
                        no_args_is_help=True)
    for name, command in (("create", create_command), ("update", update_command),
                          ("delete", delete_command), ("list", list_command),
                          ("show", show_command), ("count", count_command),
                          ("preview", preview_command), ("overlap", overlap_command),
                          ("export", export_command)):
        group.command(name)(command)
    app.add_typer(group, name="segments")
