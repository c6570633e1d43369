"""Settings, read at the entry points (environment variables ``HABITUE_*``) and passed down."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from habitue.storage.store import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HABITUE_", extra="ignore")

    database_url: str = DEFAULT_URL
    """Where the data lives: ``duckdb:///path/file.duckdb`` or ``postgresql://user@host/db``."""
    memory_limit: str = "3GB"
    """Memory DuckDB may use for imports and computations before spilling to disk."""
    data_dir: str = "habitue-data"
    """Where the server keeps files: imports uploaded through the API or the web pages, their
    rejects."""
    batch_engine: Literal["auto", "duckdb", "database"] = "auto"
    """Where a batch computation of a PostgreSQL store runs: ``duckdb`` (the facts pulled into
    a private DuckDB), ``database`` (in PostgreSQL itself), ``auto`` (DuckDB from 200,000
    order lines)."""
    import_engine: Literal["auto", "duckdb", "database"] = "auto"
    """Where an import into a PostgreSQL store is merged: ``duckdb`` (in the import's DuckDB
    staging area, against a copy of the store's rows, the changes copied back), ``database``
    (in PostgreSQL itself), ``auto`` (DuckDB for a bulk import: a file of 200,000 rows or more
    that is at least a quarter of its table)."""
    host: str = "127.0.0.1"
    """Address `habitue serve` listens on."""
    port: int = 8000
    """Port `habitue serve` listens on."""
    lang: str = "fr"
    """Default language of labels (fr or en)."""
    scheduler: bool = True
    """Whether `habitue serve` runs the daily, weekly and season-change refreshes itself."""
    daily_at: time = time(2, 0)
    """Local time of each organisation at which the daily refresh runs."""
    weekly_day: int = 0
    """Day of the weekly refresh: 0 Monday … 6 Sunday."""
    weekly_at: time = time(3, 0)
    """Local time of the weekly refresh."""
    season_at: time = time(1, 0)
    """Local time of the refresh on the first day of each season."""
    secret_key: str | None = None
    """The key that signs session cookies; unset: one generated on first start and kept in the
    store, shared by every server process."""
    session_max_age: int = 43200
    """Seconds a web session lasts after logging in (12 hours)."""
    cookie_secure: bool = False
    """Whether the session cookie is sent over HTTPS only (set it behind an HTTPS proxy)."""
    login_max_failures: int = 5
    """Failed logins of one login within the window after which its next attempts are refused."""
    login_max_failures_per_address: int = 20
    """Failed logins from one client address within the window after which it is refused."""
    login_window: int = 900
    """The window of the login rate limit, in seconds (15 minutes)."""
