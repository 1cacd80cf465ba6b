"""goodword people show|opt-in: one person as Goodword knows them, and undoing an opt-out
when the person asks to hear from the brand again."""

from __future__ import annotations

import click

from goodword.people import Profile
from goodword_cli.app import App, pass_app
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option


def _person(value: str) -> str:
    """A person's key as the offers and decisions print it (PERSON#x#<brand>#<author>), or
    x:<brand account>:<author id>."""
    if value.startswith("PERSON#"):
        return value
    parts = value.split(":")
    if len(parts) == 3 and all(parts):
        return "PERSON#" + "#".join(parts)
    shapes = "PERSON#<platform>#<brand account>#<author id>, or platform:account:author"
    raise CliError(f"{value!r} is not a person: give {shapes}", EXIT_PROBLEMS)


def _facts(profile: Profile) -> dict[str, object]:
    return {
        "person": profile.key,
        "first_seen": profile.first_seen,
        "last_seen": profile.last_seen,
        "mentions": profile.mention_count,
        "positive_mentions": profile.positive_mention_count,
        "offers_received": profile.offers_received,
        "last_contact_at": profile.last_contact_at,
        "followers": profile.followers_count,
        "tags": sorted(profile.tags),
        "opted_out": profile.opted_out,
        "opted_out_at": profile.opted_out_at,
        "opted_out_by": profile.opted_out_by,
    }


@click.group()
def people() -> None:
    """The people who mention the brand: what Goodword knows of one, and their opt-out."""


@people.command()
@click.argument("person")
@json_option
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """One person's profile: mentions, offers, last contact, tags, opt-out."""
    profile = app.target().state().profile(_person(person))
    if profile is None:
        raise CliError(f"no person {person} (the offers and `events show` name them)", EXIT_PROBLEMS)
    facts = _facts(profile)
    if as_json:
        emit_json(facts)
        return
    for name, value in facts.items():
        if value not in (None, [], False) or name == "opted_out":
            console.print(f"  {name:18} {value}", markup=False)


@people.command("opt-in")
@click.argument("person")
@pass_app
def opt_in(app: App, person: str) -> None:
    """Undo an opt-out, when the person asks to hear from the brand again."""
    key = _person(person)
    state = app.target().state()
    if state.profile(key) is None:
        raise CliError(f"no person {person}", EXIT_PROBLEMS)
    if not state.opt_in(key):
        raise CliError(f"{person} had not opted out", EXIT_PROBLEMS)
    console.print(f"{person} opted in again: rules may contact them", markup=False)
