"""The benchmark results become the generated block of docs/performance.md: each figure beside
its target (met or missed) and its reference, the block between its markers, the hand-written
analysis around it untouched (``bench/render.py``; no benchmark is run here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_render():
    spec = importlib.util.spec_from_file_location("bench_render", ROOT / "bench" / "render.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


render = _load_render()
MET, MISSED = render.MET, render.MISSED
DAY = "2026-11-23"


def _size(scale: float = 1.0, *, measured_at: str = f"{DAY}T10:00:00") -> dict:
    """One size's results as bench/suite.py writes them (figures of the 1M-contact run of
    docs/performance.md, memory scaled by ``scale``)."""
    def mb(v: float) -> int:
        return round(v * scale)

    def ok(**figures) -> dict:
        return {"measured_at": measured_at, "ok": True, **figures}

    pages = {"contact search, a name": {"median_ms": 187}, "contact search, an id":
             {"median_ms": 118}, "contact card": {"median_ms": 33},
             "card timeline": {"median_ms": 121},
             "card of the busiest buyers": {"median_ms": 34},
             "timeline of the busiest buyers": {"median_ms": 324}, "dashboard": {"median_ms": 198}}
    floor = {"contact search, a name": {"median_ms": 40}, "contact search, an id":
             {"median_ms": 9}, "contact card": {"median_ms": 4}, "card timeline":
             {"median_ms": 30}, "dashboard": {"median_ms": 60}}
    return {
        "data": ok(seed=0, today="2026-11-22", generate={"seconds": 24.0, "peak_rss_mb": 434},
                   files={"contacts.csv": {"rows": 1_000_000, "bytes": 100_000_000},
                          "orders.csv": {"rows": 2_779_842, "bytes": 300_000_000},
                          "order_lines.csv": {"rows": round(9_694_179 * scale),
                                              "bytes": 850_000_000}}),
        "reference": {
            "csv_scan": ok(seconds=9.0, peak_rss_mb=900, query_seconds=8.1, rows=15_000_000),
            "startup": ok(seconds=1.6, peak_rss_mb=140),
            "pandas": ok(seconds=65.6, peak_rss_mb=mb(8206), load_seconds=18.6,
                         compute_seconds=46.2, store="duckdb"),
        },
        "stores": {
            "duckdb": {
                "import": ok(seconds=102.6, peak_rss_mb=mb(3402)),
                "compute": ok(seconds=8.0, peak_rss_mb=mb(2496),
                              scan={"query_seconds": 0.15}),
                "realtime": ok(p50_ms=38, p95_ms=92, p99_ms=583, peak_rss_mb=300,
                               floor={"p95_ms": 21}),
                "segments": ok(count={"median_ms": 169, "p95_ms": 222}, peak_rss_mb=900,
                               count_cold={"ms": 12_400},
                               export_csv={"rows": 100_000, "ms": 360},
                               export_xlsx={"rows": 100_000, "ms": 20_200},
                               floor_count={"median_ms": 4.2},
                               floor_export_csv={"ms": 120}),
                "web": ok(pages=pages, floor=floor, peak_rss_mb=700),
            },
            "postgresql": {
                "import": ok(seconds=906, peak_rss_mb=mb(5000)),
                "compute": ok(seconds=54.2, peak_rss_mb=mb(2698), scan={"query_seconds": 1.9},
                              in_database={"seconds": 114.8, "peak_rss_mb": 238}),
                "realtime": ok(p50_ms=34, p95_ms=53, p99_ms=829, peak_rss_mb=250,
                               floor={"p95_ms": 0.6}),
                "segments": ok(count={"median_ms": 4004, "p95_ms": 4151},
                               export_csv={"rows": 100_000, "ms": 3100}),
                "web": {"measured_at": measured_at, "ok": False, "error": "boom"},
            },
        },
    }


def _results(**sizes: dict) -> dict:
    return {"kind": "habitue-bench-suite", "date": DAY,
            "machine": {"cores": 2, "cpu": "AMD EPYC", "memory_gib": 23.5, "python": "3.11.7",
                        "duckdb": "1.5.6", "system": "Linux"},
            "postgresql": {"version": "15.20", "shared_buffers": "128MB"},
            "code": {"commit": "abc1234", "local_changes": False},
            "sizes": sizes or {"1000000": _size()}}


def _row(block: str, what: str) -> list[str]:
    """The cells of the first table row that starts with ``what``."""
    for line in block.splitlines():
        if line.startswith(f"| {what}"):
            return [c.strip() for c in line.strip("|").split(" | ")]
    raise AssertionError(f"no row {what!r} in:\n{block}")


@pytest.fixture(scope="module")
def block() -> str:
    return render.render_block(_results())


def test_the_block_names_the_machine_and_the_date(block):
    assert block.startswith(render.BEGIN) and block.endswith(render.END)
    assert "2 cores (AMD EPYC)" in block and "PostgreSQL 15.20" in block
    assert "DuckDB 1.5.6" in block and f"**Date:** {DAY}" in block and "`abc1234`" in block
    assert ("1,000,000 contacts, 2,779,842 orders, 9,694,179 order-line rows, 1,250 MB of CSV; "
            "generated in 24.0 s, peak 434 MB.") in block


def test_each_figure_is_marked_against_its_target(block):
    _, target, duck, pg, reference, memory = _row(block, "import")
    assert target.startswith("≤ 90 s / ≤ 180 s")
    assert duck == f"102.6 s {MISSED}" and pg == f"906.0 s {MISSED}"
    assert memory == f"DuckDB 3,402 MB {MET} · PostgreSQL 5,000 MB {MISSED}"
    assert "DuckDB reads the CSV files: 8.10 s" in reference

    _, _, duck, pg, reference, _ = _row(block, "full computation")
    assert duck == f"8.00 s {MET}" and pg == f"54.2 s {MISSED}"  # PostgreSQL: issue 6's 45 s
    assert "pandas 65.6 s (load 18.6 s + compute 46.2 s)" in reference
    assert "DuckDB 0.15 s · PostgreSQL 1.90 s" in reference

    assert _row(block, "Habitué against the pandas")[2] == f"8.2× faster {MET}"
    assert _row(block, "per-contact")[2:4] == [f"38 / 92 / 583 ms {MET}",
                                              f"34 / 53 / 829 ms {MISSED}"]
    assert _row(block, "segment of 6")[2:4] == [f"169 / 222 ms {MET}",
                                               f"4,004 / 4,151 ms {MISSED}"]
    assert _row(block, "export of 100,000 members")[2:4] == [f"0.36 s {MET}", f"3.10 s {MET}"]


def test_rows_without_a_target_or_on_a_store_without_one_are_not_marked(block):
    _, target, duck, *_ = _row(block, "the same export to XLSX")
    assert target == "—" and duck == "20.2 s"
    _, _, _, pg, *_ = _row(block, "the same, computed by PostgreSQL itself")
    assert pg == "114.8 s"
    # the page target is on DuckDB only
    assert _row(block, "contact search")[2] == f"187 ms {MET} / 118 ms {MET}"
    assert _row(block, "contact card")[2] == f"33 ms {MET} / 121 ms"


def test_a_failed_or_missing_step_says_so(block):
    assert _row(block, "contact search")[3] == "failed"
    assert _row(block, "per-contact")[4] == "floor, the contact's order lines read, p95: " \
                                            "DuckDB 21 ms · PostgreSQL 0.6 ms"
    assert _row(block, "the same count from cold")[3] == "—"
    size = _size()
    size["stores"]["postgresql"]["compute"]["in_database"] = {"exit_code": 1, "seconds": 3.0}
    assert _row(render.render_block(_results(**{"1000000": size})),
                "the same, computed by PostgreSQL")[3] == "failed"


def test_a_figure_from_an_earlier_day_shows_its_date():
    size = _size()
    size["stores"]["duckdb"]["import"]["measured_at"] = "2026-11-20T09:00:00"
    block = render.render_block(_results(**{"1000000": size}))
    assert _row(block, "import")[2] == f"102.6 s {MISSED} (2026-11-20)"


def test_memory_growth_is_a_ratio_between_the_smallest_and_largest_size():
    block = render.render_block(_results(**{"100000": _size(0.1), "1000000": _size()}))
    assert block.index("### 100,000 contacts") < block.index("### 1,000,000 contacts")
    growth = block[block.index("### How memory grows"):]
    assert "×10 the contacts, ×10.0 the order-line rows" in growth
    assert "- import on DuckDB: 340 MB → 3,402 MB (×10.0)" in growth
    assert "- computation on PostgreSQL: 270 MB → 2,698 MB (×10.0)" in growth
    assert "no growth" in render.render_block(_results())


HAND_WRITTEN = """# Performance

