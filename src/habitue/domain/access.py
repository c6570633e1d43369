"""Who may see and change what: roles and the principal behind a request.

A user (or an API token, which acts for the user who created it) has one role and sees a set
of organisations; ``organisations=None`` means every organisation of the installation. The
rules are pure and used by the API, the web pages and the services alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    """Everything in its organisations: data, segments, imports, settings, users."""
    MARKETING = "marketing"
    """Reads everything in its organisations; writes contacts, segments, lists, imports."""
    VIEWER = "viewer"
    """Reads only."""


class AccessDenied(Exception):
    """The principal may not do this (HTTP 403); ``reason`` is a sentence for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    login: str
    role: Role
    organisations: frozenset[str] | None
    """The organisations this principal sees; None: every organisation."""
    user_id: int | None = None
    via: str = "session"
    """How the request was authenticated: ``session`` (web cookie) or ``token`` (API)."""

    def sees(self, organisation_id: str | None) -> bool:
        return self.organisations is None or organisation_id in self.organisations

    def can_write(self, organisation_id: str | None) -> bool:
        return self.role in (Role.ADMIN, Role.MARKETING) and self.sees(organisation_id)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def visible(self, organisation_ids: Iterable[str]) -> list[str]:
        """The given organisations this principal sees, in their order."""
        return [o for o in organisation_ids if self.sees(o)]

    def require_read(self, organisation_id: str | None) -> None:
        if not self.sees(organisation_id):
            raise AccessDenied(f"{self.login} may not see organisation {organisation_id!r}")

    def require_write(self, organisation_id: str | None) -> None:
        self.require_read(organisation_id)
        if not self.can_write(organisation_id):
            raise AccessDenied(f"{self.login} ({self.role}) may only read")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise AccessDenied(f"{self.login} ({self.role}) is not an administrator")

    def may_manage(self, organisations: Iterable[str] | None) -> bool:
        """Whether this principal may manage an account that sees ``organisations`` (None:
        every organisation): an administrator whose own organisations include them all."""
        if not self.is_admin:
            return False
        if self.organisations is None:
            return True
        return organisations is not None and set(organisations) <= self.organisations

    def require_manage(self, organisations: Iterable[str] | None) -> None:
        self.require_admin()
        if not self.may_manage(organisations):
            scope = "every organisation" if organisations is None else ", ".join(
                sorted(organisations))
            raise AccessDenied(f"{self.login} may not manage accounts of {scope}")


def scope_of(role: Role, organisations: Iterable[str] | None) -> frozenset[str] | None:
    """The organisations a user of ``role`` sees: None (every one) only for an administrator
    given no organisation; a user of another role without any sees nothing."""
    orgs = frozenset(organisations or ())
    return None if not orgs and role is Role.ADMIN else orgs
