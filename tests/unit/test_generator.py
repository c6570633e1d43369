"""The synthetic venue generator: format, integrity, determinism and realism of its output."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from habitue.generator import GenerationSummary, generate_venue
from habitue.generator.timeline import existing_wall_clock

TODAY = date(2026, 3, 14)
FILES = ("organisations", "seasons", "contacts", "products", "performances", "orders",
         "order_lines", "social_shares", "share_visits")
REQUIRED = {
    "organisations": ("organisation_id", "name"),
    "seasons": ("organisation_id", "season_id", "start_date", "end_date"),
    "contacts": ("contact_id",),
    "products": ("organisation_id", "product_id", "name", "family"),
    "performances": ("organisation_id", "performance_id", "starts_at"),
    "orders": ("organisation_id", "order_id", "buyer_contact_id", "created_at", "channel"),
    "order_lines": ("organisation_id", "order_id", "line_id", "product_id", "amount", "status"),
    "social_shares": ("organisation_id", "share_id", "contact_id", "shared_at"),
    "share_visits": ("organisation_id", "visit_id", "share_id", "visited_at"),
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
AMOUNT = re.compile(r"^\d+\.\d{2}$")


def read_csv(path: Path) -> dict[str, list]:
    """Every column as text (None for an empty cell), as the importer would see it."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(",")
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=True),
    )
    return {name: table.column(name).to_pylist() for name in table.column_names}


def rows(columns: dict[str, list]) -> list[dict]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(),
                                                                    strict=True)]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def venue(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationSummary, dict]:
    calls: list[tuple[str, int, int]] = []
    summary = generate_venue(tmp_path_factory.mktemp("csv"), contacts=3000, organisations=2,
                             seed=7, today=TODAY, progress=lambda *call: calls.append(call))
    data = {name: read_csv(summary.paths[name]) for name in FILES}
    return summary, {"data": data, "progress": calls}


@pytest.fixture(scope="module")
def data(venue: tuple[GenerationSummary, dict]) -> dict[str, dict[str, list]]:
    return venue[1]["data"]


def test_writes_every_file_with_its_columns(venue, data) -> None:
    summary, _ = venue
    assert set(summary.paths) == set(FILES)
    for name in FILES:
        assert summary.paths[name].name == f"{name}.csv"
        assert summary.rows[name] == len(next(iter(data[name].values())))
        assert summary.rows[name] > 0, name
        for column in REQUIRED[name]:
            assert column in data[name], (name, column)
            assert all(value is not None for value in data[name][column]), (name, column)


def test_summary_and_progress(venue) -> None:
    summary, extra = venue
    assert summary.fmt == "csv"
    assert summary.lines <= summary.rows["order_lines"]
    assert summary.total_rows == sum(summary.rows.values())
    steps = {step for step, _, _ in extra["progress"]}
    assert {"catalogue", "contacts"} <= steps
    assert extra["progress"][-1] == ("contacts", 3000, 3000)


def test_csv_is_plain_utf8_with_iso_values(venue, data) -> None:
    summary, _ = venue
    text = summary.paths["contacts"].read_bytes()
    assert not text.startswith(b"\xef\xbb\xbf")
    assert b'"' not in text and b"\r" not in text
    text.decode("utf-8")
    for column in ("start_date", "end_date"):
        assert all(DATE.match(v) for v in data["seasons"][column])
    assert all(DATE.match(v) for v in data["contacts"]["birth_date"] if v)
    assert all(DATETIME.match(v) for v in data["orders"]["created_at"])
    assert all(DATETIME.match(v) for v in data["order_lines"]["scanned_at"] if v)
    assert all(AMOUNT.match(v) for v in data["order_lines"]["amount"])
    for column in ("email_opt_in", "sms_opt_in", "post_opt_in"):
        assert set(data["contacts"][column]) <= {"true", "false"}


def test_ids_are_unique(data) -> None:
    for name, column in (("organisations", "organisation_id"), ("seasons", "season_id"),
                         ("contacts", "contact_id"), ("products", "product_id"),
                         ("performances", "performance_id"), ("orders", "order_id"),
                         ("social_shares", "share_id"), ("share_visits", "visit_id")):
        values = data[name][column]
        assert len(values) == len(set(values)), name


