"""`goodword report`: counts per rule, per platform and per day from stored events, their
decisions and the offers (pure), and the chart of them (matplotlib, imported only then).

The outcome of the offers made in the window (issue 23): how many were claimed, how fast
(from the send to the claim), fulfilled and redeemed, held as repeat claimers, expired
unclaimed, what the fulfilled samples cost (the offer's ``product_cost``, the rule's unit cost
when the offer was made), and whether the fan said more afterwards (their mentions of the
brand after the offer was sent). Read from the offers themselves (``claim_state``,
``claimed_at``: they outlive an erased claim) and the claims without their claimants."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from goodword.claims.records import ClaimRecord
from goodword.claims.states import ClaimState
from goodword.decisions import Decisions
from goodword.work import WorkRecord, WorkState

MATCHED = {"acted", "limited", "refused", "stopped"}  # the conditions held
COMMITTED = {WorkState.APPROVED, WorkState.SENDING, WorkState.SENT}  # offers that will be or were sent
UNCLAIMED = {None, ClaimState.OFFERED.value, ClaimState.EXPIRED.value}  # an offer's claim_state without a claim
FULFILLED = {ClaimState.FULFILLED.value, ClaimState.REDEEMED.value}  # the sample went out (redeemed: and was used)
REPEAT_CLAIMER = "repeat_claimer"  # ClaimRecord.held_because


@dataclass
class Row:
    events: int = 0
    matches: int = 0
    offers: int = 0
    pending_review: int = 0
    sent: int = 0
    failed: int = 0
    rejected: int = 0
    cost_sent: float = 0.0  # product_cost of sent offers: the budget used
    cost_committed: float = 0.0  # the same for offers approved or sent
    dry_run: int = 0  # offers "sent" in dry-run mode (nothing reached the platform)
    actions: int = 0  # replies, direct messages (welcomes) and notifications
    actions_sent: int = 0
    actions_failed: int = 0
    actions_dry_run: int = 0
    opt_outs: int = 0  # people who asked to stop (their event opted them out)
    # the outcome of the offers sent (issue 23)
    claims: int = 0  # offers a fan claimed (whatever became of the claim)
    fulfilled: int = 0  # claims whose sample went out (fulfilled or redeemed)
    redeemed: int = 0  # ... and the shop says it was used
    held_repeat_claimers: int = 0  # claims held because their email or address was used before by another identity
    expired: int = 0  # offers nobody claimed within the rule's claim_within_days
    product_cost: float = 0.0  # product_cost of the fulfilled samples: what the gifts cost
    fans_said_more: int = 0  # sent offers whose person mentioned the brand again after the send
    later_mentions: int = 0  # those mentions, counted
    claim_hours: list[float] = field(default_factory=list)  # from the send to the claim, per claim
    claim_states: dict[str, int] = field(default_factory=dict)  # sent offers by claim state ("offered": no claim yet)

    @property
    def claim_rate(self) -> float | None:
        """Claims per offer sent; None when none was sent."""
        return self.claims / self.sent if self.sent else None

    @property
    def median_hours_to_claim(self) -> float | None:
        return statistics.median(self.claim_hours) if self.claim_hours else None

    def add_outcome(self, work: WorkRecord, claim: ClaimRecord | None, later_mentions: int | None) -> None:
        """What became of a sent offer: its claim (from the offer; ``claim`` for why it was
        held), and the person's mentions after it was sent (None: not counted)."""
        if not work.is_offer or work.state is not WorkState.SENT:
            return
        state = work.claim_state or ClaimState.OFFERED.value
        self.claim_states[state] = self.claim_states.get(state, 0) + 1
        self.expired += work.claim_state == ClaimState.EXPIRED.value
        if later_mentions is not None:
            self.fans_said_more += later_mentions > 0
            self.later_mentions += later_mentions
        if work.claim_state in UNCLAIMED:
            return
        self.claims += 1
        if work.claimed_at:
            sent = datetime.fromisoformat(work.finished_at or work.created_at)
            self.claim_hours.append(max(0.0, (datetime.fromisoformat(work.claimed_at) - sent).total_seconds() / 3600))
        if work.claim_state in FULFILLED:
            self.fulfilled += 1
            self.product_cost += float(work.product_cost or 0)
        self.redeemed += work.claim_state == ClaimState.REDEEMED.value
        self.held_repeat_claimers += claim is not None and claim.held_because == REPEAT_CLAIMER

    def add(self, work: WorkRecord) -> None:
        dry_run = work.dry_run and work.state is WorkState.SENT
        if not work.is_offer:
            self.actions += 1
            self.actions_sent += work.state is WorkState.SENT
            self.actions_failed += work.state is WorkState.FAILED
            self.actions_dry_run += dry_run
            return
        self.dry_run += dry_run
        self.offers += 1
        cost = float(work.product_cost or 0)
        self.pending_review += work.state is WorkState.PENDING_REVIEW
        self.sent += work.state is WorkState.SENT
        self.failed += work.state is WorkState.FAILED
        self.rejected += work.state is WorkState.REJECTED
        self.cost_sent += cost if work.state is WorkState.SENT else 0
        self.cost_committed += cost if work.state in COMMITTED else 0

    def as_json(self) -> dict[str, Any]:
        values = {k: v for k, v in self.__dict__.items() if k != "claim_hours"}
        values["claim_states"] = dict(sorted(self.claim_states.items()))
        values["cost_sent"], values["cost_committed"] = round(self.cost_sent, 2), round(self.cost_committed, 2)
        values["product_cost"] = round(self.product_cost, 2)
        values["claim_rate"] = None if self.claim_rate is None else round(self.claim_rate, 4)
        median = self.median_hours_to_claim
        values["median_hours_to_claim"] = None if median is None else round(median, 2)
        return values


