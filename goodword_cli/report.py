"""`goodword report`'s chart (matplotlib, imported only then) and its words; the numbers are
goodword.reporting's, read by goodword.services.report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from goodword.reporting import UNCLAIMED, Report, Row, build

__all__ = ["UNCLAIMED", "Report", "Row", "build", "chart", "chart_data", "duration", "outcome_note"]

# One colour per offer state, the same in both panels.
STATES: list[tuple[str, str, Callable[[Row], int]]] = [
    ("sent", "#2e7d32", lambda row: row.sent),
    ("approved, not sent yet", "#81c784", lambda row: row.offers - row.sent - row.pending_review - row.failed - row.rejected),
    ("waiting for review", "#f9a825", lambda row: row.pending_review),
    ("failed", "#c62828", lambda row: row.failed),
    ("rejected", "#757575", lambda row: row.rejected),
]


# The sent offers' claims, one colour per claim state (the rule panel's second bar).
CLAIM_STATES: list[tuple[str, str, Callable[[Row], int]]] = [
    ("claim fulfilled (or redeemed)", "#4a148c", lambda row: row.fulfilled),
    ("claimed, being fulfilled", "#9575cd", lambda row: row.claim_states.get("claimed", 0)),
    ("claim held for review", "#ff7043", lambda row: row.claim_states.get("held", 0)),
    (
        "claim failed or refused",
        "#8d6e63",
        lambda row: row.claim_states.get("failed", 0) + row.claim_states.get("refused", 0),
    ),
    ("not claimed yet", "#b3e5fc", lambda row: row.claim_states.get("offered", 0)),
    ("expired unclaimed", "#cfcfcf", lambda row: row.expired),
]


def outcome_note(row: Row) -> str:
    """One line on a rule's claims: rate, speed, cost, and whether fans said more."""
    if not row.sent:
        return "  no offer sent"
    rate = f"{row.claims} of {row.sent} claimed ({row.claim_rate:.0%})"
    median = row.median_hours_to_claim
    speed = f", median {duration(median)} to claim" if median is not None else ""
    return f"  {rate}{speed}; {row.fulfilled} fulfilled, cost {row.product_cost:.2f}; {row.fans_said_more} fan(s) said more"


def duration(hours: float) -> str:
    """A time to claim as people read it: hours under two days, then days."""
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


@dataclass(frozen=True)
class ChartData:
    days: list[str]  # every day of the window, those without events too
    rules: list[str]  # rules that made offers (no empty rows)
    sent_label: str  # "sent", or how many of them were dry runs


def chart_data(report: Report, until: date) -> ChartData:
    first = date.fromisoformat(report.since[:10])
    last = max([until, *(date.fromisoformat(d) for d in report.days)])
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    rules = sorted(r for r, row in report.rules.items() if row.offers)
    dry = report.totals.dry_run
    sent_label = "sent" if not dry else f"sent ({dry} in dry run: nothing reached a platform)"
    return ChartData(days, rules, sent_label)


def chart(report: Report, path: Path, until: date | None = None) -> None:
    """Two panels: per day the offers by state (and the events), per rule the offers by state
    with the budget used; the same colour for a state in both."""
    import matplotlib  # noqa: PLC0415 (heavy: only when a chart is asked for)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    data = chart_data(report, until or datetime.now(UTC).date())
    figure, (by_day, by_rule) = plt.subplots(2, 1, figsize=(11, 8.5), constrained_layout=True)
    _day_panel(by_day, report, data)
    _rule_panel(by_rule, report, data)
    handles, labels = by_day.get_legend_handles_labels()  # one legend: a state has the same colour in both panels
    for handle, label in zip(*by_rule.get_legend_handles_labels(), strict=True):
        if label not in labels:  # the claims' states, drawn in the rule panel only
            handles.append(handle)
            labels.append(label)
    figure.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=9, frameon=False)
    totals = report.totals
    figure.suptitle(
        f"Goodword report: {totals.events} events, {totals.offers} offers, {totals.sent} sent, {totals.claims} claimed, "
        f"{totals.fulfilled} fulfilled; budget used {totals.cost_sent:.2f}"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _day_panel(axes: Any, report: Report, data: ChartData) -> None:
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    positions = list(range(len(data.days)))
    bottom = [0] * len(data.days)
    for label, colour, count in STATES:
        values = [count(report.days[d]) if d in report.days else 0 for d in data.days]
        if any(values):
            axes.bar(positions, values, 0.7, bottom=bottom, color=colour, label=data.sent_label if label == "sent" else label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    events = [report.days[d].events if d in report.days else 0 for d in data.days]
    axes.plot(positions, events, color="#1565c0", marker="o", linewidth=1.5, label="events received")
    step = max(1, -(-len(data.days) // 14))  # at most 14 labels
    axes.set_xticks(positions[::step], data.days[::step], rotation=45 if len(data.days) > 7 else 0, ha="right")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_title(f"Per day, {data.days[0]} to {data.days[-1]} (UTC): events, and offers by state")


def _rule_panel(axes: Any, report: Report, data: ChartData) -> None:
    """Per rule two bars: the offers by state (with the budget used), and below it the sent
    offers by what became of their claim (with the claim rate, speed, cost and later mentions)."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axes.set_title("Per rule: offers by state (upper bar), and what became of the sent ones (lower bar)")
    if not data.rules:
        axes.text(0.5, 0.5, "no offers in this window", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return
    rows = range(len(data.rules))
    offers_at, claims_at, height = [r - 0.21 for r in rows], [r + 0.21 for r in rows], 0.38  # y grows downwards
    left = [0] * len(data.rules)
    for label, colour, count in STATES:
        values = [count(report.rules[r]) for r in data.rules]
        if any(values):
            shown = data.sent_label if label == "sent" else label
            axes.barh(offers_at, values, height, left=left, color=colour, label=shown)
            left = [a + v for a, v in zip(left, values, strict=True)]
    below = [0] * len(data.rules)
    for label, colour, count in CLAIM_STATES:
        values = [count(report.rules[r]) for r in data.rules]
        if any(values):
            axes.barh(claims_at, values, height, left=below, color=colour, label=label, edgecolor="#90a4ae", linewidth=0.4)
            below = [a + v for a, v in zip(below, values, strict=True)]
    for row, rule_id in enumerate(data.rules):
        cap = report.caps.get(rule_id)
        used = f"; cap {cap['used']} of {cap['total']}" if cap else ""
        axes.annotate(
            f"  budget used {report.rules[rule_id].cost_sent:.2f}{used}", (left[row], offers_at[row]), va="center", fontsize=8
        )
        axes.annotate(outcome_note(report.rules[rule_id]), (below[row], claims_at[row]), va="center", fontsize=8)
    axes.set_yticks(list(rows), data.rules)
    axes.invert_yaxis()  # the first rule on top
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(right=max([*left, *below]) * 2.4 + 1)
