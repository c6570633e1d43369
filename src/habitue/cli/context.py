"""What every command shares: settings, the workspace, the console, error rendering."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from habitue.services.workspace import Workspace
from habitue.settings import Settings
from habitue.storage.store import StoreError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def settings_from(ctx: typer.Context) -> Settings:
    overrides = {k: v for k, v in (ctx.obj or {}).items() if v is not None}
    return Settings(**overrides)


@contextmanager
def workspace(ctx: typer.Context) -> Iterator[Workspace]:
    ws = Workspace.from_settings(settings_from(ctx))
    try:
        yield ws
    except StoreError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        ws.close()


class RichReporter:
    """Progress on stderr: a bar when the total is known, a spinner otherwise."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("", total=None)

    def step(self, name: str, done: int = 0, total: int | None = None) -> None:
        self.progress.update(self.task, description=name, completed=done, total=total)


@contextmanager
def progress_reporter(enabled: bool = True) -> Iterator[RichReporter]:
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        console=err_console, transient=True, disable=not enabled,
    )
    with progress:
        yield RichReporter(progress)
