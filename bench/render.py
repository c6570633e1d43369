"""Render the results of ``bench/suite.py`` as the generated block of docs/performance.md:
the machine and the date, then one table per size where each figure sits beside its target
(met or missed), the reference measured in the same run, and the peak memory; then how
memory grows with the data.

Pure: it reads a results dict and returns text, so that a test can check what a reader will
see without running a benchmark. The block lives between two markers; the rest of the file
(the hand-written analysis) is never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
MET, MISSED = "✅", "❌"
STORES = ("duckdb", "postgresql")
STORE_NAMES = {"duckdb": "DuckDB", "postgresql": "PostgreSQL"}
NONE = "—"


@dataclass(frozen=True)
class Bound:
    """An upper bound on each store (None: no target there)."""

    duckdb: float | None
    postgresql: float | None

    def of(self, store: str) -> float | None:
        return getattr(self, store)


# The targets of the issues, set for 1M contacts / ~10M order lines (issue 2: import; issue 3:
# indicators and the real-time refresh; issue 4: segments and exports; issue 5: the contact
# pages; issue 6: the PostgreSQL computation in ≤ 45 s, issue 3 said ≤ 90 s).
TARGETS = {
    "import_s": Bound(90, 180),
    "import_mb": Bound(4096, 4096),
    "compute_s": Bound(10, 45),
    "compute_mb": Bound(3072, 3072),
    "realtime_p95_ms": Bound(100, 20),
    "count_ms": Bound(300, 3000),
    "export_csv_s": Bound(5, 5),
    "page_ms": Bound(300, None),
}


# -- figures -----------------------------------------------------------------------------------

def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    if seconds < 0.1:
        return fmt_ms(seconds * 1000)
    if seconds >= 1000:
        return f"{seconds:,.0f} s"
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return NONE
    return f"{ms:,.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def fmt_ms_list(*values: float | None) -> str:
    """Several figures in milliseconds, the unit once: "138 / 192 / 583 ms"."""
    return " / ".join(fmt_ms(v).removesuffix(" ms") for v in values) + " ms"


def fmt_mb(mb: float | None) -> str:
    return NONE if mb is None else f"{mb:,.0f} MB"


def mark(value: float | None, bound: float | None) -> str:
    """✅ when ``value`` is within ``bound``, ❌ when not, nothing without a target."""
    if value is None or bound is None:
        return ""
    return f" {MET}" if value <= bound else f" {MISSED}"


def _get(d: dict | None, *path: str):
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


# -- one size's table --------------------------------------------------------------------------

@dataclass(frozen=True)
class SizeView:
    """One size's results, read the way the rows need them."""

    results: dict   # results["sizes"][size]
    date: str       # the run's date: a figure measured another day shows its own

    def section(self, store: str, name: str) -> dict | None:
        return _get(self.results, "stores", store, name)

    def reference(self, name: str) -> dict | None:
        return _get(self.results, "reference", name)

    def stores(self) -> list[str]:
        return [s for s in STORES if s in self.results.get("stores", {})]

    def dated(self, section: dict | None, text: str) -> str:
        when = (section or {}).get("measured_at", "")[:10]
        return f"{text} ({when})" if when and when != self.date else text


Figure = Callable[[dict, str], "str | None"]  # (a store's section, the store) -> a cell's text


def _store_cell(view: SizeView, store: str, name: str, figure: Figure) -> str:
    """A section's figure on one store: "—" when not measured, "failed" when its step failed,
    its date when it was measured on another day."""
    section = view.section(store, name)
    if section is None:
        return NONE
    if not section.get("ok", True):
        return view.dated(section, "failed")
    text = figure(section, store)
    return NONE if text is None else view.dated(section, text)


def _per_store(view: SizeView, parts: dict[str, str | None]) -> str:
    shown = [f"{STORE_NAMES[s]} {v}" for s, v in parts.items() if v not in (None, NONE)]
    return " · ".join(shown) if shown else NONE


