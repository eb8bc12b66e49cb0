"""`vigil token`: tokens for clients of the HTTP API, shown once and stored hashed."""
from __future__ import annotations

import click

from crawler.cli import format_option
from crawler.commands.users import ROLE_HELP, ROLES
from crawler.core.errors import UsageError
from crawler.output import echo, emit


@click.group()
def token():
    """Tokens for clients of the HTTP API: create, list, revoke."""


@token.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help=ROLE_HELP)
@click.pass_obj
def token_create(state, name, role):
    """Make a token called NAME and print it once (only its hash is kept): send it as
    `Authorization: Bearer TOKEN`."""
    from crawler.core.config import name_problem
    from crawler.core.timeutil import now_iso
    from storage.accounts import create_token, token_exists

    name = name.strip()
    problem = name_problem(name) if name else "is empty"
    if problem:
        raise UsageError(f"token name {name!r} {problem}")
    db = state.db()
    with db.atomic():
        if token_exists(db, name):
            raise UsageError(f"a token named {name!r} exists already (revoke it, or choose another name)")
        secret = create_token(db, name, role, now_iso())
    echo(secret)
    echo(f"token {name} ({role}): shown this once, keep it secret", err=True)


@token.command("list")
@format_option()
@click.pass_obj
def token_list(state, fmt):
    """The tokens (never their secret), with their role, last use and whether they are revoked."""
    from storage.accounts import list_tokens

    emit(list_tokens(state.db()), ["name", "role", "created_at", "last_used_at", "revoked_at"], fmt)


@token.command("revoke")
@click.argument("name")
@click.pass_obj
def token_revoke(state, name):
    """Revoke the token NAME: the next request with it is refused."""
    from crawler.core.timeutil import now_iso
    from storage.accounts import revoke_token

    db = state.db()
    with db.atomic():
        if not revoke_token(db, name, now_iso()):
            raise UsageError(f"no live token named {name!r}")
    echo(f"revoked {name}")


commands = [token]
