"""Progress reporting: the core never prints; entry points pass a reporter.

The CLI gives a Rich progress bar, the web an HTMX-polled status, the tests nothing.
"""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def step(self, name: str, done: int = 0, total: int | None = None) -> None:
        """Work ``name`` has reached ``done`` of ``total`` units (total None: unknown)."""


class SilentReporter:
    def step(self, name: str, done: int = 0, total: int | None = None) -> None:
        return None


SILENT = SilentReporter()
