"""filiere_vente — the preferred channel of the contact's orders (as buyer) with a countable
line, over (D − 12 months, D], else (D − 36 months, D]."""

from __future__ import annotations

from tests.factories.venue import Venue, compute


def test_filiere_vente(store, tmp_path):
    # D = 2025-06-15: D − 12 months = 2024-06-15, D − 36 months = 2022-06-15
    v = Venue()
    v.product("T")

    def orders(contact: str, channel: str, *days: str, status: str = "PAID", **kw) -> None:
        for day in days:
            v.sale(contact, at=f"{day} 12:00", product="T", channel=channel, status=status,
                   **kw)

    v.contact("W0")  # no order: null, 0 Aucune
    orders("W1", "INTERNET", "2025-01-01", "2025-01-02")  # INTERNET 2 > OTHERS 1
    orders("W1", "OTHERS", "2025-02-01")
    orders("W2", "B2B", "2025-01-01")  # a three-way tie goes to B2B
    orders("W2", "INTERNET", "2025-01-01")
    orders("W2", "OTHERS", "2025-01-01")
    orders("W3", "INTERNET", "2025-01-01", "2025-01-02")  # INTERNET over OTHERS on a tie
    orders("W3", "OTHERS", "2025-01-01", "2025-01-02")
    orders("W4", "OTHERS", "2025-01-01", "2025-01-02", "2025-01-03")
    orders("W4", "INTERNET", "2025-01-01")
    # D − 12 months is outside the window: only the OTHERS order of the next day counts
    orders("W5", "INTERNET", "2024-06-15")
    orders("W5", "OTHERS", "2024-06-16")
    # nothing in 12 months: 36 months, whose first day D − 36 months is outside too
    orders("W6", "B2B", "2024-01-01", "2023-01-01")
    orders("W6", "INTERNET", "2022-06-16", "2022-06-15", "2022-06-15")
    orders("W7", "INTERNET", "2022-06-15")  # nothing in 36 months: null
    # orders without a countable line are ignored; one countable line is enough
    orders("W8", "INTERNET", "2025-01-01", status="REFUNDED")
    orders("W8", "INTERNET", "2025-01-02", status="CANCELLED")
    v.order("O8", buyer="W8", at="2025-01-03 12:00", channel="INTERNET")
    v.line("L8a", order="O8", product="T", status="REFUNDED")
    v.line("L8b", order="O8", product="T")
    orders("W8", "OTHERS", "2025-02-01", "2025-02-02")
    # a 12-month window with only refunded orders falls back to 36 months
    orders("W9", "INTERNET", "2025-01-01", status="REFUNDED")
    orders("W9", "OTHERS", "2023-01-01")
    # a 12-month order wins over more orders further back
    orders("W10", "INTERNET", "2025-01-01")
    orders("W10", "B2B", "2023-01-01", "2023-01-02", "2023-01-03")
    # the buyer's channel: W11 only pays and holds seats of W11B's order
    orders("W11B", "B2B", "2025-01-01", payer="W11", beneficiary="W11")
    orders("W12", "OTHERS", "2025-01-01", status="RESERVED")  # reserved is countable
    # an order on D counts; orders after D do not exist
    v.sale("W13", at="2025-06-15 23:59", product="T", channel="B2B")
    orders("W13", "INTERNET", "2025-06-16", "2025-06-17")
    v.load(store, tmp_path)

    r = compute(store, "2025-06-15")
    expected = {
        "W0": (None, 0), "W1": (2, 2), "W2": (1, 3), "W3": (2, 2), "W4": (3, 1),
        "W5": (1, 1), "W6": (2, 3), "W7": (None, 0), "W8": (2, 1), "W9": (1, 1),
        "W10": (1, 2), "W11": (None, 0), "W11B": (1, 3), "W12": (1, 1), "W13": (1, 3),
    }
    assert {c: r.pair(c, "filiere_vente") for c in expected} == expected
    labels = {lv: (r.row(c, "filiere_vente").label("fr"), r.row(c, "filiere_vente").label("en"))
              for c, lv in (("W0", 0), ("W4", 1), ("W1", 2), ("W2", 3))}
    assert labels == {0: ("Aucune", "None"), 1: ("Autres", "Other"),
                      2: ("Internet", "Internet"), 3: ("B2B", "B2B")}
