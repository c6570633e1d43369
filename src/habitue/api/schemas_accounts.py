"""API schemas of accounts: users, sessions, API tokens, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from habitue.domain.access import Role
from habitue.services.accounts import User
from habitue.storage.account_store import AuditRecord, TokenRecord


def _with_offset(at: datetime) -> datetime:
    return at.astimezone() if at.tzinfo is None else at


Instant = Annotated[datetime, AfterValidator(_with_offset)]
"""A stored time (the server's wall-clock time) with the server's UTC offset, so that it is
an RFC 3339 date-time (``2026-01-15T10:00:00+01:00``)."""

LOGIN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$"
TEXT_PATTERN = r"^[^\x00-\x1f]*$"
"""Text without control characters (a database cannot store every one of them)."""
Organisation = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                                pattern=TEXT_PATTERN)]


class UserCreate(BaseModel):
    """A new user. ``organisations`` (one at least) is required for ``marketing`` and
    ``viewer``; an ``admin`` without it administers every organisation."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "if": {"properties": {"role": {"enum": ["marketing", "viewer"]}},
               "required": ["role"]},
        "then": {"required": ["organisations"],
                 "properties": {"organisations": {"type": "array", "minItems": 1}}}})
    login: str = Field(min_length=1, max_length=64, pattern=LOGIN_PATTERN)
    password: str | None = Field(default=None, min_length=8, max_length=1024,
                                 description="Omit it for an account used through API tokens "
                                             "only.")
    role: Role
    organisations: list[Organisation] | None = Field(
        default=None, validate_default=True,
        description="The organisations the user sees (one at least, except for an "
                    "administrator, who sees every organisation without any).")
    name: str | None = Field(default=None, max_length=200, pattern=TEXT_PATTERN)
    email: str | None = Field(default=None, max_length=320, pattern=TEXT_PATTERN)

    @field_validator("organisations")
    @classmethod
    def _scoped(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        role = info.data.get("role")
        if role is not None and role is not Role.ADMIN and not value:
            raise ValueError(f"a {role} user needs one organisation at least")
        return value


class UserUpdate(BaseModel):
    """Only the fields sent change; ``organisations: null`` makes an administrator see every
    organisation; a new password or ``active: false`` ends the user's sessions."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "if": {"properties": {"role": {"enum": ["marketing", "viewer"]}},
               "required": ["role"]},
        "then": {"properties": {"organisations": {"type": "array"}}}})
    name: str | None = Field(default=None, max_length=200, pattern=TEXT_PATTERN)
    email: str | None = Field(default=None, max_length=320, pattern=TEXT_PATTERN)
    role: Role | None = None
    organisations: list[Organisation] | None = Field(
        default=None, min_length=1,
        description="The organisations the user sees; null: every organisation "
                    "(administrators only).")
    active: StrictBool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class UserPublic(BaseModel):
    login: str
    name: str | None
    email: str | None
    role: Role
    organisations: list[str] | None
    """null: every organisation."""
    active: bool
    created_at: Instant
    last_login_at: Instant | None

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(login=user.login, name=user.name, email=user.email, role=user.role,
                   organisations=None if user.organisations is None
                   else list(user.organisations),
                   active=user.active, created_at=user.created_at,
                   last_login_at=user.last_login_at)


class LoginCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=64, pattern=TEXT_PATTERN)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


class SessionPublic(BaseModel):
    """A web session: its user and the CSRF token its unsafe requests must send in the
    ``X-CSRF-Token`` header."""

    user: UserPublic
    csrf_token: str
    expires_at: Instant


class MePublic(BaseModel):
    user: UserPublic
    via: str
    """``session`` (the cookie) or ``token`` (an API token)."""
    csrf_token: str | None
    """The session's CSRF token (null when authenticated by an API token)."""


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN,
                      description="What uses the token.")
    login: str | None = Field(default=None, max_length=64, pattern=TEXT_PATTERN,
                              description="Whose token (an administrator may create one for "
                                          "a user they manage); default: yours.")


class TokenPublic(BaseModel):
    token_id: int
    login: str
    name: str
    prefix: str
    """The token's first characters, to tell tokens apart."""
    created_at: Instant
    last_used_at: Instant | None
    revoked_at: Instant | None

    @classmethod
    def of(cls, rec: TokenRecord) -> TokenPublic:
        return cls(token_id=rec.token_id, login=rec.login, name=rec.name, prefix=rec.prefix,
                   created_at=rec.created_at, last_used_at=rec.last_used_at,
                   revoked_at=rec.revoked_at)


class TokenCreated(TokenPublic):
    token: str
    """The token itself, shown this once: it is stored hashed and cannot be shown again."""


class AuditEntryPublic(BaseModel):
    audit_id: int
    at: Instant
    actor: str
    action: str
    target: str | None
    organisation_id: str | None
    detail: dict | None

    @classmethod
    def of(cls, rec: AuditRecord) -> AuditEntryPublic:
        return cls(audit_id=rec.audit_id, at=rec.at, actor=rec.actor, action=rec.action,
                   target=rec.target, organisation_id=rec.organisation_id, detail=rec.detail)


class AuditPagePublic(BaseModel):
    items: list[AuditEntryPublic]
    total: int
    limit: int
    offset: int
