"""Users, API tokens, login attempts, the audit log and the application's secrets in the store.

Every function takes an open connection (the caller's transaction); services decide what goes
in one transaction. API tokens are stored as their SHA-256 digest, never in clear.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from habitue.storage.account_schema import (
    api_tokens,
    app_secrets,
    audit_log,
    login_attempts,
    users,
)


@dataclass(frozen=True)
class UserRecord:
    user_id: int
    login: str
    name: str | None
    email: str | None
    password_hash: str | None
    role: str
    organisations: tuple[str, ...] | None
    """None: every organisation (administrators only)."""
    active: bool
    session_version: int
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class TokenRecord:
    token_id: int
    user_id: int
    login: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    audit_id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    organisation_id: str | None
    detail: dict | None


def lock(conn: sa.Connection, name: str) -> None:
    """Serialise writers of ``name`` until the transaction ends (PostgreSQL, where several
    server processes write; a DuckDB file has one writing process)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": name})


def next_id(conn: sa.Connection, column: sa.Column) -> int:
    """The next id of a table numbered by the code; call :func:`lock` first."""
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0))).scalar()) + 1


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


# -- users ----------------------------------------------------------------------------------


def _user(row) -> UserRecord:
    orgs = _json(row["organisations"])
    return UserRecord(
        user_id=row["user_id"], login=row["login"], name=row["name"], email=row["email"],
        password_hash=row["password_hash"], role=row["role"],
        organisations=None if orgs is None else tuple(orgs), active=bool(row["active"]),
        session_version=row["session_version"], created_at=row["created_at"],
        last_login_at=row["last_login_at"])


def insert_user(conn: sa.Connection, *, login: str, name: str | None, email: str | None,
                password_hash: str | None, role: str,
                organisations: Sequence[str] | None, now: datetime) -> UserRecord:
    lock(conn, "users")
    user_id = next_id(conn, users.c.user_id)
    conn.execute(users.insert().values(
        user_id=user_id, login=login, name=name, email=email, password_hash=password_hash,
        role=role, organisations=None if organisations is None else list(organisations),
        active=True, session_version=1, created_at=now, last_login_at=None))
    return find_user(conn, login=login)


def find_user(conn: sa.Connection, *, login: str | None = None,
              user_id: int | None = None) -> UserRecord | None:
    query = sa.select(users)
    query = query.where(users.c.login == login) if login is not None \
        else query.where(users.c.user_id == user_id)
    row = conn.execute(query).mappings().first()
    return _user(row) if row else None


def list_users(conn: sa.Connection) -> list[UserRecord]:
    return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.login)).mappings()]


def update_user(conn: sa.Connection, user_id: int, **values) -> None:
    """Change columns of a user (``organisations`` as a list or None)."""
    if "organisations" in values and values["organisations"] is not None:
        values["organisations"] = list(values["organisations"])
    conn.execute(users.update().where(users.c.user_id == user_id).values(**values))


# -- API tokens -----------------------------------------------------------------------------


