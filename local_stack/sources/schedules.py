"""Schedules (EventBridge rules and Scheduler schedules targeting a function):
rate(...) and cron(...) expressions, in UTC like EventBridge."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from local_stack.aws import ACCOUNT, REGION
from local_stack.functions import FunctionPool

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTHS = {m: i + 1 for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}


class ScheduleError(ValueError):
    pass


def next_fire(expression: str, after: datetime) -> datetime:
    rate = _RATE.match(expression.strip())
    if rate:
        seconds = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
        if seconds <= 0:
            raise ScheduleError(f"rate must be positive: {expression}")
        return after + timedelta(seconds=seconds)
    if expression.startswith("cron(") and expression.endswith(")"):
        return _next_cron(expression[5:-1].split(), after)
    raise ScheduleError(f"not a rate() or cron() expression: {expression}")


def _field(spec: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """None means any value (* or ?)."""
    if spec in ("*", "?"):
        return None
    values: set[int] = set()
    for item in spec.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-")
            start, end = _value(a, names), _value(b, names)
        else:
            start = end = _value(part, names)
            if step > 1:
                end = high
        values.update(range(start, end + 1, step))
    if not values or min(values) < low or max(values) > high:
        raise ScheduleError(f"cron field {spec!r} is outside {low}-{high}")
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    return (names or {}).get(text.upper()) or int(text)


def _next_cron(fields: list[str], after: datetime) -> datetime:
    if len(fields) != 6:
        raise ScheduleError("cron() needs 6 fields: minutes hours day-of-month month day-of-week year")
    minutes, hours, dom, month, dow, year = fields
    sets = (
        _field(minutes, 0, 59),
        _field(hours, 0, 23),
        _field(dom, 1, 31),
        _field(month, 1, 12, _MONTHS),
        _field(dow, 1, 7, _DAYS),
        _field(year, 1970, 2199),
    )
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 60):
        weekday = moment.isoweekday() % 7 + 1  # EventBridge: SUN=1 .. SAT=7
        checks = (moment.minute, moment.hour, moment.day, moment.month, weekday, moment.year)
        if all(allowed is None or value in allowed for allowed, value in zip(sets, checks, strict=True)):
            return moment
        moment += timedelta(minutes=1)
    raise ScheduleError("cron() expression never fires within a year")


class Schedule:
    def __init__(self, name: str, expression: str, pool: FunctionPool, payload: Any, log: Callable[[str], None]) -> None:
        next_fire(expression, datetime.now(UTC))  # refuse a bad expression at start
        self.name, self.expression, self.pool, self.payload, self.log = name, expression, pool, payload, log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # a stack that failed to start stops schedules never started
            self._thread.join(timeout=10)

    def _run(self) -> None:
        due = next_fire(self.expression, datetime.now(UTC))
        while not self._stop.wait(max(0.0, (due - datetime.now(UTC)).total_seconds())):
            event = (
                self.payload
                if self.payload is not None
                else {
                    "version": "0",
                    "id": str(uuid.uuid4()),
                    "detail-type": "Scheduled Event",
                    "source": "aws.events",
                    "account": ACCOUNT,
                    "time": due.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "region": REGION,
                    "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{self.name}"],
                    "detail": {},
                }
            )
            self.pool.invoke(event, source=f"schedule {self.name}")
            due = next_fire(self.expression, datetime.now(UTC))


def schedules_from_template(emulated: dict[str, dict[str, Any]]) -> list[tuple[str, str, str, Any]]:
    """(name, expression, function ARN or name, payload or None) for every enabled schedule."""
    found = []
    for logical_id, resource in emulated.items():
        props = resource.get("Properties", {})
        if (
            resource["Type"] == "AWS::Events::Rule"
            and "ScheduleExpression" in props
            and props.get("State", "ENABLED") == "ENABLED"
        ):
            for target in props.get("Targets", []):
                payload = json.loads(target["Input"]) if isinstance(target.get("Input"), str) else None
                found.append((logical_id, props["ScheduleExpression"], target.get("Arn"), payload))
        elif resource["Type"] == "AWS::Scheduler::Schedule" and props.get("State", "ENABLED") == "ENABLED":
            target = props.get("Target", {})
            payload = json.loads(target["Input"]) if isinstance(target.get("Input"), str) else None
            found.append((logical_id, props["ScheduleExpression"], target.get("Arn"), payload))
    return found
