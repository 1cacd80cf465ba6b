"""goodword report: per rule, per platform and per day; a PNG chart with --chart."""

from __future__ import annotations

from pathlib import Path

import click

from goodword.services import report as service
from goodword_cli.app import App, pass_app
from goodword_cli.commands.events import parse_since, since_option
from goodword_cli.output import console, emit_json, json_option, table
from goodword_cli.report import Report, Row, chart, duration

_COLUMNS = [
    "events",
    "matches",
    "offers",
    "waiting review",
    "sent",
    "failed",
    "rejected",
    "budget used (sent)",
    "actions",
    "actions sent",
]


def _cells(row: Row) -> list[object]:
    return [
        row.events,
        row.matches,
        row.offers,
        row.pending_review,
        row.sent,
        row.failed,
        row.rejected,
        f"{row.cost_sent:.2f}",
        row.actions,
        row.actions_sent,
    ]


@click.command()
@since_option("30d")
@click.option(
    "--chart", "chart_path", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the report as a PNG here."
)
@json_option
@pass_app
def report(app: App, since: str, chart_path: Path | None, as_json: bool) -> None:
    """What happened since a time: per rule and per platform, events, matches (conditions
    held), offers, sent, failed and the budget used (product_cost of sent samples); per day
    counts; each rule's total cap used. Per rule, what became of the offers sent: claims,
    claim rate, median time to claim, fulfilled, redeemed, held as repeat claimers, expired,
    what the fulfilled samples cost, and the fans who mentioned the brand again after the
    offer. `--chart FILE` draws it as a PNG."""
    result = service.read(app.target().stores(), parse_since(since))
    if chart_path is not None:
        chart(result, chart_path)
    if as_json:
        emit_json({**result.as_json(), **({"chart": str(chart_path)} if chart_path else {})})
        return
    _print(result, since)
    if chart_path is not None:
        console.print(f"Chart: {chart_path}")


WIDE = 150  # columns from which each per-rule and per-platform table is one table, not two
_SPLIT = 7  # events .. rejected | budget and actions


def _split(title: str, key: str, rows: list[list[object]], empty: str) -> None:
    """One table on a wide terminal (or a pipe); two on a narrow one, each row keyed by its
    rule or platform: the offers, then the budget and actions."""
    columns = [key, *_COLUMNS, *(["total cap used"] if rows and len(rows[0]) > len(_COLUMNS) + 1 else [])]
    if console.width >= WIDE:
        table(title, columns, rows, empty=empty, whole=[key])
        return
    cut = _SPLIT + 1
    table(f"{title}: events and offers", columns[:cut], [r[:cut] for r in rows], empty=empty, whole=[key])
    if rows:
        table(f"{title}: budget and actions", [key, *columns[cut:]], [[r[0], *r[cut:]] for r in rows], whole=[key])


def _print(result: Report, since: str) -> None:
    console.print(f"Goodword report since {result.since[:16]} ({since})")
    _split(
        "Per rule",
        "rule",
        [
            [
                rule_id,
                *_cells(row),
                f"{result.caps[rule_id]['used']} of {result.caps[rule_id]['total']}" if rule_id in result.caps else "",
            ]
            for rule_id, row in sorted(result.rules.items())
        ],
        empty="no rule decided anything",
    )
    _split("Per platform", "platform", [[p, *_cells(row)] for p, row in sorted(result.platforms.items())], empty="no events")
    _outcomes(result)
    table(
        "Per day (UTC)",
        ["day", "events", "matches", "offers", "sent"],
        [(day, row.events, row.matches, row.offers, row.sent) for day, row in sorted(result.days.items())],
        empty="no events",
    )
    totals = result.totals
    dry = totals.dry_run + totals.actions_dry_run
    dry_run = f" ({dry} of the sends in dry run: nothing reached a platform)" if dry else ""
    claimed = (
        f"; {totals.claims} claimed ({totals.claim_rate:.0%} of those sent), {totals.fulfilled} fulfilled, "
        f"gifts cost {totals.product_cost:.2f}"
        if totals.sent
        else ""
    )
    console.print(
        f"Total: {totals.events} events, {totals.matches} matched a rule, {totals.offers} offers, "
        f"{totals.sent} sent, {totals.failed} failed, budget used {totals.cost_sent:.2f}; "
        f"{totals.actions} actions, {totals.actions_sent} sent{dry_run}; {totals.opt_outs} opt-out(s){claimed}"
    )


_CLAIM_COLUMNS = ["rule", "sent", "claims", "claim rate", "median to claim", "expired"]
_AFTER_COLUMNS = ["rule", "fulfilled", "redeemed", "held: repeat claimer", "gifts cost", "said more (mentions)"]


def _outcomes(result: Report) -> None:
    """What became of the offers sent, per rule: claims, speed, fulfilment, cost, later
    mentions; one table on a wide terminal, two (claims, then what followed) on a narrow one."""
    claims, after = [], []
    for rule_id, row in sorted(result.rules.items()):
        if not row.sent:
            continue
        median = row.median_hours_to_claim
        rate = f"{row.claim_rate:.0%}" if row.claim_rate is not None else ""
        claims.append([rule_id, row.sent, row.claims, rate, duration(median) if median is not None else "", row.expired])
        after.append(
            [
                rule_id,
                row.fulfilled,
                row.redeemed,
                row.held_repeat_claimers,
                f"{row.product_cost:.2f}",
                f"{row.fans_said_more} ({row.later_mentions})",
            ]
        )
    title, empty = "Per rule: what became of the offers sent", "no offer was sent"
    if console.width >= WIDE:
        rows = [[*c, *a[1:]] for c, a in zip(claims, after, strict=True)]
        table(title, [*_CLAIM_COLUMNS, *_AFTER_COLUMNS[1:]], rows, empty=empty, whole=["rule"])
        return
    table(f"{title}: claims", _CLAIM_COLUMNS, claims, empty=empty, whole=["rule"])
    if after:
        table(f"{title}: fulfilment and after", _AFTER_COLUMNS, after, whole=["rule"])
