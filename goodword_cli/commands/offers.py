"""goodword offers list|show: every sample offered, in any state."""

from __future__ import annotations

import click

from goodword.work import WorkState
from goodword_cli.app import App, pass_app
from goodword_cli.commands.events import parse_since, platform_choice, since_option
from goodword_cli.output import console, emit_json, json_option, short, short_id, table
from goodword_cli.work_ids import find_work

STATES = [s.value for s in WorkState]


@click.group()
def offers() -> None:
    """Offers of free samples: who, which rule, which state (pending_review, approved,
    sending, sent, failed, rejected), the message and the claim link."""


@offers.command("list")
@since_option("30d")
@click.option("--state", type=click.Choice(STATES, case_sensitive=False), multiple=True, help="Only these states (repeatable).")
@click.option("--rule", "rule_ids", multiple=True, help="Only offers made by these rules (repeatable).")
@click.option("--platform", type=platform_choice(), multiple=True, help="Only these platforms (repeatable).")
@json_option
@pass_app
def list_offers(
    app: App, since: str, state: tuple[str, ...], rule_ids: tuple[str, ...], platform: tuple[str, ...], as_json: bool
) -> None:
    """Offers made since a time, newest first."""
    found = [
        o
        for o in app.target().state().list_work([WorkState(s) for s in state] or None, parse_since(since))
        if (not rule_ids or o.rule_id in rule_ids) and (not platform or o.platform in platform)
    ]
    if as_json:
        emit_json({"offers": [o.fields() for o in found]})
        return
    table(
        f"Offers since {since}",
        ["created (UTC)", "id", "state", "person", "rule", "product"],
        [
            (
                o.created_at[:16].replace("T", " "),
                short_id(o.id),
                o.state_label + (f"\nvia {o.channel}" if o.channel else ""),
                f"{short(f'@{o.author_handle}' if o.author_handle else o.author_id, 20)}\non {o.platform}",
                o.rule_id,
                o.product,
            )
            for o in found
        ],
        empty="none",
        whole=["id", "state", "rule"],
    )
    if found:
        console.print("(ids shortened: `goodword offers show ID` takes them as printed; --json prints them whole)")


@offers.command()
@click.argument("offer_id")
@json_option
@pass_app
def show(app: App, offer_id: str, as_json: bool) -> None:
    """One offer (or action) with everything recorded about it: a full id, or a unique
    prefix of 6 or more characters."""
    record = find_work(app.target().state(), offer_id)
    if as_json:
        emit_json(record.fields())
        return
    values = record.fields()
    console.print(f"[bold]{record.kind.value} {record.id}[/bold]: {record.state_label}")
    for key in (
        "rule_id",
        "rule_version",
        "event_id",
        "platform",
        "author_handle",
        "author_id",
        "channel",
        "product",
        "product_cost",
        "claim_link",
        "deliver_link",
        "claim_state",
        "claimed_at",
        "claim_within_days",
        "created_at",
        "queued_at",
        "reviewed_by",
        "reviewed_at",
        "finished_at",
        "platform_message_id",
        "reason",
        "dry_run",
    ):
        if values.get(key) not in (None, False):
            console.print(f"  {key:20} {values[key]}", markup=False)
    if record.message:
        console.print(f'  message              "{short(record.message, 400)}"', markup=False)
    if record.link_message:  # ask_to_dm: the reply asked for a DM; a person answers it with this
        console.print(f'  link_message         "{short(record.link_message, 400)}"', markup=False)
