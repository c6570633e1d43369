"""``habitue explain``: the facts behind a value, on both stores."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from habitue.indicators.explain import sentences
from habitue.services.workspace import Workspace
from tests.factories.files import minimal_venue


@pytest.fixture
def ws(store, tmp_path):
    ws = Workspace(store)
    ws.import_path(minimal_venue(tmp_path / "v"), now=datetime(2025, 12, 1, 12))
    ws.compute(as_of=date(2025, 12, 1), now=datetime(2025, 12, 1, 12))
    return ws


def test_spending_lists_the_lines_and_the_band(ws):
    [expl] = ws.explain(contact="C1", code="pmg_n")
    assert expl.value == 45 and expl.level == 3
    assert sorted(f["line_id"] for f in expl.facts) == ["L1", "L2"]
    text = "\n".join(sentences(expl, "en"))
    assert "45.00 paid on 2 line(s) of season S2025" in text
    assert "Big: among the 1 others with a value above 0" in text
    assert "Grand : parmi les 1 autres" in "\n".join(sentences(expl, "fr"))


def test_attendance_lists_the_performances(ws):
    [expl] = ws.explain(contact="C2", code="assiduite", organisation="ORG")
    # C2 is the beneficiary (holder) of one seat at PF1
    assert [f["performance_id"] for f in expl.facts] == ["PF1"]
    assert sentences(expl, "en")[0].endswith("1 → Occasional (level 1)")


def test_unknown_indicator_or_contact(ws):
    with pytest.raises(ValueError, match="unknown indicator 'nope'"):
        ws.explain(contact="C1", code="nope")
    with pytest.raises(ValueError, match="no stored indicators for contact 'C9'"):
        ws.explain(contact="C9", code="pmg")
