"""``habitue users``: accounts of the web interface and the API, and their API tokens.

Whoever runs these commands has the store itself, so they act with every right (recorded in
the audit log as ``cli:<system user>``). The first administrator is created this way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Optional

import typer
from rich.markup import escape

from habitue.cli.context import console, err_console, workspace
from habitue.cli.segments import choose, user, write_rows
from habitue.domain.access import Role
from habitue.services.accounts import AccountError

LoginArg = Annotated[str, typer.Argument(help="The user's login.")]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from the first line of standard input "
                             "instead of asking for it.")]


@contextmanager
def account_errors() -> Iterator[None]:
    try:
        yield
    except AccountError as exc:
        err_console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc


def _actor() -> str:
    return f"cli:{user(None) or 'unknown'}"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def create_command(
    ctx: typer.Context,
    login: LoginArg,
    role: Annotated[str, typer.Option(help="admin, marketing or viewer.",
                                      show_default=False)],
    organisation: Annotated[Optional[list[str]], typer.Option(
        "--organisation", help="An organisation the user sees (repeat it for several). "
        "Required except for an administrator, who sees every organisation without it.")]
    = None,
    name: Annotated[Optional[str], typer.Option(help="The person's name.")] = None,
    email: Annotated[Optional[str], typer.Option(help="The person's email address.")] = None,
    password_stdin: PasswordStdin = False,
    no_password: Annotated[bool, typer.Option(
        "--no-password", help="No password: the account is used through API tokens only.")]
    = False,
) -> None:
    """Create a user (the password is asked twice, unless --password-stdin or --no-password)."""
    role = choose(role, tuple(r.value for r in Role), "--role")
    password = None if no_password else _password(password_stdin)
    with workspace(ctx) as ws, account_errors():
        ws.require_schema()
        u = ws.accounts.create_user(login, role=role, organisations=organisation,
                                    password=password, name=name, email=email,
                                    now=datetime.now(), actor=_actor())
    scope = "every organisation" if u.organisations is None else ", ".join(u.organisations)
    console.print(f"user {escape(u.login)} created: {u.role} of {escape(scope)}")


def list_command(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv.")] = "table",
) -> None:
    """List the users: login, name, role, organisations, whether active, last login."""
    fmt = choose(fmt, ("table", "jsonl", "csv"), "--format")
    with workspace(ctx) as ws:
        ws.require_schema()
        found = ws.accounts.list_users()
    headers = ["login", "name", "email", "role", "organisations", "active", "last_login_at"]
    rows = [(u.login, u.name, u.email, u.role.value,
             "*" if u.organisations is None else " ".join(u.organisations), u.active,
             u.last_login_at.isoformat(sep=" ", timespec="seconds") if u.last_login_at
             else None) for u in found]
    write_rows(headers, rows, fmt)


def token_command(
    ctx: typer.Context,
    login: LoginArg,
    name: Annotated[str, typer.Option(help="What will use the token (e.g. ticketing).",
                                      show_default=False)],
) -> None:
    """Create an API token for a user and print it, once: it is stored hashed."""
    with workspace(ctx) as ws, account_errors():
        ws.require_schema()
        created = ws.accounts.create_token(login, name=name, now=datetime.now(),
                                           actor=_actor())
    err_console.print(f"token {created.record.token_id} '{escape(name)}' for "
                      f"{escape(login)} (shown once; send it as 'Authorization: Bearer …'):")
    sys.stdout.write(created.token + "\n")


def password_command(ctx: typer.Context, login: LoginArg,
                     password_stdin: PasswordStdin = False) -> None:
    """Set a user's password (it ends the user's web sessions)."""
    password = _password(password_stdin)
    with workspace(ctx) as ws, account_errors():
        ws.require_schema()
        ws.accounts.update_user(login, password=password, now=datetime.now(), actor=_actor())
    console.print(f"password of {escape(login)} changed")


def disable_command(ctx: typer.Context, login: LoginArg) -> None:
    """Disable a user: no more logins, its sessions and API tokens stop working."""
    with workspace(ctx) as ws, account_errors():
        ws.require_schema()
        ws.accounts.disable_user(login, now=datetime.now(), actor=_actor())
    console.print(f"user {escape(login)} disabled")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Users of the web interface and the API, and their API tokens.",
                        no_args_is_help=True)
    group.command("create")(create_command)
    group.command("list")(list_command)
    group.command("token")(token_command)
    group.command("password")(password_command)
    group.command("disable")(disable_command)
    app.add_typer(group, name="users")
