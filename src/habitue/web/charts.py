"""ECharts options (plain JSON) of the dashboard's charts, built on the server; the page
embeds them in ``<script type="application/json">`` and ``static/app.js`` draws them."""

from __future__ import annotations

from habitue.indicators.catalogue import INDICATOR_BY_CODE
from habitue.services.dashboard import LevelCounts
from habitue.web import i18n

TONE_COLOURS = ("#9aa1b1", "#d08c1f", "#2f6db5", "#1d7a46")
PALETTE = ["#7a2e3a", "#2f6db5", "#1d7a46", "#d08c1f", "#6b4fa3", "#3a8f9a", "#b4475a"]


def tone(code: str, level: int | None) -> int:
    """0 (grey) to 3 (strongest) for a level of an indicator: its colour on the card and in
    the charts. Yes/no indicators: Oui is 3."""
    if not level:
        return 0
    top = max(lv.level for lv in INDICATOR_BY_CODE[code].levels)
    return max(1, min(3, -(-level * 3 // top)))


def level_bars(chart: LevelCounts, names: dict[str, str], lang: str) -> dict:
    """Contacts by level: one bar per level, one series per organisation."""
    ind = INDICATOR_BY_CODE[chart.code]
    labels = [ind.level(lv).label(lang) for lv in chart.levels]
    single = len(chart.counts) == 1
    series = []
    for org, counts in chart.counts.items():
        data = ([{"value": n, "itemStyle": {"color": TONE_COLOURS[tone(chart.code, lv)]}}
                 for lv, n in zip(chart.levels, counts, strict=True)] if single else counts)
        series.append({"type": "bar", "name": names.get(org, org), "data": data,
                       "barMaxWidth": 42, "emphasis": {"focus": "series"}})
    options = {
        "color": PALETTE,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 8, "top": 12 if single else 16 + 18 * len(series),
                 "bottom": 4, "containLabel": True},
        "xAxis": {"type": "category", "data": labels,
                  "axisLabel": {"interval": 0, "fontSize": 10, "lineHeight": 12,
                                "width": 300 // len(labels), "overflow": "break"}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
        "aria": {"enabled": True},
    }
    if not single:  # one organisation per line, small
        options["legend"] = {"top": 0, "left": 0, "orient": "vertical", "itemWidth": 10,
                             "itemHeight": 8, "itemGap": 4, "textStyle": {"fontSize": 11}}
    return options


def segment_lines(segments: list[dict], lang: str) -> dict | None:
    """The sizes of saved segments at the last batches: one line per segment."""
    if not any(s["sizes"] for s in segments):
        return None
    days = sorted({as_of for s in segments for as_of, _, _ in s["sizes"]})
    labels = [i18n.format_date(d, lang, "short") for d in days]
    series = []
    for s in segments:
        by_day = {as_of: size for as_of, _, size in s["sizes"]}
        series.append({"type": "line", "name": s["name"], "smooth": True, "connectNulls": True,
                       "data": [by_day.get(d) for d in days]})
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 4, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "boundaryGap": False},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
        "aria": {"enabled": True},
    }
