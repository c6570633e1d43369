"""Accounts: users and their passwords, logins and their rate limit, API tokens, sessions' key.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile);
the clear password is never stored nor logged. Every change is recorded in the audit log, in
the same transaction. ``actor`` is the principal doing it (an API or web user, whose rights
are checked) or a string for the operator at the command line (who has the store itself).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from habitue.domain.access import Principal, Role, scope_of
from habitue.services.audit import record_in, storable
from habitue.settings import Settings
from habitue.storage import account_store as db
from habitue.storage.account_store import TokenRecord, UserRecord
from habitue.storage.store import Store

TOKEN_PREFIX = "hab_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 8
MIN_PASSWORD = 8
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
TOKEN_TOUCH = timedelta(minutes=1)
"""``last_used_at`` is written at most this often (not on every request)."""
SESSION_SECRET = "session"

_hasher = PasswordHasher()
UNSET = object()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the login is unknown (made once, when first needed)."""
    return _hasher.hash("not a password of anyone")


class AccountError(Exception):
    """A refused account operation. ``code``: ``invalid`` (``field`` says which),
    ``login_taken``, ``not_found``, ``invalid_credentials``, ``too_many_attempts``
    (``retry_at`` says when to try again), ``last_admin``, ``conflict`` (with the account's
    current state)."""

    def __init__(self, code: str, message: str, field: str | None = None,
                 retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field, self.retry_at = code, message, field, retry_at


@dataclass(frozen=True)
class User:
    """An account as shown to people (no password hash)."""

    user_id: int
    login: str
    name: str | None
    email: str | None
    role: Role
    organisations: tuple[str, ...] | None
    active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, r: UserRecord) -> User:
        return cls(r.user_id, r.login, r.name, r.email, Role(r.role), r.organisations,
                   r.active, r.created_at, r.last_login_at)

    def principal(self, via: str) -> Principal:
        return Principal(login=self.login, role=self.role,
                         organisations=scope_of(self.role, self.organisations),
                         user_id=self.user_id, via=via)


