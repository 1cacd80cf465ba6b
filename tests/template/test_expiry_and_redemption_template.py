"""The expiry schedule in template.yaml: an EventBridge Scheduler schedule with no physical name
(two stacks can share an account), invoking only the expiry function through a role that can do
nothing else, on an expression the operator can change; its errors alarm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dev_support.template import template
from local_stack.sources.schedules import next_fire


def test_the_schedule_invokes_only_the_expiry_function_with_its_own_role() -> None:
    resources = template()["Resources"]
    schedule = resources["ExpireOffersSchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    props = schedule["Properties"]
    assert "Name" not in props, "CloudFormation names it: a second stack in the account can be deployed"
    assert props["ScheduleExpression"] == {"Ref": "ExpiryScheduleExpression"}
    assert props["Target"]["Arn"] == {"Fn::GetAtt": ["ExpireOffersFunction", "Arn"]}
    assert props["Target"]["RoleArn"] == {"Fn::GetAtt": ["ExpireOffersScheduleRole", "Arn"]}
    role = resources["ExpireOffersScheduleRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    ((statement,),) = [p["PolicyDocument"]["Statement"] for p in role["Policies"]]
    assert (statement["Action"], statement["Resource"]) == (
        "lambda:InvokeFunction",
        {"Fn::GetAtt": ["ExpireOffersFunction", "Arn"]},
    )


def test_the_default_expression_runs_hourly_and_an_alarm_watches_the_function() -> None:
    default = template()["Parameters"]["ExpiryScheduleExpression"]["Default"]
    start = datetime(2026, 12, 1, tzinfo=UTC)
    assert next_fire(default, start) == start + timedelta(hours=1)
    alarm = template()["Resources"]["ExpireOffersErrorsAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "ExpireOffersFunction"}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_shop_redeems_through_its_own_route_and_its_own_secret() -> None:
    resources = template()["Resources"]
    function = resources["RedeemClaimFunction"]["Properties"]
    ((route,),) = [[e["Properties"] for e in function["Events"].values()]]
    assert (route["ApiId"], route["Path"], route["Method"]) == ({"Ref": "WebhookApi"}, "/claims/{claim_id}/redeemed", "POST")
    assert function["Environment"]["Variables"]["SHOP_WEBHOOK_SECRET_ID"] == {"Ref": "ShopWebhookSecret"}
    secret = resources["ShopWebhookSecret"]
    assert secret["DeletionPolicy"] == "Retain" and secret["Properties"]["SecretString"] == "{}", "503 until the operator sets it"
    granted = [s["Action"] for s in function["Policies"][0]["Statement"]]
    assert not any("kms" in str(a) for a in granted), "redeeming reads nothing personal"
