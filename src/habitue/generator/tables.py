"""The files of the open import format and the sinks that write them in chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

Format = Literal["csv", "parquet"]

_TEXT = pa.string()
_DATE = pa.date32()
_TIME = pa.timestamp("s")
_AMOUNT = pa.decimal128(12, 2)
_BOOL = pa.bool_()
_INT = pa.int32()

SCHEMAS: dict[str, pa.Schema] = {
    "organisations": pa.schema([
        ("organisation_id", _TEXT), ("name", _TEXT), ("institution_id", _TEXT),
        ("timezone", _TEXT), ("currency", _TEXT),
    ]),
    "seasons": pa.schema([
        ("organisation_id", _TEXT), ("season_id", _TEXT), ("name", _TEXT),
        ("start_date", _DATE), ("end_date", _DATE),
    ]),
    "contacts": pa.schema([
        ("contact_id", _TEXT), ("institution_id", _TEXT), ("kind", _TEXT),
        ("structure_type", _TEXT), ("parent_contact_id", _TEXT), ("title", _TEXT),
        ("first_name", _TEXT), ("last_name", _TEXT), ("structure_name", _TEXT), ("email", _TEXT),
        ("phone", _TEXT), ("birth_date", _DATE), ("street", _TEXT), ("postal_code", _TEXT),
        ("city", _TEXT), ("country", _TEXT), ("language", _TEXT), ("created_at", _TIME),
        ("email_opt_in", _BOOL), ("sms_opt_in", _BOOL), ("post_opt_in", _BOOL),
    ]),
    "products": pa.schema([
        ("organisation_id", _TEXT), ("product_id", _TEXT), ("name", _TEXT), ("family", _TEXT),
        ("audience", _TEXT), ("genre", _TEXT), ("season_id", _TEXT), ("valid_from", _DATE),
        ("valid_to", _DATE),
    ]),
    "performances": pa.schema([
        ("organisation_id", _TEXT), ("performance_id", _TEXT), ("product_id", _TEXT),
        ("name", _TEXT), ("kind", _TEXT), ("starts_at", _TIME), ("season_id", _TEXT),
        ("venue", _TEXT), ("capacity", _INT),
    ]),
    "orders": pa.schema([
        ("organisation_id", _TEXT), ("order_id", _TEXT), ("buyer_contact_id", _TEXT),
        ("payer_contact_id", _TEXT), ("created_at", _TIME), ("channel", _TEXT), ("origin", _TEXT),
    ]),
    "order_lines": pa.schema([
        ("organisation_id", _TEXT), ("order_id", _TEXT), ("line_id", _TEXT),
        ("product_id", _TEXT), ("performance_id", _TEXT), ("beneficiary_contact_id", _TEXT),
        ("amount", _AMOUNT), ("status", _TEXT), ("status_at", _TIME), ("scanned_at", _TIME),
    ]),
    "social_shares": pa.schema([
        ("organisation_id", _TEXT), ("share_id", _TEXT), ("contact_id", _TEXT),
        ("order_id", _TEXT), ("network", _TEXT), ("shared_at", _TIME),
    ]),
    "share_visits": pa.schema([
        ("organisation_id", _TEXT), ("visit_id", _TEXT), ("share_id", _TEXT),
        ("visited_at", _TIME),
    ]),
}

FILE_NAMES: tuple[str, ...] = tuple(SCHEMAS)


class TableSink:
    """Appends batches of one file; the columns come as a dict of Arrow arrays."""

    def __init__(self, directory: Path, name: str, fmt: Format) -> None:
        self.name = name
        self.schema = SCHEMAS[name]
        self.path = directory / f"{name}.{fmt}"
        self.rows = 0
        self._fmt = fmt
        if fmt == "csv":
            self._file = pa.OSFile(str(self.path), "wb")
            header = ",".join(self.schema.names) + "\n"
            self._file.write(header.encode("utf-8"))
            options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
            self._writer = pa_csv.CSVWriter(self._file, self.schema, write_options=options)
        elif fmt == "parquet":
            self._file = None
            self._writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        else:
            raise ValueError(f"unknown format {fmt!r} (expected 'csv' or 'parquet')")

    def write(self, columns: dict[str, pa.Array]) -> None:
        missing = set(self.schema.names) - set(columns)
        extra = set(columns) - set(self.schema.names)
        if missing or extra:
            raise ValueError(f"{self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        arrays = [columns[field.name] for field in self.schema]
        lengths = {len(array) for array in arrays}
        if len(lengths) != 1:
            raise ValueError(f"{self.name}: columns of different lengths {sorted(lengths)}")
        table = pa.Table.from_arrays(
            [array.cast(field.type) for array, field in zip(arrays, self.schema, strict=True)],
            schema=self.schema,
        )
        if table.num_rows == 0:
            return
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        if self._file is not None:
            self._file.close()


class Sinks:
    """One sink per file of the format, opened together and closed together."""

    def __init__(self, directory: Path, fmt: Format) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._sinks: dict[str, TableSink] = {}
        try:
            for name in FILE_NAMES:
                self._sinks[name] = TableSink(directory, name, fmt)
        except BaseException:
            self.close()
            raise

    def __getitem__(self, name: str) -> TableSink:
        return self._sinks[name]

    def close(self) -> None:
        for sink in self._sinks.values():
            sink.close()

    def rows(self) -> dict[str, int]:
        return {name: sink.rows for name, sink in self._sinks.items()}

    def paths(self) -> dict[str, Path]:
        return {name: sink.path for name, sink in self._sinks.items()}
