"""``habitue compute`` and ``habitue indicators``."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Optional

import typer
from rich.table import Table

from habitue.cli.context import (
    console,
    err_console,
    progress_reporter,
    settings_from,
    workspace,
)
from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.indicators.explain import sentences
from habitue.services.workspace import IndicatorRow, today


def json_value(value: object) -> object:
    """Dates as ``YYYY-MM-DD``, decimals as exact decimal strings, the rest as JSON has it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def compute_command(
    ctx: typer.Context,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="Reference date YYYY-MM-DD (default: today).")] = None,
    organisation: Annotated[Optional[str], typer.Option(
        help="Only this organisation (default: all).")] = None,
    engine: Annotated[str, typer.Option(
        help="local (the store's own batch engine) or spark (on a lake: --lake).")] = "local",
    lake: Annotated[Optional[str], typer.Option(
        help="With --engine spark: the lake (`habitue export-lake`), a directory or a URI "
             "(hdfs://…, s3a://…); the results are written to its results/.")] = None,
    master: Annotated[Optional[str], typer.Option(
        help="With --engine spark: the Spark master, spark://host:7077, yarn… (default: "
             "spark-submit's or spark-defaults.conf's, else local[*]).")] = None,
    spark_conf: Annotated[Optional[list[str]], typer.Option(
        "--spark-conf", help="With --engine spark: a Spark setting KEY=VALUE (repeat for "
                             "several), e.g. spark.executor.memory=8g.")] = None,
) -> None:
    """Compute every enabled indicator of every contact and store the values (with --engine
    spark: compute them on a lake and write them there, for `habitue import-results`)."""
    ref = _parse_date(as_of) if as_of else today()
    if engine not in ("local", "spark"):
        raise typer.BadParameter("expected local or spark", param_hint="--engine")
    if engine == "spark":
        from habitue.cli.lake import compute_on_spark

        compute_on_spark(lake=lake, master=master, spark_conf=spark_conf, as_of=ref,
                         organisation=organisation)
        return
    if lake or master or spark_conf:
        raise typer.BadParameter("--lake, --master and --spark-conf go with --engine spark",
                                 param_hint="--engine")
    with workspace(ctx) as ws, progress_reporter() as reporter:
        summary = ws.compute(as_of=ref, now=datetime.now(), organisation=organisation,
                             reporter=reporter)
    console.print(
        f"computed {summary.values:,} indicator values for {summary.contacts:,} contacts in "
        f"{summary.organisations} organisation(s) as of {ref.isoformat()} "
        f"({summary.level_changes:,} level changes, batch {summary.batch_id})"
    )


def refresh_command(
    ctx: typer.Context,
    cadence: Annotated[str, typer.Option(
        help="realtime, daily, weekly or season: the indicators refreshed on that cadence.")],
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="Reference date YYYY-MM-DD (default: today).")] = None,
    organisation: Annotated[Optional[str], typer.Option(
        help="Only this organisation (default: all).")] = None,
) -> None:
    """Refresh the indicators of one cadence, for cron users (`habitue serve` schedules
    these itself)."""
    if cadence not in ("realtime", "daily", "weekly", "season"):
        raise typer.BadParameter("expected realtime, daily, weekly or season",
                                 param_hint="--cadence")
    ref = _parse_date(as_of) if as_of else today()
    with workspace(ctx) as ws, progress_reporter() as reporter:
        summary = ws.refresh(cadence=cadence, as_of=ref, now=datetime.now(),
                             organisation=organisation, reporter=reporter)
    console.print(
        f"{cadence} refresh as of {ref.isoformat()}: {summary.values:,} values for "
        f"{summary.contacts:,} contacts ({summary.level_changes:,} level changes, "
        f"batch {summary.batch_id})"
    )


def _set_enabled(ctx: typer.Context, code: str, institution: str | None, enabled: bool) -> None:
    with workspace(ctx) as ws:
        try:
            changed = ws.set_indicator_enabled(code, enabled, institution)
        except ValueError as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
    state = "enabled" if enabled else "disabled"
    console.print(f"{code} {state} for {', '.join(changed) or 'no institution'}")
    if enabled:
        console.print("run `habitue compute` to compute its values")


