"""goodword people show|opt-in: one person as Goodword knows them, and undoing an opt-out
when the person asks to hear from the brand again."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import click

from goodword.linking import LinkError
from goodword.linking import link as link_people
from goodword.people import Profile, identity_key, identity_parts
from goodword.sentiment.explain import short_judgement
from goodword.sentiment.model import Sentiment
from goodword.work import WorkRecord
from goodword_cli.app import App, pass_app
from goodword_cli.erase import erase as run_erase
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, short_id, table
from goodword_cli.person_work import work_for
from goodword_cli.target import Target

_BY_HANDLE = re.compile(r"^(?P<platform>[a-z]+):(?:(?P<account>[^:@\s]+):)?@(?P<handle>[^:@\s]+)$")


def _person(app: App, value: str) -> str:
    """A person's key as the offers and decisions print it (PERSON#x#<brand>#<author>),
    x:<brand account>:<author id>, or by handle: x:@handle (x:<brand account>:@handle when
    the handle is known on several brand accounts)."""
    if identity_parts(value):
        return value
    if by_handle := _BY_HANDLE.match(value.strip()):
        platform, account, handle = by_handle["platform"], by_handle["account"], by_handle["handle"]
        found = app.target().state().identities_with_handle(platform, handle, account)
        if len(found) == 1:
            return found[0]
        if not found:
            raise CliError(f"Goodword has seen nobody with the handle @{handle} on {platform}", EXIT_PROBLEMS)
        accounts = ", ".join(sorted({known[1] for f in found if (known := identity_parts(f))}))
        raise CliError(
            f"@{handle} on {platform} is known on several brand accounts ({accounts}): give {platform}:<account>:@{handle}",
            EXIT_PROBLEMS,
        )
    parts = value.split(":")
    if len(parts) == 3 and all(parts) and identity_parts(key := identity_key(*parts)):
        return key
    shapes = "PERSON#<platform>#<brand account>#<author id>, platform:account:author, or platform:@handle"
    raise CliError(f"{value!r} is not a person: give {shapes}", EXIT_PROBLEMS)


def _facts(profile: Profile) -> dict[str, object]:
    return {
        "person": profile.key,
        "first_seen": profile.first_seen,
        "last_seen": profile.last_seen,
        "mentions": profile.mention_count,
        "positive_mentions": profile.positive_mention_count,
        "offers_received": profile.offers_received,
        "claims_made": profile.claims_made,
        "last_contact_at": profile.last_contact_at,
        "followers": profile.followers_count,
        "tags": sorted(profile.tags),
        "opted_out": profile.opted_out,
        "opted_out_at": profile.opted_out_at,
        "opted_out_by": profile.opted_out_by,
        "person_id": profile.person_id,
    }


@click.group()
def people() -> None:
    """The people who mention the brand: what Goodword knows of one, and their opt-out."""


def _history(target: Target, identities: list[str]) -> tuple[list[tuple[dict[str, Any], Sentiment | None]], list[WorkRecord]]:
    """The person's posts (every identity's stored events, oldest first, each with its
    sentiment) and the offers and actions the rules made for them."""
    events = target.events()
    event_ids = [
        event_id
        for identity in identities
        if (parts := identity_parts(identity)) is not None
        for event_id in events.authored_by(*parts)
    ]
    posts = sorted(events.events(event_ids).values(), key=lambda i: str(i["received_at"]))
    decided = events.decisions_for(event_ids)
    judged = [(post, record.sentiment if (record := decided.get(post["event_id"])) else None) for post in posts]
    return judged, work_for(target.state(), identities, decided)


@people.command()
@click.argument("person")
@json_option
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """One person's profile (mentions, offers, last contact, tags, opt-out), their posts and
    the offers and actions they received, on every linked identity."""
    target = app.target()
    profile = target.state().profile(_person(app, person))
    if profile is None:
        raise CliError(f"no person {person} (the offers and `events show` name them)", EXIT_PROBLEMS)
    facts = _facts(profile)
    identities = target.state().identities(profile.person_id) if profile.person_id else [profile.key]
    facts["identities"] = identities
    posts, work = _history(target, identities)
    if as_json:
        as_json_posts = [{**p, "sentiment": s.model_dump(mode="json") if s else None} for p, s in posts]
        emit_json({**facts, "posts": as_json_posts, "work": [w.fields() for w in work]})
        return
    for name, value in facts.items():
        if value not in (None, [], False) or name == "opted_out":
            console.print(f"  {name:18} {value}", markup=False)
    table(
        "Posts",
        ["received (UTC)", "platform", "kind", "text", "sentiment"],
        [
            (
                str(p["received_at"])[:16],
                p["platform"],
                p["kind"],
                short(p.get("text"), 44),
                short_judgement(s) if s else "",
            )
            for p, s in posts
        ],
        empty="none stored",
    )
    table(
        "Offers and actions received",
        ["created (UTC)", "kind", "id", "state", "rule", "product"],
        [(w.created_at[:16], w.kind.value, short_id(w.id), w.state_label, w.rule_id, w.product) for w in work],
        empty="none",
        whole=["kind", "id", "state", "rule"],
    )


@people.command()
@click.argument("first")
@click.argument("second")
@pass_app
def link(app: App, first: str, second: str) -> None:
    """Link two identities as one person (the same fan on X and on Instagram): a giveaway's
    once-per-person limit then counts the person, and an opt-out holds for both. An
    identity Goodword has not seen yet (platform:account:author_id) is linked ahead."""
    state = app.target().state()
    identities = [_person(app, first), _person(app, second)]
    unseen = [name for name, identity in zip((first, second), identities, strict=True) if state.profile(identity) is None]
    brand = {(a.values["platform"], a.values["account_id"]) for a in app.target().settings().accounts()}
    for name, identity in zip((first, second), identities, strict=True):
        parts = identity_parts(identity)
        if name in unseen and parts is not None and (parts[0], parts[1]) not in brand:
            raise CliError(
                f"{name} is not seen yet and {parts[1]} is not a brand account on {parts[0]} "
                "(see `goodword accounts list`): nothing linked",
                EXIT_PROBLEMS,
            )
    try:
        person_id = link_people(state, identities[0], identities[1], datetime.now(UTC))
    except LinkError as exc:
        raise CliError(str(exc), EXIT_PROBLEMS) from None
    console.print(f"linked {first} and {second} as {person_id}", markup=False)
    for name in unseen:
        console.print(f"  {name} is not seen yet: linked ahead of their first post", markup=False)


@people.command()
@click.argument("identity")
@pass_app
def unlink(app: App, identity: str) -> None:
    """Make an identity stand alone again (the person's limits used so far stay used)."""
    if not app.target().state().unlink(_person(app, identity)):
        raise CliError(f"{identity} is not linked to anyone", EXIT_PROBLEMS)
    console.print(f"{identity} stands alone again", markup=False)


@people.command()
@click.argument("person")
@click.option("--yes", is_flag=True, help="Do not ask to confirm.")
@json_option
@pass_app
def erase(app: App, person: str, yes: bool, as_json: bool) -> None:
    """Erase a person's personal data (a right-to-be-forgotten request), on every identity
    linked to them: their events' text, author and raw payloads, their profiles, links,
    markers, the judge's examples and their claims (name, email, address), and who the work
    made for them was for. Counts stay, so
    caps, budgets and reports still add up; the erasure is recorded without saying whom.
    Running it again is safe."""
    key = _person(app, person)
    if not yes and not as_json:
        click.confirm(f"Erase every trace of {person} (and of the identities linked to them)?", abort=True)
    target = app.target()
    erased = run_erase(target, key, target.who())
    if as_json:
        emit_json(erased.as_json())
        return
    if not erased.anything:
        console.print(f"nothing left to erase for {person}", markup=False)
        return
    console.print(
        f"erased {person}: {erased.identities} identit{'y' if erased.identities == 1 else 'ies'}, {erased.events} event(s), "
        f"{erased.work} offer(s) and action(s) made anonymous, {erased.state_items} profile and limit item(s) deleted, "
        f"{erased.claims} claim(s) deleted",
        markup=False,
    )


@people.command("opt-in")
@click.argument("person")
@pass_app
def opt_in(app: App, person: str) -> None:
    """Undo an opt-out, when the person asks to hear from the brand again."""
    key = _person(app, person)
    state = app.target().state()
    profile = state.profile(key)
    if profile is None:
        raise CliError(f"no person {person}", EXIT_PROBLEMS)
    others = [i for i in state.identities(profile.person_id) if i != key] if profile.person_id else []
    identities = [key, *others]
    undone = [state.opt_in(identity) for identity in identities]  # every identity of the person
    for identity in identities:  # and a STOP remembered from before an erasure
        state.unsuppress(identity)
    if not any(undone):
        raise CliError(f"{person} had not opted out", EXIT_PROBLEMS)
    console.print(f"{person} opted in again: rules may contact them", markup=False)