def _memory(view: SizeView, name: str, bound: Bound | None = None,
            key: Callable[[dict], float | None] = lambda s: s.get("peak_rss_mb")) -> str:
    parts = {}
    for store in view.stores():
        section = view.section(store, name)
        if section and section.get("ok", True) and key(section) is not None:
            mb = key(section)
            parts[store] = fmt_mb(mb) + (mark(mb, bound.of(store)) if bound else "")
    return _per_store(view, parts)


@dataclass(frozen=True)
class Row:
    what: str
    target: str
    section: str                                   # where its figures are, per store
    figure: Figure
    reference: Callable[[SizeView], str]
    memory: Callable[[SizeView], str]
    shown: Callable[[SizeView], bool] = lambda view: True

    def cells(self, view: SizeView) -> list[str]:
        stores = [_store_cell(view, s, self.section, self.figure) for s in STORES]
        return [self.what, self.target, *stores, self.reference(view), self.memory(view)]


def _pandas_seconds(view: SizeView) -> float | None:
    pandas = view.reference("pandas")
    return pandas.get("seconds") if pandas and pandas.get("ok", True) else None


def _realtime(sec: dict, store: str) -> str | None:
    p95 = sec.get("p95_ms")
    if p95 is None:
        return None
    return (fmt_ms_list(sec.get("p50_ms"), p95, sec.get("p99_ms"))
            + mark(p95, TARGETS["realtime_p95_ms"].of(store)))


def _count(sec: dict, store: str) -> str | None:
    median = _get(sec, "count", "median_ms")
    if median is None:
        return None
    return (fmt_ms_list(median, _get(sec, "count", "p95_ms"))
            + mark(median, TARGETS["count_ms"].of(store)))


def _pages(first: str, second: str, *, bounded: tuple[bool, bool] = (False, False),
           where: str = "pages") -> Figure:
    """Two pages' medians, "a / b ms", each marked against the page target when bounded."""
    def figure(sec: dict, store: str) -> str | None:
        a, b = _get(sec, where, first, "median_ms"), _get(sec, where, second, "median_ms")
        if a is None and b is None:
            return None
        bound = TARGETS["page_ms"].of(store)
        if not any(bounded) or bound is None:
            return fmt_ms_list(a, b)
        return (f"{fmt_ms(a)}{mark(a, bound) if bounded[0] else ''} / "
                f"{fmt_ms(b)}{mark(b, bound) if bounded[1] else ''}")
    return figure


def _floors(view: SizeView, name: str, text: Figure) -> dict:
    out = {}
    for store in view.stores():
        section = view.section(store, name)
        if section and section.get("ok", True):
            out[store] = text(section, store)
    return out


def _ref(label: str, view: SizeView, name: str, text: Figure) -> str:
    shown = _per_store(view, _floors(view, name, text))
    return NONE if shown == NONE else f"{label}: {shown}"


def _csv_reference(view: SizeView) -> str:
    scan = view.reference("csv_scan")
    if not scan or not scan.get("ok", True) or scan.get("query_seconds") is None:
        return NONE
    return view.dated(scan, f"floor, DuckDB reads the CSV files: {fmt_s(scan['query_seconds'])}"
                            f" ({scan.get('rows', 0):,} rows)")


def _compute_reference(view: SizeView) -> str:
    parts = []
    pandas = view.reference("pandas")
    if pandas and pandas.get("ok", True) and pandas.get("seconds") is not None:
        parts.append(view.dated(pandas, (
            f"pandas {fmt_s(pandas['seconds'])} (load {fmt_s(pandas.get('load_seconds'))} + "
            f"compute {fmt_s(pandas.get('compute_seconds'))}), "
            f"{fmt_mb(pandas.get('peak_rss_mb'))}")))
    elif pandas:
        parts.append("pandas failed")
    scan = _ref("floor, one scan of the order lines", view, "compute",
                _s_at("scan", "query_seconds"))
    if scan != NONE:
        parts.append(scan)
    startup = view.reference("startup")
    if startup and startup.get("seconds") is not None:
        parts.append(f"CLI start-up {fmt_s(startup['seconds'])}")
    return "; ".join(parts) or NONE


