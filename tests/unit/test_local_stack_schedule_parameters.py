"""The local stack runs the template's EventBridge Scheduler schedules on a timer: a schedule
whose expression is a template parameter gets the parameter's value (its default, or what the
stack was started with), and a stack that fails while starting stops its never-started
schedules cleanly (its own error is the one reported)."""

from __future__ import annotations

from typing import Any

from dev_support.paths import TEMPLATE
from local_stack.deploy import parameter_values
from local_stack.sources.schedules import Schedule, schedules_from_template
from local_stack.template import is_emulated, substitute, translate


def emulated(overrides: dict[str, str]) -> dict[str, dict[str, Any]]:
    cfn = translate(TEMPLATE, overrides).cfn
    values = parameter_values(cfn, overrides)
    return {lid: substitute(r, values) for lid, r in cfn["Resources"].items() if is_emulated(r["Type"])}


def test_the_expiry_schedule_runs_hourly_unless_the_stack_says_otherwise() -> None:
    found = {name: (expression, target) for name, expression, target, _ in schedules_from_template(emulated({}))}
    expression, target = found["ExpireOffersSchedule"]
    assert expression == "rate(1 hour)"
    target_ref: object = target
    assert target_ref == {"Fn::GetAtt": ["ExpireOffersFunction", "Arn"]}  # resolved from the deployed stack (a probe)
    faster = {name: e for name, e, _, _ in schedules_from_template(emulated({"ExpiryScheduleExpression": "rate(1 minute)"}))}
    assert faster["ExpireOffersSchedule"] == "rate(1 minute)"


def test_a_schedule_never_started_stops_without_an_error() -> None:
    schedule = Schedule("never", "rate(1 hour)", pool=None, payload=None, log=print)  # type: ignore[arg-type]
    schedule.stop()