def test_every_reference_exists(data) -> None:
    organisations = set(data["organisations"]["organisation_id"])
    contacts = set(data["contacts"]["contact_id"])
    seasons = set(zip(data["seasons"]["organisation_id"], data["seasons"]["season_id"],
                      strict=True))
    products = set(zip(data["products"]["organisation_id"], data["products"]["product_id"],
                       strict=True))
    performances = set(zip(data["performances"]["organisation_id"],
                           data["performances"]["performance_id"], strict=True))
    orders = set(zip(data["orders"]["organisation_id"], data["orders"]["order_id"], strict=True))
    shares = set(zip(data["social_shares"]["organisation_id"], data["social_shares"]["share_id"],
                     strict=True))
    for name in FILES[1:]:
        if "organisation_id" in data[name]:
            assert set(data[name]["organisation_id"]) <= organisations, name
    assert set(data["contacts"]["parent_contact_id"]) - {None} <= contacts
    for name in ("products", "performances"):
        for row in rows(data[name]):
            if row["season_id"] is not None:
                assert (row["organisation_id"], row["season_id"]) in seasons
    for row in rows(data["performances"]):
        assert (row["organisation_id"], row["product_id"]) in products
    for row in rows(data["orders"]):
        assert row["buyer_contact_id"] in contacts
        assert row["payer_contact_id"] is None or row["payer_contact_id"] in contacts
    for row in rows(data["order_lines"]):
        assert (row["organisation_id"], row["order_id"]) in orders
        assert (row["organisation_id"], row["product_id"]) in products
        if row["performance_id"] is not None:
            assert (row["organisation_id"], row["performance_id"]) in performances
        assert row["beneficiary_contact_id"] is None or row["beneficiary_contact_id"] in contacts
    for row in rows(data["social_shares"]):
        assert row["contact_id"] in contacts
        assert row["order_id"] is None or (row["organisation_id"], row["order_id"]) in orders
    for row in rows(data["share_visits"]):
        assert (row["organisation_id"], row["share_id"]) in shares


def test_seasons_do_not_overlap_and_the_last_one_is_current(data) -> None:
    by_organisation: dict[str, list[tuple[date, date]]] = {}
    for row in rows(data["seasons"]):
        start, end = date.fromisoformat(row["start_date"]), date.fromisoformat(row["end_date"])
        assert (start.month, start.day, end.month, end.day) == (9, 1, 8, 31)
        assert end.year == start.year + 1
        assert row["name"] == f"{start.year}/{end.year}"
        by_organisation.setdefault(row["organisation_id"], []).append((start, end))
    assert len(by_organisation) == 2
    for seasons in by_organisation.values():
        seasons.sort()
        assert 6 <= len(seasons) <= 10
        for (_, end), (start, _) in pairwise(seasons):
            assert end < start
        assert seasons[-1][0] <= TODAY <= seasons[-1][1]


def test_contacts_mix_structures_families_and_forward_references(data) -> None:
    contacts = rows(data["contacts"])
    kinds = Counter(row["kind"] or "INDIVIDUAL" for row in contacts)
    assert 0.01 < kinds["STRUCTURE"] / len(contacts) < 0.06
    structures = {row["contact_id"] for row in contacts if row["kind"] == "STRUCTURE"}
    for row in contacts:
        if row["kind"] == "STRUCTURE":
            assert row["structure_type"] in {"school", "company", "association", "works_council"}
            assert row["structure_name"] and row["first_name"] is None
        else:
            assert row["first_name"] and row["last_name"] and row["structure_name"] is None
    linked = [row for row in contacts if row["parent_contact_id"]]
    assert 0.02 < len(linked) / len(contacts) < 0.1
    assert all(row["parent_contact_id"] != row["contact_id"] for row in linked)
    assert any(row["parent_contact_id"] > row["contact_id"] for row in linked), "forward refs"
    assert any(row["parent_contact_id"] < row["contact_id"] for row in linked)
    assert any(row["parent_contact_id"] in structures for row in linked)
    assert any(row["parent_contact_id"] not in structures for row in linked)
    births = [row["birth_date"] for row in contacts if row["kind"] != "STRUCTURE"]
    assert 0.15 < births.count(None) / len(births) < 0.35
    emails = [row["email"] for row in contacts if row["email"]]
    assert 0.7 < len(emails) / len(contacts) < 0.95
    assert len(set(emails)) > 0.9 * len(emails)
    assert all(row["created_at"] <= f"{TODAY} 23:59:59" for row in contacts)
    assert Counter(row["country"] for row in contacts).most_common(1)[0][0] == "FR"


def test_catalogue_exercises_every_indicator_rule(data) -> None:
    products = rows(data["products"])
    families = Counter(row["family"] for row in products)
    assert {"TICKET", "SUBSCRIPTION", "MEMBERSHIP", "OTHER"} <= set(families)
    audiences = {row["audience"] for row in products}
    assert {"CHILD", "YOUTH", "SENIOR", None} <= audiences
    assert {"theatre", "opera", "dance", "concert", "circus", "jazz"} <= {
        row["genre"] for row in products}
    dated = [row for row in products if row["valid_from"]]
    assert dated and all(row["family"] == "MEMBERSHIP" and row["season_id"] is None
                         for row in dated)
    assert any(row["valid_from"] <= str(TODAY) <= row["valid_to"] for row in dated)
    for row in dated:
        start, end = date.fromisoformat(row["valid_from"]), date.fromisoformat(row["valid_to"])
        assert date(start.year + 1, start.month, start.day) - timedelta(days=1) == end
    assert all(row["season_id"] for row in products if row["family"] == "SUBSCRIPTION")
    performances = rows(data["performances"])
    assert {"EVENT", "COMPETITION", "VISIT"} <= {row["kind"] for row in performances}
    assert any(row["season_id"] is None for row in performances)
    assert any(row["starts_at"] > str(TODAY) for row in performances)
    assert all(int(row["capacity"]) > 0 and row["venue"] for row in performances)