@dataclass
class Report:
    since: str
    rules: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    platforms: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    days: dict[str, Row] = field(default_factory=lambda: defaultdict(Row))
    caps: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> {"used", "total"}
    totals: Row = field(default_factory=Row)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "totals": self.totals.as_json(),
            "rules": {
                k: {**v.as_json(), **({"total_cap": self.caps[k]} if k in self.caps else {})}
                for k, v in sorted(self.rules.items())
            },
            "platforms": {k: v.as_json() for k, v in sorted(self.platforms.items())},
            "days": {k: v.as_json() for k, v in sorted(self.days.items())},
        }


def build(
    since: str,
    events: Iterable[dict[str, Any]],
    decisions: Mapping[str, Decisions],
    work: Iterable[WorkRecord],
    caps: dict[str, dict[str, int]] | None = None,
    claims: Mapping[str, ClaimRecord] | None = None,
    later_mentions: Mapping[str, int] | None = None,
) -> Report:
    """``claims``: by id (= the offer's id), without claimants; ``later_mentions``: by offer id,
    the person's mentions after the offer was sent (offers left out are not counted)."""
    report = Report(since, caps=dict(caps or {}))
    claims, later_mentions = claims or {}, later_mentions or {}
    for event in events:
        day, platform = event["received_at"][:10], event["platform"]
        decided = decisions.get(event["event_id"])
        outcomes = decided.outcomes() if decided else {}
        matched = any(o in MATCHED for o in outcomes.values())
        for row in (report.totals, report.platforms[platform], report.days[day]):
            row.events += 1
            row.matches += matched
            row.opt_outs += bool(decided and decided.opted_out)
        for rule_id, outcome in outcomes.items():
            report.rules[rule_id].events += 1
            report.rules[rule_id].matches += outcome in MATCHED
    for record in work:
        for row in (
            report.totals,
            report.rules[record.rule_id],
            report.platforms[record.platform],
            report.days[record.created_at[:10]],
        ):
            row.add(record)
            row.add_outcome(record, claims.get(record.id), later_mentions.get(record.id))
    return report


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
