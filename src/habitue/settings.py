"""Settings, read at the entry points (environment variables ``HABITUE_*``) and passed down."""

from __future__ import annotations

from datetime import time

from pydantic_settings import BaseSettings, SettingsConfigDict

from habitue.storage.store import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HABITUE_", extra="ignore")

    database_url: str = DEFAULT_URL
    """Where the data lives: ``duckdb:///path/file.duckdb`` or ``postgresql://user@host/db``."""
    memory_limit: str = "3GB"
    """Memory DuckDB may use for imports and computations before spilling to disk."""
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
