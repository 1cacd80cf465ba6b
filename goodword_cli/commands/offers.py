"""goodword offers list|show: every sample offered, in any state."""

from __future__ import annotations

import click

from goodword.pipeline.offers import OfferState
from goodword_cli import stored
from goodword_cli.app import App, pass_app
from goodword_cli.commands.events import PLATFORMS, parse_since, since_option
from goodword_cli.output import EXIT_PROBLEMS, CliError, console, emit_json, json_option, short, table

STATES = [s.value for s in OfferState]


@click.group()
def offers() -> None:
    """Offers of free samples: who, which rule, which state (pending_review, approved,
    sending, sent, failed, rejected), the message and the claim link."""


@offers.command("list")
@since_option("30d")
@click.option("--state", type=click.Choice(STATES), multiple=True, help="Only these states (repeatable).")
@click.option("--rule", "rule_ids", multiple=True, help="Only offers made by these rules (repeatable).")
@click.option("--platform", type=click.Choice(PLATFORMS), multiple=True, help="Only these platforms (repeatable).")
@json_option
@pass_app
def list_offers(
    app: App, since: str, state: tuple[str, ...], rule_ids: tuple[str, ...], platform: tuple[str, ...], as_json: bool
) -> None:
    """Offers made since a time, newest first."""
    found = [
        o
        for o in stored.offers(app.target().state_table, state or None, parse_since(since))
        if (not rule_ids or o["rule_id"] in rule_ids) and (not platform or o["platform"] in platform)
    ]
    if as_json:
        emit_json({"offers": found})
        return
    table(
        f"Offers since {since}",
        ["created (UTC)", "id", "state", "platform", "person", "rule", "product", "channel"],
        [
            (
                o["created_at"][:19],
                o["id"],
                o["state"] + (" (dry run)" if o.get("dry_run") else ""),
                o["platform"],
                f"@{o['author_handle']}" if o.get("author_handle") else o.get("author_id"),
                o["rule_id"],
                o.get("product"),
                o.get("channel"),
            )
            for o in found
        ],
        empty="none",
    )


@offers.command()
@click.argument("offer_id")
@json_option
@pass_app
def show(app: App, offer_id: str, as_json: bool) -> None:
    """One offer with everything recorded about it."""
    record = stored.work_record(app.target().state_table, offer_id)
    if record is None:
        raise CliError(f"no offer or action {offer_id} (see `goodword offers list`)", EXIT_PROBLEMS)
    if as_json:
        emit_json(record)
        return
    console.print(f"[bold]{record['kind']} {record['id']}[/bold]: {record['state']}")
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
        "created_at",
        "queued_at",
        "reviewed_by",
        "reviewed_at",
        "finished_at",
        "platform_message_id",
        "reason",
        "dry_run",
    ):
        if record.get(key) is not None:
            console.print(f"  {key:20} {record[key]}", markup=False)
    if record.get("message"):
        console.print(f'  message              "{short(record["message"], 400)}"', markup=False)
