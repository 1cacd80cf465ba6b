"""`goodword report`: counts per rule, per platform and per day from stored events, their
decisions and the offers (pure), and the chart of them (matplotlib, imported only then)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from goodword.decisions import Decisions
from goodword.work import WorkRecord, WorkState

MATCHED = {"acted", "limited", "refused", "stopped"}  # the conditions held
COMMITTED = {WorkState.APPROVED, WorkState.SENDING, WorkState.SENT}  # offers that will be or were sent


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
        values = dict(self.__dict__)
        values["cost_sent"], values["cost_committed"] = round(self.cost_sent, 2), round(self.cost_committed, 2)
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
) -> Report:
    report = Report(since, caps=dict(caps or {}))
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
    return report


# One colour per offer state, the same in both panels.
STATES: list[tuple[str, str, Callable[[Row], int]]] = [
    ("sent", "#2e7d32", lambda row: row.sent),
    ("approved, not sent yet", "#81c784", lambda row: row.offers - row.sent - row.pending_review - row.failed - row.rejected),
    ("waiting for review", "#f9a825", lambda row: row.pending_review),
    ("failed", "#c62828", lambda row: row.failed),
    ("rejected", "#757575", lambda row: row.rejected),
]


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
    figure.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9, frameon=False)
    totals = report.totals
    figure.suptitle(
        f"Goodword report: {totals.events} events, {totals.offers} offers, {totals.sent} sent, budget used {totals.cost_sent:.2f}"
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
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axes.set_title("Offers per rule, by state")
    if not data.rules:
        axes.text(0.5, 0.5, "no offers in this window", ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return
    left = [0] * len(data.rules)
    for label, colour, count in STATES:
        values = [count(report.rules[r]) for r in data.rules]
        if any(values):
            axes.barh(data.rules, values, left=left, color=colour, label=data.sent_label if label == "sent" else label)
            left = [a + v for a, v in zip(left, values, strict=True)]
    for row, rule_id in enumerate(data.rules):
        cap = report.caps.get(rule_id)
        used = f"; cap {cap['used']} of {cap['total']}" if cap else ""
        axes.annotate(f"  budget used {report.rules[rule_id].cost_sent:.2f}{used}", (left[row], row), va="center", fontsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(right=max(left) * 1.6 + 1)