def _versus_pandas(view: SizeView) -> Figure:
    def figure(sec: dict, store: str) -> str | None:
        pandas, ours = _pandas_seconds(view), sec.get("seconds")
        if not pandas or not ours:
            return None
        ratio = pandas / ours
        if ratio >= 1:
            return f"{ratio:.1f}× faster {MET}"
        return f"{1 / ratio:.1f}× slower {MISSED}"
    return figure


def _ms_at(*path: str) -> Figure:
    def figure(section: dict, store: str) -> str | None:
        value = _get(section, *path)
        return None if value is None else fmt_ms(value)
    return figure


def _s_at(*path: str, per: float = 1, target: str | None = None) -> Figure:
    """The figure at ``path`` in seconds (``per=1000`` when it is kept in milliseconds),
    marked against ``TARGETS[target]`` when given."""
    def figure(section: dict, store: str) -> str | None:
        if (_get(section, *path[:-1], "exit_code") or 0) != 0:
            return "failed"  # a step measured beside the section's own (reimport, …)
        value = _get(section, *path)
        if value is None:
            return None
        value /= per
        return fmt_s(value) + (mark(value, TARGETS[target].of(store)) if target else "")
    return figure


def _export_rows(view: SizeView) -> str:
    rows = [_get(view.section(s, "segments"), "export_csv", "rows") for s in view.stores()]
    rows = [r for r in rows if r]
    return f"{max(rows):,}" if rows else "100,000"


def _nothing(view: SizeView) -> str:
    return NONE


def _memory_of(name: str, bound: str | None = None, *path: str) -> Callable[[SizeView], str]:
    """The peak memory of a section's process (at ``path`` inside it when given)."""
    key = (lambda s: _get(s, *path)) if path else (lambda s: s.get("peak_rss_mb"))
    return lambda view: _memory(view, name, TARGETS[bound] if bound else None, key)


def _floor(label: str, name: str, figure: Figure) -> Callable[[SizeView], str]:
    return lambda view: _ref(label, view, name, figure)


def rows_for(view: SizeView) -> list[Row]:
    """The table's rows, in the order of the issues."""
    def measured(name: str, *path: str) -> Callable[[SizeView], bool]:
        return lambda v: any(_get(v.section(s, name), *path) for s in v.stores())

    search = ("contact search, a name", "contact search, an id")
    card = ("contact card", "card timeline")
    rows = [
        Row("import, real-time refresh included", "≤ 90 s / ≤ 180 s; ≤ 4 GB", "import",
            _s_at("seconds", target="import_s"), _csv_reference,
            _memory_of("import", "import_mb")),
        Row("second import of the same files", NONE, "import", _s_at("reimport", "seconds"),
            _nothing, _memory_of("import", None, "reimport", "peak_rss_mb"),
            shown=measured("import", "reimport", "seconds")),
        Row("full computation of the twelve indicators", "≤ 10 s / ≤ 45 s; ≤ 3 GB", "compute",
            _s_at("seconds", target="compute_s"), _compute_reference,
            _memory_of("compute", "compute_mb")),
        Row("the same, computed by PostgreSQL itself (`HABITUE_BATCH_ENGINE=database`)", NONE,
            "compute", _s_at("in_database", "seconds"), _nothing,
            _memory_of("compute", None, "in_database", "peak_rss_mb"),
            shown=measured("compute", "in_database", "seconds")),
        Row("Habitué against the pandas reference (same data, wall time)", "Habitué faster",
            "compute", _versus_pandas(view), _nothing, _nothing),
        Row("per-contact real-time refresh, p50 / p95 / p99", "p95 ≤ 100 ms / ≤ 20 ms",
            "realtime", _realtime,
            _floor("floor, the contact's order lines read, p95", "realtime",
                   _ms_at("floor", "p95_ms")),
            _memory_of("realtime")),
        Row("segment of 6 conditions, count, median / p95", "≤ 300 ms / ≤ 3 s", "segments",
            _count,
            _floor("floor, a count of one plain condition", "segments",
                   _ms_at("floor_count", "median_ms")),
            _memory_of("segments")),
        Row("the same count from cold (the day's facts built first)", NONE, "segments",
            _s_at("count_cold", "ms", per=1000), _nothing, _nothing),
        Row(f"export of {_export_rows(view)} members × 12 columns, CSV", "≤ 5 s", "segments",
            _s_at("export_csv", "ms", per=1000, target="export_csv_s"),
            _floor("floor, the same rows copied plain", "segments",
                   _s_at("floor_export_csv", "ms", per=1000)),
            _nothing),
        Row("the same export to XLSX", NONE, "segments", _s_at("export_xlsx", "ms", per=1000),
            _nothing, _nothing),
        Row("contact search by name / by id, server time (median)", "≤ 300 ms on DuckDB",
            "web", _pages(*search, bounded=(True, True)),
            _floor("floor, `LIKE` on the name / the id's equality", "web",
                   _pages(*search, where="floor")),
            _memory_of("web")),
        Row("contact card / its timeline, server time (median)", "card ≤ 300 ms on DuckDB",
            "web", _pages(*card, bounded=(True, False)),
            _floor("floor, the contact's row and indicators / its orders and lines", "web",
                   _pages(*card, where="floor")),
            _nothing),
        Row("card / timeline of the five busiest buyers (median)", NONE, "web",
            _pages("card of the busiest buyers", "timeline of the busiest buyers"),
            _nothing, _nothing),
        Row("dashboard (every indicator's levels)", NONE, "web",
            _ms_at("pages", "dashboard", "median_ms"),
            _floor("floor, the levels counted", "web",
                   _ms_at("floor", "dashboard", "median_ms")),
            _nothing),
    ]
    return [r for r in rows if r.shown(view)]