Every figure here is measured by a script in `bench/`.
A second line of the same paragraph.

**Machine:** described by hand.

## Import (issue 2)

Hand-written analysis.
"""


def test_without_markers_the_block_goes_after_the_first_paragraph(tmp_path):
    out = tmp_path / "performance.md"
    out.write_text(HAND_WRITTEN)
    render.write_block(out, _results())
    text = out.read_text()
    head, rest = text.split(render.BEGIN)
    assert head == ("# Performance\n\nEvery figure here is measured by a script in `bench/`.\n"
                    "A second line of the same paragraph.\n\n")
    assert rest.split(render.END)[1] == "\n\n**Machine:** described by hand.\n\n" \
                                        "## Import (issue 2)\n\nHand-written analysis.\n"


def test_with_markers_only_the_block_is_replaced(tmp_path):
    out = tmp_path / "performance.md"
    out.write_text(HAND_WRITTEN.replace("**Machine:**", f"{render.BEGIN}\nold figures\n"
                                                        f"{render.END}\n\n**Machine:**"))
    render.write_block(out, _results())
    first = out.read_text()
    assert "old figures" not in first and first.count(render.BEGIN) == 1
    assert first.replace(first[first.index(render.BEGIN):first.index(render.END)], "") == \
        HAND_WRITTEN.replace("**Machine:**", f"{render.END}\n\n**Machine:**")
    render.write_block(out, _results())  # a second run changes nothing else
    assert out.read_text() == first


def test_a_missing_file_is_created_with_a_heading(tmp_path):
    out = tmp_path / "docs" / "perf.md"
    block = render.write_block(out, _results())
    assert out.read_text() == f"# Performance\n\n{block}\n"
