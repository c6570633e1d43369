"""``habitue serve`` and ``habitue demo``."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from habitue.cli.context import console, err_console, progress_reporter, settings_from
from habitue.cli.importing import render_result
from habitue.services.demo import prepare_demo
from habitue.services.workspace import Workspace, today
from habitue.settings import Settings


def _run_server(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["HABITUE_DATABASE_URL"] = settings.database_url
    console.print(f"Habitué is running on [bold]http://{host}:{port}/[/bold] "
                  f"(API documentation: http://{host}:{port}/api/v1/docs) — Ctrl+C to stop")
    uvicorn.run("habitue.api.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="warning")


def serve_command(
    ctx: typer.Context,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Run the web interface, the REST API and the scheduler on this machine."""
    settings = settings_from(ctx)
    ws = Workspace.from_settings(settings)
    try:
        ws.require_schema()
    except Exception as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        ws.close()
    _run_server(settings, host or settings.host, port or settings.port, workers)


def demo_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Option(
        "--dir", help="Where the demo data and database go.")] = Path("demo"),
    contacts: Annotated[int, typer.Option(help="Contacts in the demo venue.", min=100)] = 20_000,
    port: Annotated[Optional[int], typer.Option(help="Port to serve on.")] = None,
    serve: Annotated[bool, typer.Option(help="Start the server when ready.")] = True,
) -> None:
    """Generate a demo venue, import it, compute its indicators and serve it."""
    overrides = {k: v for k, v in (ctx.obj or {}).items() if v is not None}
    if "database_url" not in overrides and "HABITUE_DATABASE_URL" not in os.environ:
        directory.mkdir(parents=True, exist_ok=True)
        db_file = directory / "habitue.duckdb"
        db_file.unlink(missing_ok=True)
        overrides["database_url"] = f"duckdb:///{db_file.resolve()}"
    settings = Settings(**overrides)
    ws = Workspace.from_settings(settings)
    try:
        with progress_reporter() as reporter:
            out = prepare_demo(ws, directory / "data", contacts=contacts, today=today(),
                               now=datetime.now(), reporter=reporter)
    finally:
        ws.close()
    render_result(out["import"])
    c = out["compute"]
    console.print(f"indicators computed: {c.values:,} values for {c.contacts:,} contacts")
    console.print(f"database: {settings.database_url}")
    console.print(f"sign in as [bold]{out['login']}[/bold] with the password "
                  f"[bold]{out['password']}[/bold] (shown once; `habitue users password "
                  f"{out['login']}` changes it)")
    if serve:
        _run_server(settings, settings.host, port or settings.port, 1)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("demo")(demo_command)