def test_orders_are_dated_in_the_past_with_every_channel(data) -> None:
    orders = rows(data["orders"])
    first_season = min(data["seasons"]["start_date"])
    assert all(first_season <= row["created_at"] <= f"{TODAY} 23:59:59" for row in orders)
    channels = Counter(row["channel"] for row in orders)
    assert set(channels) == {"INTERNET", "B2B", "OTHERS"}
    assert any(row["origin"] for row in orders)
    assert any(row["payer_contact_id"] and row["payer_contact_id"] != row["buyer_contact_id"]
               for row in orders)
    structures = {c for c, kind in zip(data["contacts"]["contact_id"], data["contacts"]["kind"],
                                       strict=True) if kind == "STRUCTURE"}
    b2b = [row for row in orders if row["channel"] == "B2B"]
    assert sum(row["buyer_contact_id"] in structures for row in b2b) > len(b2b) / 2
    # pre-sales: tickets bought before today for performances after today
    starts = dict(zip(data["performances"]["performance_id"], data["performances"]["starts_at"],
                      strict=True))
    assert any(starts[p] > str(TODAY) for p in data["order_lines"]["performance_id"] if p)


def test_lines_amounts_statuses_and_history(data) -> None:
    lines = rows(data["order_lines"])
    created = dict(zip(data["orders"]["order_id"], data["orders"]["created_at"], strict=True))
    assert all(float(row["amount"]) >= 0 for row in lines)
    assert any(float(row["amount"]) == 0 for row in lines)
    assert {row["status"] for row in lines} == {"PAID", "RESERVED", "CANCELLED", "REFUNDED"}
    history: dict[str, list[dict]] = {}
    for row in lines:
        history.setdefault(row["line_id"], []).append(row)
    changed = 0
    for line_rows in history.values():
        first, *later = line_rows
        assert first["status"] in {"PAID", "RESERVED"}
        assert first["status_at"] is None or first["status_at"] == created[first["order_id"]]
        assert len(later) <= 1
        for change in later:
            changed += 1
            assert change["status"] in {"CANCELLED", "REFUNDED"}
            assert change["status_at"] > created[first["order_id"]]
            assert change["status_at"] <= f"{TODAY} 23:59:59"
            assert change["scanned_at"] is None and first["scanned_at"] is None
            if change["status"] == "REFUNDED":
                assert first["status"] == "PAID"
    assert 0.01 < changed / len(history) < 0.06
    assert any(row["status_at"] is None for row in lines)
    assert any(row["beneficiary_contact_id"] for row in lines)


def test_door_scans_only_for_past_events(data) -> None:
    performances = {row["performance_id"]: row for row in rows(data["performances"])}
    scanned = past_event_lines = 0
    for row in rows(data["order_lines"]):
        performance = performances.get(row["performance_id"])
        if row["scanned_at"] is None:
            if performance and performance["starts_at"] < str(TODAY) \
                    and (performance["kind"] or "EVENT") == "EVENT":
                past_event_lines += 1
            continue
        scanned += 1
        assert performance is not None and (performance["kind"] or "EVENT") == "EVENT"
        starts = when(performance["starts_at"])
        assert starts - timedelta(hours=1) <= when(row["scanned_at"]) <= starts
        assert performance["starts_at"] < str(TODAY)
    assert scanned > 2 * past_event_lines


