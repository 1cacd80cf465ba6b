"""goodword users add / list on moto, with the template's user pool: a person added gets a
strong generated password, printed once, that signs them in, and their group; nobody is added
twice; a stack without a console says so."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from goodword.aws.console_users import ConsoleSignIn
from goodword_cli.app import App
from goodword_cli.commands.users import SYMBOLS, generate_password
from goodword_cli.main import cli
from goodword_cli.target import Target
from tests.conftest import Aws
from tests.functional.test_console_sign_in import EDITOR, VIEWER, Pool, pool

__all__ = ["pool"]  # the fixture


def goodword(aws: Aws, *args: str, pool_id: str = "") -> tuple[int, str]:
    target = Target(
        "moto",
        aws.tables["EventsTable"],
        aws.tables["RulesTable"],
        aws.tables["StateTable"],
        aws.queues["ActionsQueue"],
        console_user_pool_id=pool_id,
    )
    result = CliRunner(mix_stderr=False).invoke(cli, list(args), obj=App(_target=target), catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def test_a_person_added_signs_in_with_the_password_printed_once(aws: Aws, pool: Pool) -> None:
    code, out = goodword(aws, "users", "add", "New.Editor@Example.com", "--group", "editors", pool_id=pool.pool_id)
    assert code == 0, out
    assert "Added new.editor@example.com to editors." in out
    (password,) = re.findall(r"Password \(shown once; give it to them privately\): (\S+)", out)
    signed_in = ConsoleSignIn(pool.client_id).sign_in("new.editor@example.com", password)
    assert signed_in is not None, "the printed password is the permanent one: no challenge at first sign-in"
    code, out = goodword(aws, "users", "list", pool_id=pool.pool_id)
    assert password not in out, "the password is never shown again"


def test_list_shows_each_person_with_their_group(aws: Aws, pool: Pool) -> None:
    code, out = goodword(aws, "users", "add", "reader@example.com", "--group", "viewers", "--json", pool_id=pool.pool_id)
    assert code == 0, out
    added = json.loads(out)
    assert (added["email"], added["groups"], len(added["password"])) == ("reader@example.com", ["viewers"], 20)
    code, out = goodword(aws, "users", "list", "--json", pool_id=pool.pool_id)
    assert code == 0, out
    listed = {u["email"]: u["groups"] for u in json.loads(out)["users"]}
    assert listed == {EDITOR[0]: ["editors"], VIEWER[0]: ["viewers"], "reader@example.com": ["viewers"]}
    code, out = goodword(aws, "users", "list", pool_id=pool.pool_id)
    assert "reader@example.com" in out and "viewers" in out


def test_nobody_is_added_twice_nor_to_another_group(aws: Aws, pool: Pool) -> None:
    code, out = goodword(aws, "users", "add", EDITOR[0], "--group", "viewers", pool_id=pool.pool_id)
    assert code == 1
    assert "already a console user" in out
    code, out = goodword(aws, "users", "add", "x@example.com", "--group", "admins", pool_id=pool.pool_id)
    assert code == 2, "only editors or viewers"
    code, out = goodword(aws, "users", "add", "not-an-email", "--group", "viewers", pool_id=pool.pool_id)
    assert code == 2
    assert "not an email address" in out


def test_a_stack_without_a_console_says_so(aws: Aws) -> None:
    code, out = goodword(aws, "users", "list")
    assert code == 1
    assert "no console users" in out


def test_generated_passwords_meet_the_pools_policy() -> None:
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 20
        assert re.search("[a-z]", password) and re.search("[A-Z]", password) and re.search("[0-9]", password)
        assert any(c in SYMBOLS for c in password)
