"""Every route of the console's API, as its callers meet it: without the authorizer's claims
401, a viewer changing anything 403 with nothing written, and the function's role allowing
exactly the AWS calls the routes make (recorded while an editor uses every route)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from goodword.aws import clients
from goodword.claims.states import ClaimState
from tests.conftest import Aws
from tests.functional.test_cli import snapshot
from tests.functional.test_cli_claims import claimed
from tests.functional.test_console_api_review_people import EDITOR, VIEWER, api, waiting
from tests.functional.test_console_api_review_people import call as json_call
from tests.functional.test_iam import check, names, recording

__all__ = ["api", "names", "waiting"]  # fixtures used here

FLAGSHIP_ID = "first-positive-mention-sample"
FLAGSHIP = (ROOT / "rules" / f"{FLAGSHIP_ID}.yaml").read_text()
NOBODY: dict[str, str] = {}
# POSTs that compute and write nothing (console_api.handler.READS_BY_POST; the route patterns)
READS = {
    ("POST", "/api/rules/validate"),
    ("POST", "/api/rules/<rule_id>/diff"),
    ("POST", "/api/rules/<rule_id>/backtest"),
    ("POST", "/api/settings/validate"),
}


def call(
    api: Any, context: Any, method: str, path: str, body: Any = None, query: Any = None, claims: Any = EDITOR
) -> tuple[int, Any]:
    """As the page calls it; a CSV answer comes back as its text."""

    class Text:
        @staticmethod
        def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            answer: dict[str, Any] = api.lambda_handler(event, context)
            csv = str((answer.get("headers") or {}).get("Content-Type", "")).startswith("text/csv")
            return {**answer, "body": json.dumps(answer["body"])} if csv else answer

    return json_call(Text, context, method, path, body, query, claims)


def routes() -> list[tuple[str, str]]:
    from console_api import handler

    return sorted({(r.method, r.path) for r in [*handler.app._static_routes, *handler.app._dynamic_routes]})


def concrete(path: str) -> str:
    return re.sub(r"<(\w+)>", lambda m: {"offer_id": "0" * 32, "claim_id": "0" * 32, "rule_id": FLAGSHIP_ID}[m.group(1)], path)


@pytest.mark.parametrize(("method", "path"), routes())
def test_without_the_authorizers_claims_every_route_is_401(
    aws: Aws, api: Any, lambda_context: Any, method: str, path: str
) -> None:
    status, answer = call(api, lambda_context, method, concrete(path), {} if method != "GET" else None, claims=NOBODY)
    assert status == 401, answer
    assert answer["message"] == "sign in: no valid token"


@pytest.mark.parametrize(("method", "path"), [r for r in routes() if r[0] != "GET" and r not in READS])
def test_a_viewer_changing_anything_is_403_and_nothing_is_written(
    aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str], method: str, path: str
) -> None:
    before = snapshot(aws)
    amy = waiting["amy"]
    body = {"person": f"x:@fan_{'amy'}", "other": "x:@fan_bo", "confirm": "x:@fan_amy", "version": 1, "yaml": FLAGSHIP}
    status, answer = call(api, lambda_context, method, concrete(path).replace("0" * 32, amy), body, claims=VIEWER)
    assert status == 403, answer
    assert "viewers can read but not change anything" in answer["message"]
    assert snapshot(aws) == before


@pytest.mark.parametrize(("method", "path"), sorted(READS))
def test_a_viewer_may_check_diff_and_backtest_and_nothing_is_written(
    aws: Aws, api: Any, lambda_context: Any, method: str, path: str
) -> None:
    assert call(api, lambda_context, "PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": FLAGSHIP, "expected_version": None})[0] == 200
    before = snapshot(aws)
    body = {"yaml": FLAGSHIP if "rules" in path else "brand_names: [Roaster]\n", "since": "1d"}
    status, answer = call(api, lambda_context, method, concrete(path), body, claims=VIEWER)
    assert status == 200, answer
    assert snapshot(aws) == before


def test_the_console_apis_role_allows_exactly_the_calls_of_its_routes(
    aws: Aws, api: Any, lambda_context: Any, waiting: dict[str, str], names: dict[str, str]
) -> None:
    amy, bo, cy = waiting["amy"], waiting["bo"], waiting["cy"]
    edited = json.loads(
        json.dumps(yaml.safe_load(FLAGSHIP))
    )  # plain dicts (another import may make the loader give OrderedDicts)
    edited["limits"] = {**edited["limits"], "per_day": 30}
    wider = {**edited, "limits": {**edited["limits"], "per_day": 40}}
    live = call(api, lambda_context, "GET", f"/api/rules/{FLAGSHIP_ID}")[1]["version"]
    held, repeat = claimed(aws, 1, ClaimState.HELD), claimed(aws, 2, ClaimState.HELD)
    with recording(names, clients.RECEIVER) as recorder:
        for method, path, body, query in [
            ("GET", "/api/me", None, None),
            ("GET", "/api/review", None, None),
            ("POST", f"/api/review/{amy}/approve", {"message": None}, None),
            ("POST", f"/api/review/{bo}/reject", {"because": "not-praise"}, None),
            ("GET", "/api/offers", None, {"since": "1d"}),
            ("GET", "/api/people", None, {"q": "fan"}),
            ("GET", "/api/people", None, {"q": "love"}),
            ("GET", "/api/person", None, {"id": "x:@fan_cy"}),
            ("POST", "/api/person/link", {"person": "x:@fan_cy", "other": "x:@fan_amy"}, None),
            ("POST", "/api/person/unlink", {"person": "x:@fan_amy"}, None),
            ("POST", "/api/person/opt-in", {"person": "x:@fan_cy"}, None),
            ("GET", "/api/person/erase-preview", None, {"id": "x:@fan_cy"}),
            ("POST", "/api/person/erase", {"person": "x:@fan_cy", "confirm": "x:@fan_cy"}, None),
            ("GET", "/api/claims", None, {"state": "held"}),
            ("POST", f"/api/claims/{held}/mark-fulfilled", {}, None),
            ("POST", f"/api/claims/{repeat}/refuse", {}, None),
            ("GET", "/api/rules", None, None),
            ("GET", f"/api/rules/{FLAGSHIP_ID}", None, None),
            ("POST", "/api/rules/validate", {"yaml": FLAGSHIP}, None),
            ("POST", f"/api/rules/{FLAGSHIP_ID}/diff", {"yaml": yaml.safe_dump(edited)}, None),
            ("PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": yaml.safe_dump(edited), "expected_version": live}, None),
            ("PUT", f"/api/rules/{FLAGSHIP_ID}", {"yaml": yaml.safe_dump(wider), "expected_version": live + 1}, None),
            ("POST", f"/api/rules/{FLAGSHIP_ID}/backtest", {"yaml": None, "since": "1d"}, None),
            ("GET", f"/api/rules/{FLAGSHIP_ID}/history", None, None),
            ("POST", f"/api/rules/{FLAGSHIP_ID}/rollback", {"version": live + 1}, None),
            ("POST", f"/api/rules/{FLAGSHIP_ID}/disable", {}, None),
            ("POST", f"/api/rules/{FLAGSHIP_ID}/enable", {}, None),
            ("GET", "/api/settings", None, None),
            ("POST", "/api/settings/validate", {"yaml": "brand_names: [Roaster]\n"}, None),
            ("GET", "/api/settings/history", None, None),
            ("GET", "/api/report", None, {"since": "1d"}),
            ("GET", "/api/report.csv", None, {"since": "1d"}),
        ]:
            status, answer = call(api, lambda_context, method, path, body, query, claims=EDITOR)
            # opt-in of a person who never opted out is refused after reading them (the write is
            # the same UpdateItem on StateTable that other routes make)
            assert status == (409 if path.endswith("opt-in") else 200), (method, path, answer)
        settings = call(api, lambda_context, "GET", "/api/settings")[1]
        saved = call(
            api, lambda_context, "PUT", "/api/settings", {"yaml": settings["yaml"], "expected_version": settings["version"]}
        )
        assert saved[0] == 200, saved
    assert cy
    check("ConsoleApiFunction", recorder)