def test_shares_and_visits_follow_each_other(data) -> None:
    orders = {row["order_id"]: row for row in rows(data["orders"])}
    shares = {row["share_id"]: row for row in rows(data["social_shares"])}
    assert any(row["order_id"] is None for row in shares.values())
    for share in shares.values():
        assert share["shared_at"] <= f"{TODAY} 23:59:59"
        if share["order_id"]:
            assert share["shared_at"] >= orders[share["order_id"]]["created_at"]
    buyers = set(data["orders"]["buyer_contact_id"])
    sharers = {share["contact_id"] for share in shares.values() if share["order_id"]}
    assert 0.005 < len(sharers) / len(buyers) < 0.15
    per_share = Counter()
    for visit in rows(data["share_visits"]):
        share = shares[visit["share_id"]]
        assert share["shared_at"] <= visit["visited_at"] <= f"{TODAY} 23:59:59"
        per_share[visit["share_id"]] += 1
    counts = sorted(per_share.values())
    assert counts[-1] > 5 * counts[len(counts) // 2], "visits per share are heavy-tailed"


def test_activity_is_heavy_tailed(data) -> None:
    buyer_of = dict(zip(data["orders"]["order_id"], data["orders"]["buyer_contact_id"],
                        strict=True))
    first_rows = {row["line_id"]: row["order_id"] for row in rows(data["order_lines"])}
    per_buyer = Counter(buyer_of[order] for order in first_rows.values())
    counts = sorted(per_buyer.values(), reverse=True)
    top = counts[: max(1, len(counts) // 5)]
    assert sum(top) / sum(counts) > 0.5
    contacts = len(data["contacts"]["contact_id"])
    assert len(per_buyer) < 0.9 * contacts, "some contacts never buy"
    orders_per_buyer = Counter(data["orders"]["buyer_contact_id"])
    once = sum(1 for n in orders_per_buyer.values() if n == 1)
    assert once > 0.3 * len(orders_per_buyer), "many buy once"
    assert 5 < len(first_rows) / contacts < 20


def test_local_times_exist_in_paris(data) -> None:
    """No date-time falls in the hour skipped when summer time starts (02:00-03:00)."""
    paris = ZoneInfo("Europe/Paris")
    columns = (("orders", "created_at"), ("order_lines", "status_at"),
               ("social_shares", "shared_at"), ("share_visits", "visited_at"),
               ("contacts", "created_at"))
    for name, column in columns:
        for text in data[name][column]:
            if text and text[5:7] == "03" and text[11:13] == "02":
                local = when(text).replace(tzinfo=paris)
                round_trip = local.astimezone(UTC).astimezone(paris)
                assert round_trip.replace(tzinfo=None) == when(text), text


def test_skipped_hour_moves_to_three_o_clock() -> None:
    skipped = datetime(2026, 3, 29, 2, 30)
    seconds = np.array([int(skipped.replace(tzinfo=UTC).timestamp()),
                        int(datetime(2026, 3, 28, 2, 30, tzinfo=UTC).timestamp())])
    moved = existing_wall_clock(seconds)
    assert [datetime.fromtimestamp(int(s), UTC).replace(tzinfo=None) for s in moved] \
        == [datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 28, 2, 30)]


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    arguments = {"contacts": 700, "organisations": 2, "today": TODAY}
    first = generate_venue(tmp_path / "a", seed=3, **arguments)
    second = generate_venue(tmp_path / "b", seed=3, **arguments)
    other = generate_venue(tmp_path / "c", seed=4, **arguments)
    assert first.rows == second.rows
    for name in FILES:
        assert first.paths[name].read_bytes() == second.paths[name].read_bytes(), name
    assert any(first.paths[name].read_bytes() != other.paths[name].read_bytes()
               for name in ("contacts", "orders", "order_lines"))
    assert first.paths["contacts"].read_bytes() != other.paths["contacts"].read_bytes()


def test_parquet_has_the_same_rows_and_proper_types(venue, tmp_path: Path) -> None:
    summary, _ = venue
    parquet = generate_venue(tmp_path, contacts=3000, organisations=2, seed=7, today=TODAY,
                             fmt="parquet")
    assert parquet.rows == summary.rows
    for name in FILES:
        assert parquet.paths[name].suffix == ".parquet"
        table = pq.read_table(parquet.paths[name])
        assert table.num_rows == summary.rows[name]
        assert table.column_names == list(read_csv(summary.paths[name]))
    lines = pq.read_table(parquet.paths["order_lines"])
    assert pa.types.is_decimal(lines.schema.field("amount").type)
    assert pa.types.is_timestamp(lines.schema.field("status_at").type)
    assert lines.schema.field("status_at").type.tz is None
    contacts = pq.read_table(parquet.paths["contacts"])
    assert pa.types.is_date32(contacts.schema.field("birth_date").type)
    assert pa.types.is_boolean(contacts.schema.field("email_opt_in").type)
    csv_ids = read_csv(summary.paths["order_lines"])["line_id"]
    assert lines.column("line_id").to_pylist() == csv_ids


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_venue(tmp_path, contacts=0, today=TODAY)
    with pytest.raises(ValueError):
        generate_venue(tmp_path, contacts=10, today=TODAY, fmt="xlsx")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        generate_venue(tmp_path, contacts=10, organisations=0, today=TODAY)


def test_tiny_venues_still_hold_together(tmp_path: Path) -> None:
    summary = generate_venue(tmp_path, contacts=1, today=date(2025, 9, 1))
    assert summary.rows["contacts"] == 1
    seasons = read_csv(summary.paths["seasons"])
    assert max(seasons["start_date"]) == "2025-09-01"
