"""Pages of a long list: the page number from the query string, and whether there is a next
one (fetch ``size + 1`` rows: no count of a million rows to draw "next")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    has_next: bool = False

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @classmethod
    def of(cls, number: int | str | None, size: int) -> Page:
        try:
            n = int(number or 1)
        except ValueError:
            n = 1
        return cls(max(1, min(n, 10_000)), size)

    def cut(self, rows: list) -> tuple[list, Page]:
        """Rows fetched with ``limit=size + 1``: the page's rows and the page with
        ``has_next`` set."""
        return rows[: self.size], Page(self.number, self.size, len(rows) > self.size)
