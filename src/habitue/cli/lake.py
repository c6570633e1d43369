"""``habitue export-lake``, ``habitue import-results`` and ``habitue compute --engine spark``:
the indicators computed beyond one machine (docs/spark.md). The service is imported when a
command runs, not at the CLI's start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from habitue.cli.context import console, err_console, progress_reporter, workspace


def export_lake_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(
        help="Directory to write the lake into: empty, or a lake written before (replaced).")],
    organisation: Annotated[list[str] | None, typer.Option(
        help="Only this organisation (repeat for several; default: all).")] = None,
) -> None:
    """Write the facts the indicators read as Parquet files partitioned by organisation, for
    `habitue compute --engine spark`."""
    from habitue.services import lake as lake_service

    with workspace(ctx) as ws, progress_reporter() as reporter, _lake_errors():
        manifest = lake_service.export_lake(
            ws.store, directory, now=datetime.now(), organisations=organisation or None,
            memory_limit=ws.settings.memory_limit, reporter=reporter)
    rows = sum(t.rows for t in manifest.tables.values())
    size = sum(f.stat().st_size for f in directory.rglob("*.parquet"))
    console.print(
        f"exported {len(manifest.tables)} tables ({rows:,} rows, {size / 1e6:,.1f} MB) of "
        f"{len(manifest.organisations)} organisation(s) to {directory}")


def import_results_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(
        help="The lake whose results/ `habitue compute --engine spark` wrote.")],
) -> None:
    """Store the indicators Spark computed as one batch, with their level changes and band
    thresholds, as `habitue compute` stores its own."""
    from habitue.services import lake as lake_service

    with workspace(ctx) as ws, progress_reporter() as reporter, _lake_errors():
        summary = lake_service.import_results(ws.store, directory,
                                              memory_limit=ws.settings.memory_limit,
                                              reporter=reporter)
    console.print(
        f"stored {summary.values:,} indicator values for {summary.contacts:,} contacts in "
        f"{summary.organisations} organisation(s) as of {summary.as_of.isoformat()} "
        f"({summary.level_changes:,} level changes, batch {summary.batch_id})")


def compute_on_spark(*, lake: str | None, master: str | None, spark_conf: list[str] | None,
                     as_of: date, organisation: str | None) -> None:
    """``habitue compute --engine spark``: compute the lake's indicators with Spark and write
    them to its results/ (the store is not opened)."""
    if not lake:
        raise typer.BadParameter("--engine spark computes on a lake: give its directory or "
                                 "URI (write one with `habitue export-lake DIR`)",
                                 param_hint="--lake")
    conf = {}
    for item in spark_conf or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--spark-conf")
        conf[key.strip()] = value.strip()
    from habitue.services import lake as lake_service

    with progress_reporter() as reporter, _lake_errors():
        summary = lake_service.compute_on_spark(
            lake, as_of=as_of, now=datetime.now(), master=master, conf=conf,
            organisations=[organisation] if organisation else None, reporter=reporter)
    console.print(
        f"computed {summary.values:,} indicator values for {summary.contacts:,} contacts in "
        f"{summary.organisations} organisation(s) as of {as_of.isoformat()} with "
        f"{summary.engine}; written to {summary.results} (store them with "
        f"`habitue import-results`)")


@contextmanager
def _lake_errors() -> Iterator[None]:
    """A lake or Spark problem said in one line, exit status 1."""
    from habitue.storage.lake import LakeError
    from habitue.storage.spark import SparkError

    try:
        yield
    except (LakeError, SparkError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc


def register(app: typer.Typer) -> None:
    app.command("export-lake")(export_lake_command)
    app.command("import-results")(import_results_command)