def _token(row) -> TokenRecord:
    return TokenRecord(
        token_id=row["token_id"], user_id=row["user_id"], login=row["login"], name=row["name"],
        prefix=row["prefix"], created_at=row["created_at"], last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"])


def _tokens_query():
    return sa.select(api_tokens, users.c.login).join(
        users, users.c.user_id == api_tokens.c.user_id)


def insert_token(conn: sa.Connection, *, user_id: int, name: str, prefix: str,
                 token_hash: str, now: datetime) -> TokenRecord:
    lock(conn, "api_tokens")
    token_id = next_id(conn, api_tokens.c.token_id)
    conn.execute(api_tokens.insert().values(
        token_id=token_id, user_id=user_id, name=name, prefix=prefix, token_hash=token_hash,
        created_at=now))
    return find_token(conn, token_id)


def find_token(conn: sa.Connection, token_id: int) -> TokenRecord | None:
    row = conn.execute(_tokens_query().where(api_tokens.c.token_id == token_id)) \
        .mappings().first()
    return _token(row) if row else None


def token_by_hash(conn: sa.Connection, token_hash: str) -> TokenRecord | None:
    row = conn.execute(_tokens_query().where(api_tokens.c.token_hash == token_hash)) \
        .mappings().first()
    return _token(row) if row else None


def list_tokens(conn: sa.Connection, user_id: int | None = None) -> list[TokenRecord]:
    """The tokens of a user (every user's when None), revoked ones included."""
    query = _tokens_query().order_by(api_tokens.c.token_id)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return [_token(r) for r in conn.execute(query).mappings()]


def update_token(conn: sa.Connection, token_id: int, **values) -> None:
    conn.execute(api_tokens.update().where(api_tokens.c.token_id == token_id).values(**values))


# -- login attempts -------------------------------------------------------------------------


def insert_attempt(conn: sa.Connection, *, login: str, client: str, at: datetime,
                   success: bool) -> None:
    conn.execute(login_attempts.insert().values(login=login, client=client, at=at,
                                                success=success))


def failures_since(conn: sa.Connection, since: datetime, *, login: str | None = None,
                   client: str | None = None) -> list[datetime]:
    """When the failed attempts of a login (or of a client address) since ``since`` were made,
    oldest first; for a login, only those after its last success."""
    la = login_attempts
    query = sa.select(la.c.at).where(la.c.success.is_(False), la.c.at >= since)
    if login is not None:
        last_ok = sa.select(sa.func.max(la.c.at)).where(la.c.login == login,
                                                        la.c.success.is_(True))
        query = query.where(la.c.login == login,
                            la.c.at > sa.func.coalesce(last_ok.scalar_subquery(), since))
    if client is not None:
        query = query.where(la.c.client == client)
    return list(conn.execute(query.order_by(la.c.at)).scalars())


def delete_attempts_before(conn: sa.Connection, before: datetime) -> None:
    conn.execute(login_attempts.delete().where(login_attempts.c.at < before))


# -- audit log ------------------------------------------------------------------------------


def insert_audit(conn: sa.Connection, *, at: datetime, actor: str, action: str,
                 target: str | None, organisation_id: str | None,
                 detail: dict | None) -> int:
    lock(conn, "audit_log")
    audit_id = next_id(conn, audit_log.c.audit_id)
    conn.execute(audit_log.insert().values(
        audit_id=audit_id, at=at, actor=actor, action=action, target=target,
        organisation_id=organisation_id, detail=detail))
    return audit_id


def query_audit(conn: sa.Connection, *, actor: str | None = None, action: str | None = None,
                target: str | None = None, organisation: str | None = None,
                visible: Sequence[str] | None = None, since: datetime | None = None,
                until: datetime | None = None, limit: int = 50,
                offset: int = 0) -> tuple[list[AuditRecord], int]:
    """Entries matching every filter given, newest first, and how many match in all.
    ``visible``: only entries of these organisations (None: every entry)."""
    a = audit_log
    conds = []
    if actor is not None:
        conds.append(a.c.actor == actor)
    if action is not None:
        conds.append(a.c.action == action)
    if target is not None:
        conds.append(a.c.target == target)
    if organisation is not None:
        conds.append(a.c.organisation_id == organisation)
    if visible is not None:
        conds.append(a.c.organisation_id.in_(list(visible)))
    if since is not None:
        conds.append(a.c.at >= since)
    if until is not None:
        conds.append(a.c.at < until)
    where = sa.and_(sa.true(), *conds)
    total = conn.execute(sa.select(sa.func.count()).select_from(a).where(where)).scalar()
    rows = conn.execute(sa.select(a).where(where).order_by(a.c.at.desc(), a.c.audit_id.desc())
                        .limit(limit).offset(offset)).mappings()
    entries = [AuditRecord(audit_id=r["audit_id"], at=r["at"], actor=r["actor"],
                           action=r["action"], target=r["target"],
                           organisation_id=r["organisation_id"], detail=_json(r["detail"]))
               for r in rows]
    return entries, int(total)


# -- secrets --------------------------------------------------------------------------------


def get_secret(conn: sa.Connection, name: str) -> str | None:
    return conn.execute(sa.select(app_secrets.c.value).where(app_secrets.c.name == name)) \
        .scalar()


def insert_secret_once(conn: sa.Connection, name: str, value: str, now: datetime) -> str:
    """Store ``value`` under ``name`` unless a secret is already there; returns the stored
    one (several processes starting together agree on the first)."""
    lock(conn, f"app_secrets:{name}")
    found = get_secret(conn, name)
    if found is not None:
        return found
    conn.execute(app_secrets.insert().values(name=name, value=value, created_at=now))
    return value
