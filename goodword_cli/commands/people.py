"""goodword people show|link|unlink|erase|opt-in: one person as Goodword knows them, and
what a marketer may do for them (goodword.services.people)."""

from __future__ import annotations

import click

from goodword.sentiment.explain import short_judgement
from goodword.services import people as service
from goodword_cli.app import App, pass_app
from goodword_cli.output import console, emit_json, json_option, short, short_id, table
from goodword_cli.service_errors import refusals


@click.group()
def people() -> None:
    """The people who mention the brand: what Goodword knows of one, and their opt-out."""


@people.command()
@click.argument("person")
@json_option
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """One person's profile (mentions, offers, last contact, tags, opt-out), their posts and
    the offers and actions they received, on every linked identity."""
    with refusals():
        found = service.show(app.target().stores(), person)
    facts = found.facts()
    if as_json:
        as_json_posts = [{**p, "sentiment": s.model_dump(mode="json") if s else None} for p, s in found.posts]
        emit_json({**facts, "posts": as_json_posts, "work": [w.fields() for w in found.work]})
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
            for p, s in found.posts
        ],
        empty="none stored",
    )
    table(
        "Offers and actions received",
        ["created (UTC)", "kind", "id", "state", "rule", "product"],
        [(w.created_at[:16], w.kind.value, short_id(w.id), w.state_label, w.rule_id, w.product) for w in found.work],
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
    target = app.target()
    with refusals():
        linked = service.link(target.stores(), first, second, target.who())
    console.print(f"linked {first} and {second} as {linked.person_id}", markup=False)
    for name in linked.unseen:
        console.print(f"  {name} is not seen yet: linked ahead of their first post", markup=False)


@people.command()
@click.argument("identity")
@pass_app
def unlink(app: App, identity: str) -> None:
    """Make an identity stand alone again (the person's limits used so far stay used)."""
    target = app.target()
    with refusals():
        service.unlink(target.stores(), identity, target.who())
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
    target = app.target()
    stores = target.stores()
    with refusals():
        service.resolve(stores, person)
    if not yes and not as_json:
        click.confirm(f"Erase every trace of {person} (and of the identities linked to them)?", abort=True)
    with refusals():
        erased = service.erase(stores, person, target.who(), confirm=person)
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
    target = app.target()
    with refusals():
        service.opt_in(target.stores(), person, target.who())
    console.print(f"{person} opted in again: rules may contact them", markup=False)
