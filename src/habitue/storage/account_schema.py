"""Accounts, API tokens, the audit log, login attempts and the application's secrets, declared
on the schema's ``metadata`` (``storage/schema.py`` imports this module at its end; migration
0006 creates the tables).

Ids are given by the code (``max + 1`` under a lock, as elsewhere in the schema): DuckDB keeps
no primary keys (decision 0002), so the engine cannot number rows for us on both stores.
"""

from __future__ import annotations

import sqlalchemy as sa

from habitue.storage.schema import JSONType, metadata

# ``organisations``: the JSON list of the organisations the user sees; null for an
# administrator of every organisation (only administrators may be unscoped).
# ``password_hash``: Argon2id (PHC string); null for an account used through API tokens only.
# ``session_version``: part of every session cookie; raised when the password changes or the
# account is disabled, which ends the sessions signed before.
users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("login", sa.Text(), nullable=False),
    sa.Column("name", sa.Text()),
    sa.Column("email", sa.Text()),
    sa.Column("password_hash", sa.Text()),
    sa.Column("role", sa.Text(), nullable=False),
    sa.Column("organisations", JSONType),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("session_version", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=False)),
    sa.Index("ux_users_login", "login", unique=True),
)

# ``token_hash``: SHA-256 of the token (services/accounts.py says why not Argon2);
# ``prefix``: its first characters, shown in lists so a person can tell tokens apart.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("prefix", sa.Text(), nullable=False),
    sa.Column("token_hash", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=False)),
    sa.Column("revoked_at", sa.DateTime(timezone=False)),
    sa.Index("ux_api_tokens_hash", "token_hash", unique=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("audit_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("action", sa.Text(), nullable=False),
    sa.Column("target", sa.Text()),
    sa.Column("organisation_id", sa.Text()),
    sa.Column("detail", JSONType),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("login", sa.Text(), nullable=False),
    sa.Column("client", sa.Text(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=False), nullable=False),
    sa.Column("success", sa.Boolean(), nullable=False),
)

# Secrets generated on first start and shared by every server process of the store (the key
# that signs session cookies), unless the settings give one.
app_secrets = sa.Table(
    "app_secrets",
    metadata,
    sa.Column("name", sa.Text(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=False), nullable=False),
)
