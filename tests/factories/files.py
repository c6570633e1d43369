"""Write small files of the open format for tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

HEADERS = {
    "organisations": "organisation_id,name,institution_id,timezone,currency",
    "seasons": "organisation_id,season_id,name,start_date,end_date",
    "contacts": "contact_id,institution_id,kind,parent_contact_id,first_name,last_name,email,"
                "birth_date,email_opt_in",
    "products": "organisation_id,product_id,name,family,audience,genre,season_id,valid_from,"
                "valid_to",
    "performances": "organisation_id,performance_id,product_id,name,kind,starts_at,season_id",
    "orders": "organisation_id,order_id,buyer_contact_id,payer_contact_id,created_at,channel",
    "order_lines": "organisation_id,order_id,line_id,product_id,performance_id,"
                   "beneficiary_contact_id,amount,status,status_at,scanned_at",
    "social_shares": "organisation_id,share_id,contact_id,order_id,network,shared_at",
    "share_visits": "organisation_id,visit_id,share_id,visited_at",
}


def write_csv(directory: Path, entity: str, rows: list[str], *, header: str | None = None,
              delimiter: str = ",", encoding: str = "utf-8", name: str | None = None) -> Path:
    """Write ``entity``.csv with the given data rows (comma-separated in the source text,
    converted to ``delimiter``)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [header or HEADERS[entity]] + rows
    text = "\n".join(line.replace(",", delimiter) if delimiter != "," else line
                     for line in lines) + "\n"
    path = directory / (name or f"{entity}.csv")
    path.write_bytes(text.encode(encoding))
    return path


def minimal_venue(directory: Path, *, delimiter: str = ",") -> Path:
    """One organisation, one season, two contacts, one show, one order of two lines."""
    rows = {
        "organisations": ["ORG,Théâtre,INST,Europe/Paris,EUR"],
        "seasons": ["ORG,S2025,2025/2026,2025-09-01,2026-08-31"],
        "contacts": [
            "C1,INST,INDIVIDUAL,,Claire,Martin,claire@example.org,1980-01-01,true",
            "C2,INST,INDIVIDUAL,C1,Léa,Martin,,2015-06-01,false",
        ],
        "products": ["ORG,P1,Cyrano,TICKET,ALL,theatre,S2025,,"],
        "performances": ["ORG,PF1,P1,Cyrano,EVENT,2025-10-03 20:30,"],
        "orders": ["ORG,O1,C1,,2025-09-10 10:00,INTERNET"],
        "order_lines": [
            "ORG,O1,L1,P1,PF1,,30.00,PAID,,",
            "ORG,O1,L2,P1,PF1,C2,15.00,PAID,,",
        ],
    }
    for entity, lines in rows.items():
        write_csv(directory, entity, lines, delimiter=delimiter)
    return directory


def write_jsonl(directory: Path, entity: str, lines: list[str | dict], *,
                name: str | None = None) -> Path:
    """Write ``entity``.jsonl: dicts are dumped as JSON, strings written as they are."""
    directory.mkdir(parents=True, exist_ok=True)
    text = "\n".join(json.dumps(x, ensure_ascii=False) if isinstance(x, dict) else x
                     for x in lines) + "\n"
    path = directory / (name or f"{entity}.jsonl")
    path.write_text(text, encoding="utf-8")
    return path


def write_parquet(directory: Path, entity: str, columns: dict[str, list], *,
                  name: str | None = None) -> Path:
    """Write ``entity``.parquet from columns (types inferred by pyarrow from the values)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"{entity}.parquet")
    pq.write_table(pa.table(columns), path)
    return path


def read_rejects(result) -> list[tuple[str, int, str, str, str]]:
    """The rows of an import's rejects CSV as (file, line, column, value, reason), in order."""
    if result.rejects_path is None:
        return []
    with Path(result.rejects_path).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "line", "column", "value", "reason"]
    return [(f, int(line), col, value, reason) for f, line, col, value, reason in rows[1:]]


def summary(result) -> dict[str, dict]:
    """Per-file summaries of an import, by entity."""
    return {f.entity: f.as_dict() for f in result.files}
