"""`vigil user`: the accounts of the web app, each with a role and an argon2-hashed password."""
from __future__ import annotations

import sys

import click

from crawler.cli import format_option
from crawler.core.errors import UsageError
from crawler.output import echo, emit

ROLES = ("viewer", "monitor", "admin")
ROLE_HELP = "admin: users and sources; monitor: watchlists, subscriptions, review; viewer: read only."


@click.group()
def user():
    """Accounts of the web app: add, list, remove."""


def _read_password(from_stdin: bool) -> str:
    from storage.accounts import MIN_PASSWORD

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is too short: {MIN_PASSWORD} characters at least")
    return password


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help=ROLE_HELP)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin, not a prompt.")
@click.pass_obj
def user_add(state, name, role, password_stdin):
    """Add the account NAME, or give it a new role and password (its sessions end)."""
    from crawler.core.config import name_problem
    from crawler.core.timeutil import now_iso
    from storage.accounts import set_user

    name = name.strip()
    problem = name_problem(name) if name else "is empty"
    if problem:
        raise UsageError(f"user name {name!r} {problem}")
    password = _read_password(password_stdin)
    db = state.db()
    with db.atomic():
        new = set_user(db, name, role, password, now_iso())
    echo(f"{'added' if new else 'updated'} {name} ({role})")


@user.command("remove")
@click.argument("name")
@click.pass_obj
def user_remove(state, name):
    """Disable the account NAME: its sessions end at once; what it reviewed stays."""
    from crawler.core.timeutil import now_iso
    from storage.accounts import disable_user

    db = state.db()
    with db.atomic():
        if not disable_user(db, name, now_iso()):
            raise UsageError(f"no active user named {name!r}")
    echo(f"disabled {name}")


@user.command("list")
@format_option()
@click.pass_obj
def user_list(state, fmt):
    """The accounts, with their role and whether they are disabled."""
    from storage.accounts import list_users

    rows = [{"name": u["name"], "role": u["role"], "created_at": u["created_at"], "disabled_at": u["disabled_at"]}
            for u in list_users(state.db())]
    emit(rows, ["name", "role", "created_at", "disabled_at"], fmt)


commands = [user]