@dataclass(frozen=True)
class CreatedToken:
    token: str
    """The token in clear: shown once, never stored."""
    record: TokenRecord


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_token(token: str) -> str:
    """SHA-256 of an API token, hex. A token is 32 random bytes (256 bits), so no dictionary
    or brute-force search can find it from its digest, which is what a slow password hash
    (Argon2) protects against when the secret is a guessable password. A fast, unsalted,
    deterministic digest lets a request find its token by an index lookup instead of trying
    every stored hash, and costs nothing per request."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _actor(actor: Principal | str) -> Principal | None:
    return actor if isinstance(actor, Principal) else None


def _check_login(login: str) -> str:
    if not LOGIN_RE.match(login or ""):
        raise AccountError("invalid", "a login is 1 to 64 letters, digits or . _ @ + - and "
                           "starts with a letter or a digit", "login")
    return login


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError("invalid", f"a password has at least {MIN_PASSWORD} characters",
                           "password")


def _check_scope(role: str | Role, organisations: Iterable[str] | None
                 ) -> tuple[Role, tuple[str, ...] | None]:
    try:
        role = Role(role)
    except ValueError:
        raise AccountError("invalid", f"unknown role {role!r}: admin, marketing or viewer",
                           "role") from None
    orgs = tuple(dict.fromkeys(o for o in organisations or () if o))
    if not orgs and role is not Role.ADMIN:
        raise AccountError("invalid", f"a {role} user needs at least one organisation "
                           "(only an administrator may see every organisation)",
                           "organisations")
    return role, orgs or None


class Accounts:
    """``ws.accounts``: the use cases of accounts, on one store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    # -- users -------------------------------------------------------------------------------

    def create_user(self, login: str, *, role: str | Role, now: datetime,
                    actor: Principal | str, password: str | None = None,
                    organisations: Iterable[str] | None = None, name: str | None = None,
                    email: str | None = None) -> User:
        """Create an account. Without a password, it can only be used through API tokens."""
        login = _check_login(login)
        role, orgs = _check_scope(role, organisations)
        if password is not None:
            _check_password(password)
        if (p := _actor(actor)) is not None:
            p.require_manage(orgs)
        pw_hash = None if password is None else hash_password(password)
        with self.store.begin() as conn:
            db.lock(conn, "users")
            if db.find_user(conn, login=login) is not None:
                raise AccountError("login_taken", f"the login {login!r} is taken", "login")
            rec = db.insert_user(conn, login=login, name=name, email=email,
                                 password_hash=pw_hash, role=role.value, organisations=orgs,
                                 now=now)
            record_in(conn, actor, "user.create", login, detail={
                "role": role.value, "organisations": list(orgs) if orgs else None}, now=now)
        return User.of(rec)

    def get_user(self, login: str) -> User:
        with self.store.connect() as conn:
            return User.of(self._find(conn, login))

    def list_users(self, *, viewer: Principal | None = None) -> list[User]:
        """Every account, or those ``viewer`` may manage."""
        with self.store.connect() as conn:
            found = [User.of(r) for r in db.list_users(conn)]
        return [u for u in found if viewer is None or viewer.may_manage(u.organisations)]

    def update_user(self, login: str, *, now: datetime, actor: Principal | str,
                    name: str | None = None, email: str | None = None,
                    role: str | Role | None = None, organisations=UNSET,
                    active: bool | None = None, password: str | None = None) -> User:
        """Change what is given (``organisations=None`` makes an administrator unscoped). A
        new password or disabling the account ends its sessions."""
        if password is not None:
            _check_password(password)
        pw_hash = None if password is None else hash_password(password)
        p = _actor(actor)
        with self.store.begin() as conn:
            db.lock(conn, "users")
            rec = self._find(conn, login)
            if p is not None:
                p.require_manage(rec.organisations)
            try:
                new_role, new_orgs = _check_scope(
                    role or rec.role,
                    rec.organisations if organisations is UNSET else organisations)
            except AccountError as exc:
                if organisations is UNSET and exc.field == "organisations":
                    raise AccountError("conflict", f"{login} sees every organisation: give "
                                       "the organisations of its new role",
                                       "organisations") from exc
                raise
            if p is not None:
                p.require_manage(new_orgs)
            values: dict = {}
            changed: dict = {}
            for key, old, new in (("name", rec.name, name), ("email", rec.email, email)):
                if new is not None and new != old:
                    values[key] = changed[key] = new
            if new_role.value != rec.role:
                values["role"] = changed["role"] = new_role.value
            if new_orgs != rec.organisations:
                values["organisations"] = new_orgs
                changed["organisations"] = list(new_orgs) if new_orgs else None
            if active is not None and active != rec.active:
                values["active"] = changed["active"] = active
            if pw_hash is not None:
                values["password_hash"] = pw_hash
                changed["password"] = "changed"
            if "password_hash" in values or values.get("active") is False:
                values["session_version"] = rec.session_version + 1
            if values:
                self._keep_an_admin(conn, rec, values)
                db.update_user(conn, rec.user_id, **values)
                record_in(conn, actor, "user.update", login, detail=changed, now=now)
            return User.of(self._find(conn, login))

    def change_password(self, login: str, current: str, new: str, *, now: datetime) -> User:
        """A user changes its own password, giving the current one (``invalid_credentials``
        otherwise). It ends the user's other sessions."""
        with self.store.connect() as conn:
            rec = self._find(conn, login)
        if not self._verify(rec, current):
            raise AccountError("invalid_credentials", "the current password is wrong",
                               "current_password")
        try:
            return self.update_user(login, password=new, now=now, actor=login)
        except AccountError as exc:
            if exc.field == "password":
                exc.field = "new_password"
            raise

    def disable_user(self, login: str, *, now: datetime, actor: Principal | str) -> User:
        return self.update_user(login, now=now, actor=actor, active=False)

    def _find(self, conn, login: str) -> UserRecord:
        rec = db.find_user(conn, login=login) if LOGIN_RE.match(login) else None
        if rec is None:
            raise AccountError("not_found", f"no user {login!r}", "login")
        return rec

    @staticmethod
    def _keep_an_admin(conn, rec: UserRecord, values: dict) -> None:
        """Refuse to demote, scope or disable the last active administrator of every
        organisation (nobody could manage the accounts any more)."""
        was = rec.active and rec.role == Role.ADMIN and rec.organisations is None
        stays = (values.get("active", rec.active)
                 and values.get("role", rec.role) == Role.ADMIN
                 and values.get("organisations", rec.organisations) is None)
        if was and not stays and not any(
                u.active and u.role == Role.ADMIN and u.organisations is None
                and u.user_id != rec.user_id for u in db.list_users(conn)):
            raise AccountError("last_admin", f"{rec.login} is the last administrator of every "
                               "organisation: make another one first")

    # -- logins ------------------------------------------------------------------------------

    def login(self, login: str, password: str, *, client: str, now: datetime) -> User:
        """Check a login and password. Refused without checking the password when the login
        or the client address failed too often within the window (``too_many_attempts``,
        with ``retry_at``); a refused attempt does not count itself."""
        s = self.settings
        window = timedelta(seconds=s.login_window)
        login = login if LOGIN_RE.match(login) else storable(login)[:64]
        with self.store.connect() as conn:
            by_login = db.failures_since(conn, now - window, login=login)
            by_client = db.failures_since(conn, now - window, client=client)
            rec = db.find_user(conn, login=login)
        for fails, limit, who in ((by_login, s.login_max_failures, f"login {login!r}"),
                                  (by_client, s.login_max_failures_per_address,
                                   f"address {client}")):
            if len(fails) >= limit:
                retry_at = fails[-limit] + window
                raise AccountError(
                    "too_many_attempts",
                    f"too many failed logins for the {who}: try again after "
                    f"{retry_at:%H:%M:%S} ({int((retry_at - now).total_seconds()) + 1} s)",
                    retry_at=retry_at)
        ok = self._verify(rec, password)
        with self.store.begin() as conn:
            db.delete_attempts_before(conn, now - window)
            db.insert_attempt(conn, login=login, client=client, at=now, success=ok)
            if ok:
                values: dict = {"last_login_at": now}
                if _hasher.check_needs_rehash(rec.password_hash):
                    values["password_hash"] = hash_password(password)
                db.update_user(conn, rec.user_id, **values)
                record_in(conn, login, "auth.login", login, detail={"client": client}, now=now)
        if not ok:
            raise AccountError("invalid_credentials", "wrong login or password")
        return User.of(rec)

    @staticmethod
    def _verify(rec: UserRecord | None, password: str) -> bool:
        usable = rec is not None and rec.active and rec.password_hash is not None
        try:  # an unknown login costs the same time as a known one
            return bool(_hasher.verify(rec.password_hash if usable else _dummy_hash(), password)
                        and usable)
        except (VerificationError, InvalidHashError):
            return False

    def session_principal(self, user_id: int, version: int) -> Principal | None:
        """The principal of a session cookie, if its account is active and the cookie was
        signed since its password last changed."""
        with self.store.connect() as conn:
            rec = db.find_user(conn, user_id=user_id)
        if rec is None or not rec.active or rec.session_version != version:
            return None
        return User.of(rec).principal("session")

    def session_version(self, user_id: int) -> int:
        with self.store.connect() as conn:
            rec = db.find_user(conn, user_id=user_id)
        return rec.session_version if rec else 0

    def session_secret(self, *, now: datetime) -> str:
        """The key signing session cookies: the setting, else one generated once and kept in
        the store so that every server process shares it."""
        if self.settings.secret_key:
            return self.settings.secret_key
        with self.store.connect() as conn:
            found = db.get_secret(conn, SESSION_SECRET)
        if found is not None:
            return found
        with self.store.begin() as conn:
            return db.insert_secret_once(conn, SESSION_SECRET, secrets.token_urlsafe(48), now)

    # -- API tokens --------------------------------------------------------------------------

    def create_token(self, login: str, *, name: str, now: datetime,
                     actor: Principal | str) -> CreatedToken:
        """A new API token acting for ``login``; the clear token is returned once."""
        name = (name or "").strip()
        if not name:
            raise AccountError("invalid", "a token needs a name (what uses it)", "name")
        p = _actor(actor)
        token = new_token()
        with self.store.begin() as conn:
            rec = self._find(conn, login)
            if p is not None and p.login != login:
                p.require_manage(rec.organisations)
            if not rec.active:
                raise AccountError("conflict", f"the user {login!r} is disabled", "login")
            created = db.insert_token(conn, user_id=rec.user_id, name=name,
                                      prefix=token[:PREFIX_SHOWN], token_hash=hash_token(token),
                                      now=now)
            record_in(conn, actor, "token.create", login,
                      detail={"token_id": created.token_id, "name": name}, now=now)
        return CreatedToken(token, created)

    def resolve_token(self, token: str, *, now: datetime) -> Principal | None:
        """The principal an API token acts for; None when unknown, revoked or its user
        disabled."""
        if not token.startswith(TOKEN_PREFIX) or token != storable(token):
            return None
        with self.store.connect() as conn:
            rec = db.token_by_hash(conn, hash_token(token))
            user = db.find_user(conn, user_id=rec.user_id) if rec else None
        if rec is None or rec.revoked_at is not None or user is None or not user.active:
            return None
        if rec.last_used_at is None or now - rec.last_used_at >= TOKEN_TOUCH:
            with self.store.begin() as conn:
                db.update_token(conn, rec.token_id, last_used_at=now)
        return User.of(user).principal("token")

    def list_tokens(self, login: str | None = None) -> list[TokenRecord]:
        """The tokens of a user (of every user when None), revoked ones included."""
        with self.store.connect() as conn:
            user_id = None if login is None else self._find(conn, login).user_id
            return db.list_tokens(conn, user_id)

    def revoke_token(self, token_id: int, *, now: datetime,
                     actor: Principal | str) -> TokenRecord:
        """Revoke a token (its owner or an administrator who manages its owner)."""
        p = _actor(actor)
        with self.store.begin() as conn:
            rec = db.find_token(conn, token_id)
            if rec is None:
                raise AccountError("not_found", f"no token {token_id}", "token_id")
            if p is not None and p.login != rec.login:
                owner = db.find_user(conn, user_id=rec.user_id)
                if not p.may_manage(owner.organisations):
                    # a token of someone else the actor does not manage: as if absent
                    raise AccountError("not_found", f"no token {token_id}", "token_id")
            if rec.revoked_at is None:
                db.update_token(conn, token_id, revoked_at=now)
                record_in(conn, actor, "token.revoke", rec.login,
                          detail={"token_id": token_id, "name": rec.name}, now=now)
            return db.find_token(conn, token_id)
