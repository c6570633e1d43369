"""Identifiers of the generated rows and the counters that keep them unique."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from habitue.generator import arrow

ORDER_TEMPLATE = "O#########"
LINE_TEMPLATE = "L##########"
SHARE_TEMPLATE = "SH#########"
VISIT_TEMPLATE = "V##########"


@dataclass
class Identifiers:
    """Contact ids are fixed by the contact's index; other ids are numbered in file order."""

    contacts: int
    orders: int = 0
    lines: int = 0
    shares: int = 0
    visits: int = 0

    @property
    def contact_template(self) -> str:
        return "C" + "#" * max(7, arrow.digits_needed(self.contacts))

    def contact_ids(self, indices: np.ndarray) -> pa.Array:
        """Ids of contacts by index (0-based); a negative index gives a null."""
        indices = np.asarray(indices, dtype=np.int64)
        mask = indices < 0
        return arrow.templated(self.contact_template, indices + 1, mask if mask.any() else None)

    def next_orders(self, count: int) -> np.ndarray:
        numbers = np.arange(self.orders + 1, self.orders + count + 1, dtype=np.int64)
        self.orders += count
        return numbers

    def next_lines(self, count: int) -> np.ndarray:
        numbers = np.arange(self.lines + 1, self.lines + count + 1, dtype=np.int64)
        self.lines += count
        return numbers

    def next_shares(self, count: int) -> np.ndarray:
        numbers = np.arange(self.shares + 1, self.shares + count + 1, dtype=np.int64)
        self.shares += count
        return numbers

    def next_visits(self, count: int) -> np.ndarray:
        numbers = np.arange(self.visits + 1, self.visits + count + 1, dtype=np.int64)
        self.visits += count
        return numbers
