"""goodword users add / list: the people who sign in to the console (the stack's Cognito user
pool). Nobody signs themselves up: an administrator adds each person, with a generated
password shown once, to the editors (may change things) or the viewers (may read)."""

from __future__ import annotations

import secrets
import string

import click

from goodword.console_users import GROUPS, ConsoleUserDirectory, UserExists
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, table

PASSWORD_LENGTH = 20
# Cognito's symbols, less the ones a shell or a chat message would mangle.
SYMBOLS = "!#%+-=?@^_"
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS)


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password with every character class the pool's policy requires (lower,
    upper, digit, symbol), from the operating system's randomness."""
    alphabet = "".join(_CLASSES)
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in chars for c in password) for chars in _CLASSES):
            return password


def _users(app: App) -> ConsoleUserDirectory:
    users = app.target().console_users()
    if users is None:
        raise CliError("this stack has no console users (it was deployed before the console): deploy it again", EXIT_PROBLEMS)
    return users


@click.group()
def users() -> None:
    """The people who sign in to the console: editors change things, viewers read."""


@users.command("add")
@click.argument("email")
@click.option("--group", type=click.Choice(GROUPS), required=True, help="editors may change things; viewers only read.")
@json_option
@pass_app
def add(app: App, email: str, group: str, as_json: bool) -> None:
    """Add EMAIL as a console user in GROUP, with a generated password printed once: give it
    to them privately (nothing is emailed)."""
    email = email.strip().lower()
    if "@" not in email or any(c.isspace() for c in email):
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    password = generate_password()
    try:
        added = _users(app).add(email, group, password)
    except UserExists:
        raise CliError(f"{email} is already a console user (goodword users list)", EXIT_PROBLEMS) from None
    if as_json:
        emit_json({**added.as_json(), "password": password})
        return
    console.print(f"Added {added.email} to {group}.", markup=False)
    console.print(f"Password (shown once; give it to them privately): {password}", markup=False)


@users.command("list")
@json_option
@pass_app
def list_users(app: App, as_json: bool) -> None:
    """Every console user with their groups."""
    found = _users(app).members()
    if as_json:
        emit_json({"users": [u.as_json() for u in found]})
        return
    rows = [(u.email, " ".join(u.groups) or "-", "yes" if u.enabled else "no", u.status) for u in found]
    table(
        "Console users", ("email", "groups", "enabled", "status"), rows, empty="none yet (goodword users add)", whole=("email",)
    )