def _table(view: SizeView) -> list[str]:
    lines = [("| what | target (DuckDB / PostgreSQL) | DuckDB | PostgreSQL | reference, "
             "same run | peak memory |"), "|---|---|---|---|---|---|"]
    for row in rows_for(view):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row.cells(view)) + " |")
    return lines


def _data_line(size: int, view: SizeView) -> str:
    data = view.results.get("data") or {}
    files = data.get("files") or {}
    if not files:
        return f"Data: {size:,} generated contacts."
    rows = {name.split(".")[0]: f.get("rows", 0) for name, f in files.items()}
    mb = sum(f.get("bytes", 0) for f in files.values()) / 1e6
    mb = round(mb, 1 if mb < 10 else 0)
    text = (f"Data: `habitue generate --contacts {size}` (seed {data.get('seed', 0)}, today "
            f"{data.get('today', '?')}): {rows.get('contacts', size):,} contacts, "
            f"{rows.get('orders', 0):,} orders, {rows.get('order_lines', 0):,} order-line rows, "
            f"{mb:,g} MB of CSV")
    generate = data.get("generate")
    if generate and generate.get("seconds") is not None:
        text += view.dated(data, f"; generated in {fmt_s(generate['seconds'])}, peak "
                                 f"{fmt_mb(generate.get('peak_rss_mb'))}")
    return text + "."


# -- how memory grows --------------------------------------------------------------------------

def _growth(results: dict) -> list[str]:
    """The peak RSS of the import and the computation (and of the pandas reference) at the
    smallest and the largest size, as a ratio beside the ratio of the data."""
    sizes = sorted(int(s) for s in results.get("sizes", {}))
    lines = ["### How memory grows", ""]
    if len(sizes) < 2:
        return lines + ["One size measured only: no growth to show yet."]
    small, large = sizes[0], sizes[-1]

    def peak(size: int, store: str | None, name: str) -> float | None:
        sr = results["sizes"][str(size)]
        section = _get(sr, "stores", store, name) if store else _get(sr, "reference", name)
        if not section or not section.get("ok", True):
            return None
        return section.get("peak_rss_mb")

    def lines_of(size: int) -> int | None:
        return _get(results["sizes"][str(size)], "data", "files", "order_lines.csv", "rows")

    ratio = f"×{large / small:g} the contacts"
    if lines_of(small) and lines_of(large):
        ratio += f", ×{lines_of(large) / lines_of(small):.1f} the order-line rows"
    lines += [f"Peak RSS at {small:,} and at {large:,} contacts ({ratio}):", ""]
    subjects = [(f"{what} on {STORE_NAMES[store]}", store, name)
                for what, name in (("import", "import"), ("computation", "compute"))
                for store in STORES] + [("pandas reference", None, "pandas")]
    for label, store, name in subjects:
        a, b = peak(small, store, name), peak(large, store, name)
        if a and b:
            lines.append(f"- {label}: {fmt_mb(a)} → {fmt_mb(b)} (×{b / a:.1f})")
    return lines


