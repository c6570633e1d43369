"""Importers: read the open format, validate it, keep the rejects, stage and merge it."""
