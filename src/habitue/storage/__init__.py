"""Storage: the only layer that opens a connection (schema, stores, migrations, bulk loads)."""