# -- the block and the file --------------------------------------------------------------------

def _machine_line(results: dict) -> str:
    m = results.get("machine") or {}
    text = (f"**Machine:** {m.get('cores', '?')} cores ({m.get('cpu', 'unknown')}), "
            f"{m.get('memory_gib', '?')} GiB of memory; ")
    pg = results.get("postgresql")
    if pg:
        settings = ", ".join(f"`{k}` {v}" for k, v in pg.items() if k != "version")
        text += f"PostgreSQL {pg.get('version', '?')} ({settings}); "
    text += f"Python {m.get('python', '?')}, DuckDB {m.get('duckdb', '?')}; {m.get('system', '')}."
    return text


def _date_line(results: dict) -> str:
    code = results.get("code") or {}
    text = f"**Date:** {results.get('date', '?')}"
    if code.get("commit"):
        text += f"; code at commit `{code['commit']}`"
        if code.get("local_changes"):
            text += " with local changes"
    return text + ". A figure carried over from an earlier run shows its own date."


LEGEND = (
    "Targets are those of the issues, set for 1M contacts / ~10M order lines; the same bounds "
    f"are applied at every size: {MET} met, {MISSED} missed. The reference is measured in the "
    "same run: a straightforward pandas version of the twelve indicators (Habitué must beat "
    "it), and floors, the least the work could cost (DuckDB reading the CSV files, one scan of "
    "the order lines, the plain queries behind each figure). Peak memory is the peak RSS of "
    "the process that measured the row (rows measured by the same process show it once). "
    "Each step runs as its own process.")


def render_block(results: dict, *, command: str | None = None) -> str:
    """The generated block, markers included."""
    date = results.get("date", "")
    lines = [BEGIN, "## Measured by `scripts/bench`", "",
             ("*Generated: everything between the `bench:begin` and `bench:end` markers is "
             "rewritten by the next run of `scripts/bench`; what is outside them is written "
             "by hand.*"), "", _machine_line(results), _date_line(results)]
    if command:
        lines.append(f"**Command:** `{command}`.")
    lines += ["", LEGEND, ""]
    for size in sorted(int(s) for s in results.get("sizes", {})):
        view = SizeView(results["sizes"][str(size)], date)
        lines += [f"### {size:,} contacts", "", _data_line(size, view), "", *_table(view), ""]
    lines += [*_growth(results), END]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """``text`` with ``block`` between the markers (they are replaced with it), or, without
    markers, inserted after the first heading and the paragraph under it."""
    start = text.find(BEGIN)
    end = text.find(END, start + len(BEGIN)) if start >= 0 else -1
    if start >= 0 and end >= 0:
        return text[:start] + block + text[end + len(END):]
    if not text.strip():
        return f"# Performance\n\n{block}\n"
    lines = text.splitlines(keepends=True)
    i = next((n for n, line in enumerate(lines) if line.startswith("#")), None)
    if i is None:
        return f"{block}\n\n{text}"
    i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and not lines[i].startswith(("#", "|", "<!--")):
        while i < len(lines) and lines[i].strip():  # the paragraph under the heading
            i += 1
    head = "".join(lines[:i])
    if not head.endswith("\n"):
        head += "\n"
    rest = "".join(lines[i:])
    return f"{head}\n{block}\n" + ("" if rest.startswith("\n") else "\n") + rest


def write_block(path: Path, results: dict, *, command: str | None = None) -> str:
    """Render ``results`` into ``path`` (created when missing); the block written."""
    path = Path(path)
    block = render_block(results, command=command)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(replace_block(text, block), encoding="utf-8")
    return block
