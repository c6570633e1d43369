"""Fast construction of Arrow columns from numpy arrays (ids, texts, dates, amounts)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from habitue.generator.timeline import existing_wall_clock

STRUCTURAL = (",", '"', "\n", "\r", ";", "\t")


def digits_needed(count: int) -> int:
    return max(1, len(str(max(int(count), 0))))


def templated(template: str, numbers: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Fill the ``#`` of an ASCII template with the digits of ``numbers`` (zero-padded).

    ``templated("C#######", [1, 42])`` -> ``["C0000001", "C0000042"]``. ``mask`` marks nulls.
    """
    raw = template.encode("ascii")
    slots = [i for i, byte in enumerate(raw) if byte == ord("#")]
    size = len(numbers)
    width = len(raw)
    buffer = np.empty((size, width), dtype=np.uint8)
    buffer[:] = np.frombuffer(raw, dtype=np.uint8)
    values = np.asarray(numbers, dtype=np.int64).copy()
    for position in reversed(slots):
        values, digit = np.divmod(values, 10)
        buffer[:, position] = digit.astype(np.uint8) + ord("0")
    offsets = np.arange(0, (size + 1) * width, width, dtype=np.int32)
    validity = None
    null_count = 0
    if mask is not None and mask.any():
        validity = pa.py_buffer(np.packbits(~mask, bitorder="little"))
        null_count = int(mask.sum())
    return pa.StringArray.from_buffers(
        size, pa.py_buffer(offsets), pa.py_buffer(buffer), validity, null_count
    )


def vocabulary(words: Sequence[str]) -> pa.Array:
    for word in words:
        if any(ch in word for ch in STRUCTURAL):
            raise ValueError(f"vocabulary entry needs quoting: {word!r}")
    return pa.array(list(words), type=pa.string())


def pick(words: pa.Array, indices: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """``words[indices]``, null where ``mask`` is true."""
    index_array = pa.array(np.asarray(indices, dtype=np.int32), mask=mask)
    return pc.take(words, index_array)


def constant(text: str, size: int) -> pa.Array:
    return pick(vocabulary([text]), np.zeros(size, dtype=np.int32))


def join(*parts: pa.Array | str, separator: str = "") -> pa.Array:
    """Element-wise concatenation; a null part makes the result null."""
    return pc.binary_join_element_wise(*parts, separator)


def null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    if not mask.any():
        return values
    return pc.if_else(pa.array(mask), pa.nulls(len(values), type=values.type), values)


def integers_as_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def timestamps(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Naive date-times (seconds since the epoch, local wall clock that exists)."""
    values = existing_wall_clock(seconds).view("datetime64[s]")
    return pa.array(values, type=pa.timestamp("s"), mask=mask)


def dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.int32(), mask=mask).cast(
        pa.date32()
    )


def amounts(cents: np.ndarray) -> pa.Array:
    """Non-negative integer cents as decimal(12, 2), built without any per-row work."""
    values = np.asarray(cents, dtype=np.int64)
    if values.size and values.min() < 0:
        raise ValueError("amounts must be >= 0")
    words = np.zeros((values.size, 2), dtype=np.int64)
    words[:, 0] = values
    return pa.Array.from_buffers(pa.decimal128(12, 2), values.size, [None, pa.py_buffer(words)])


def booleans(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=mask)


def integers(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int32), type=pa.int32(), mask=mask)