def enable_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Indicator code, e.g. pmg.")],
    institution: Annotated[Optional[str], typer.Option(
        help="Only this institution (default: every institution).")] = None,
) -> None:
    """Enable an indicator for a whole institution."""
    _set_enabled(ctx, code, institution, True)


def disable_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Indicator code, e.g. pmg.")],
    institution: Annotated[Optional[str], typer.Option(
        help="Only this institution (default: every institution).")] = None,
) -> None:
    """Disable an indicator for a whole institution: neither computed nor shown."""
    _set_enabled(ctx, code, institution, False)


def explain_command(
    ctx: typer.Context,
    contact: Annotated[str, typer.Option(help="The contact's id.")],
    indicator: Annotated[str, typer.Option(help="The indicator's code, e.g. pmg.")],
    organisation: Annotated[Optional[str], typer.Option(
        help="Only this organisation (default: every organisation of the contact).")] = None,
    lang: Annotated[Optional[str], typer.Option(
        help="fr or en (default: HABITUE_LANG, else fr).")] = None,
) -> None:
    """Explain a contact's indicator: the facts counted, the season or window used, and for
    banded indicators the thresholds of the last computation."""
    lang = lang or settings_from(ctx).lang
    with workspace(ctx) as ws:
        try:
            explanations = ws.explain(contact=contact, code=indicator,
                                      organisation=organisation)
        except ValueError as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from exc
    for expl in explanations:
        for line in sentences(expl, lang):
            console.print(line, markup=False)
        console.print()


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (expected YYYY-MM-DD)",
                                 param_hint="--as-of") from exc


def list_command(
    ctx: typer.Context,
    organisation: Annotated[Optional[str], typer.Option(help="Only this organisation.")] = None,
    contact: Annotated[Optional[str], typer.Option(help="Only this contact.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
    lang: Annotated[Optional[str], typer.Option(
        help="Language of the labels: fr or en (default: HABITUE_LANG, else fr).")] = None,
) -> None:
    """Print the stored indicators (value, level and label per organisation and contact)."""
    if ctx.invoked_subcommand is not None:
        return
    lang = lang or settings_from(ctx).lang
    if fmt not in ("table", "jsonl", "csv"):
        raise typer.BadParameter("expected table, jsonl or csv", param_hint="--format")
    if lang not in ("fr", "en"):
        raise typer.BadParameter("expected fr or en", param_hint="--lang")
    with workspace(ctx) as ws:
        rows = ws.indicator_rows(organisation=organisation, contact=contact)
        if fmt == "jsonl":
            _write_jsonl(rows, lang)
        elif fmt == "csv":
            _write_csv(rows, lang)
        else:
            _print_table(rows, lang)


def _record(row: IndicatorRow, lang: str) -> dict:
    return {
        "organisation_id": row.organisation_id,
        "contact_id": row.contact_id,
        "indicator": row.indicator,
        "value": json_value(row.value),
        "level": row.level,
        "label": row.label(lang),
    }


def _write_jsonl(rows, lang: str) -> None:
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(_record(row, lang), ensure_ascii=False) + "\n")


def _write_csv(rows, lang: str) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(["organisation_id", "contact_id", "indicator", "value", "level", "label"])
    for row in rows:
        rec = _record(row, lang)
        value = rec["value"]
        rec["value"] = "" if value is None else str(value).lower() if isinstance(value, bool) \
            else value
        writer.writerow(rec.values())


def _print_table(rows, lang: str) -> None:
    table = Table()
    for col in ("organisation", "contact", "indicator", "value", "level", "label"):
        table.add_column(col)
    for row in rows:
        rec = _record(row, lang)
        name = INDICATOR_BY_CODE[row.indicator].name(lang)
        table.add_row(row.organisation_id, row.contact_id, name,
                      "" if rec["value"] is None else str(rec["value"]), str(row.level),
                      rec["label"])
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("compute")(compute_command)
    app.command("refresh")(refresh_command)
    app.command("explain")(explain_command)
    group = typer.Typer(help="Indicators: list the stored values; enable or disable one.",
                        invoke_without_command=True)
    group.callback(invoke_without_command=True)(list_command)
    group.command("enable")(enable_command)
    group.command("disable")(disable_command)
    app.add_typer(group, name="indicators")
