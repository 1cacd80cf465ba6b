"""goodword settings show|set|history and goodword accounts list|add|remove: the brand's
settings and accounts in RulesTable, validated as the pipeline reads them and versioned like
rules (every change kept with who and when)."""

from __future__ import annotations

from typing import Any

import click
import yaml
from pydantic import BaseModel, ValidationError

from goodword.events import Platform
from goodword.rule_versions import ConflictError, account_sk
from goodword.rules.model import BrandAccount, Settings
from goodword.services import settings as service
from goodword.services.errors import Invalid, ServiceError
from goodword.services.settings import applicable
from goodword.validation import describe_validation_error
from goodword_cli.app import App, pass_app
from goodword_cli.commands.events import platform_choice
from goodword_cli.commands.rules import CACHE
from goodword_cli.output import EXIT_CONFLICT, EXIT_PROBLEMS, CliError, console, emit_json, json_option, table
from goodword_cli.service_errors import refused

SETTINGS_TAKE_EFFECT = f"the settings take effect within {CACHE}"
ACCOUNTS_TAKE_EFFECT = f"the pipeline sees the change within {CACHE}"


def _fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every settable key, nested ones dotted (sentiment.provider)."""
    keys = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_fields(annotation, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


SETTABLE = [k for k in _fields(Settings) if k != "sentiment.brand_terms"]  # brand_terms: from brand_names and handles


@click.group()
def settings() -> None:
    """The brand's settings: brand names, time zone, claim link, sentiment provider and its
    thresholds, cooldown, pause. Every change is a new version, kept with who and when."""


@settings.command()
@json_option
@pass_app
def show(app: App, as_json: bool) -> None:
    """The settings the pipeline uses now (defaults filled in), and their version."""
    view = service.show(app.target().stores())
    if view.settings is None:
        raise CliError(f"the stored settings are not valid ({view.described}); fix them with `settings set`", 1)
    definition, live, effective = view.stored, view.live, view.settings
    if as_json:
        emit_json({"settings": effective, "stored": definition, **(live.as_json() if live else {"version": 0})})
        return
    shown, hidden = applicable(effective)
    console.print(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True).rstrip(), markup=False)
    if hidden:
        provider = effective["sentiment"]["provider"]
        console.print(
            f"(not shown: {', '.join(hidden)}, which provider {provider} does not use; --json prints every setting)",
            markup=False,
        )
    if live and live.version:
        console.print(f"(version {live.version}, {live.updated_at} by {live.updated_by})", markup=False)
    else:
        console.print("(no settings written with `goodword settings set` yet: " + ("as loaded" if live else "all defaults") + ")")


def _parse(assignment: str) -> tuple[list[str], Any]:
    name, sep, raw = assignment.partition("=")
    if not sep or not name.strip():
        raise CliError(f"{assignment!r}: write KEY=VALUE, e.g. cooldown_days=14 or sentiment.provider=vader", EXIT_PROBLEMS)
    key = name.strip()
    if key not in SETTABLE:
        raise CliError(f"no setting {key!r}; the settings are: {', '.join(SETTABLE)}", EXIT_PROBLEMS)
    if raw.strip().startswith("#"):  # brand_colour=#6b3a1f, disclosure_wording=#gifted: YAML would read a comment
        return key.split("."), raw.strip()
    try:
        value = yaml.safe_load(raw) if raw.strip() else None  # 14 -> 14, true -> True, [a, b] -> a list
    except yaml.YAMLError:
        value = raw
    return key.split("."), value


@settings.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@pass_app
def set_settings(app: App, assignments: tuple[str, ...]) -> None:
    """Change settings, e.g. `goodword settings set time_zone=Europe/Berlin cooldown_days=14
    "brand_names=[North Roast]" sentiment.provider=classifier`. Validated first: nothing is
    written when any value is wrong."""
    changes = [_parse(assignment) for assignment in assignments]
    try:
        written = service.update(app.target().stores(), changes, "set " + " ".join(assignments), app.target().who())
    except Invalid as exc:
        raise refused(exc, prefix="not written: ") from None
    except ServiceError as exc:
        raise refused(exc) from None
    if not written.changed:
        console.print("unchanged: the settings already say so")
        return
    console.print(f"settings: version {written.version}; {SETTINGS_TAKE_EFFECT}", markup=False)


@settings.command()
@json_option
@pass_app
def history(app: App, as_json: bool) -> None:
    """Every version of the settings: what changed, who and when."""
    entries = [v.stored for v in service.history(app.target().stores())]
    if as_json:
        emit_json({"versions": [{**e.as_json(), "settings": e.values} for e in entries]})
        return
    table(
        "Settings history",
        ["version", "change", "when", "who"],
        [(e.version, e.change, e.updated_at, e.updated_by) for e in entries],
        empty="none",
    )


@click.group()
def accounts() -> None:
    """The brand's own accounts on each platform: which webhooks are the brand's, and the
    handles masked before sentiment scoring and used in messages ({brand_handle})."""


@accounts.command("list")
@json_option
@pass_app
def list_accounts(app: App, as_json: bool) -> None:
    """Every brand account, with its version and last change."""
    found = app.target().settings().accounts()
    if as_json:
        emit_json({"accounts": [{**a.values, **a.as_json()} for a in found]})
        return
    table(
        "Brand accounts",
        ["platform", "account id", "handle", "version", "last change"],
        [
            (a.values["platform"], a.values["account_id"], a.values.get("handle") or "", a.version or "-", a.updated_at or "")
            for a in found
        ],
        empty="none: add one with `goodword accounts add PLATFORM ACCOUNT_ID --handle HANDLE`",
    )


@accounts.command()
@click.argument("platform", type=platform_choice())
@click.argument("account_id")
@click.option("--handle", help="The account's @handle (without @), masked before scoring and shown in messages.")
@pass_app
def add(app: App, platform: str, account_id: str, handle: str | None) -> None:
    """Add a brand account, or change its handle."""
    try:
        account = BrandAccount(
            platform=Platform(platform), account_id=account_id, handle=handle.removeprefix("@") if handle else None
        )
    except ValidationError as exc:
        raise CliError(f"not written: {describe_validation_error(exc)}", EXIT_PROBLEMS) from None
    store = app.target().settings()
    sk = account_sk(account.platform.value, account.account_id)
    live = store.get(sk)
    values = account.model_dump(mode="json")
    if live and live.values == values:
        console.print(f"unchanged: {platform} {account_id} is already a brand account")
        return
    try:
        written = store.write(
            sk, values, (live.version or None) if live else None, "add" if live is None else "change", app.target().who()
        )
    except ConflictError as exc:
        raise CliError(str(exc), EXIT_CONFLICT) from None
    console.print(
        f"{'added' if live is None else 'changed'} {platform} account {account_id} (version {written.version}); "
        f"{ACCOUNTS_TAKE_EFFECT}"
    )


@accounts.command()
@click.argument("platform", type=platform_choice())
@click.argument("account_id")
@pass_app
def remove(app: App, platform: str, account_id: str) -> None:
    """Remove a brand account (its history stays)."""
    store = app.target().settings()
    sk = account_sk(platform, account_id)
    live = store.get(sk)
    if live is None:
        raise CliError(f"no {platform} account {account_id} (see `goodword accounts list`)", EXIT_PROBLEMS)
    try:
        store.write(sk, None, live.version or None, "remove", app.target().who())
    except ConflictError as exc:
        raise CliError(str(exc), EXIT_CONFLICT) from None
    console.print(f"removed {platform} account {account_id}; {ACCOUNTS_TAKE_EFFECT}")
