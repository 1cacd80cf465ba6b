"""The marketers' console in a real browser (Debian's chromium, headless, through Playwright)
against the local stack: an editor signs in, approves an offer and sees it sent (dry run),
sees a rule's invalid field said beside it, runs the backtest and sees the numbers the
command prints, rolls a rule back; a viewer sees no approve button and the API refuses the
viewer's POST; axe-core finds no serious accessibility violation on any page. Set
CONSOLE_SCREENSHOTS=docs to write docs/console-*.png.

The dev users' passwords come from the e2e stack's configuration (``console_users``)."""

from __future__ import annotations

import json
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from tests.e2e.conftest import RunningStack
from tests.e2e.test_claim_page_in_a_browser import browser, close, offer_link, playwright, send, serious_violations  # noqa: F401
from tests.e2e.test_cli_over_http import deliver, goodword, goodword_json

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EDITOR = "editor@goodword.local"
VIEWER = "viewer@goodword.local"
USERS_KEY = "console_users"  # in local_stack/local-dev.json
SCREEN = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("CONSOLE_SCREENSHOTS")
FLAGSHIP = "first-positive-mention-sample"
BRAND = "5550024"  # an X account only these tests deliver to
POLL_MS = 30_000  # the review page polls every 10 s; a busy machine is slow, not wrong

REVIEW_RULE = {
    "id": "console-e2e-review",
    "name": "Manual-review sample for the console tests' brand account",
    "priority": 1,
    "stop_after": True,
    "triggers": {"kinds": ["mention"], "platforms": ["x"], "brand_accounts": [BRAND]},
    "conditions": {"field": "sentiment.label", "equals": "positive"},
    "actions": [
        {
            "offer_sample": {
                "product": "Console blend",
                "product_cost": 4.0,
                "review": "manual",
                "message": "Hi {author_handle}: {claim_link}",
            }
        }
    ],
}


def password(email: str) -> str:
    """The dev user's password from the e2e stack's configuration (tests/e2e/stack/local-e2e.json,
    ``console_users.users``: the users the local stack creates in its pool at start)."""
    config = json.loads((ROOT / "tests/e2e/stack/local-e2e.json").read_text())
    users = (config.get(USERS_KEY) or {}).get("users") or []
    found = next((u.get("password") for u in users if isinstance(u, dict) and u.get("email") == email), None)
    if not isinstance(found, str) or not found:
        pytest.fail(f"no password for {email} under {USERS_KEY}.users in tests/e2e/stack/local-e2e.json")
    return found


@pytest.fixture(scope="session", autouse=True)
def dev_users() -> None:
    """Fail (before the stack starts) when the dev users are not configured."""
    password(EDITOR)
    password(VIEWER)


def id_token(stack: RunningStack, email: str) -> str:
    """Sign in the way the page does: POST /console/sign-in."""
    body = json.dumps({"email": email, "password": password(email)}).encode()
    request = urllib.request.Request(
        f"{stack.base_url}/console/sign-in", data=body, headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["id_token"])


def api(stack: RunningStack, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    request = urllib.request.Request(f"{stack.base_url}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def context(playwright: Any) -> Iterator[Any]:  # noqa: F811 (the fixture imported above)
    made = browser(playwright, viewport=SCREEN, accept_downloads=True)
    yield made
    close(made)


def sign_in(stack: RunningStack, context: Any, email: str, route: str = "#/review") -> Any:
    secret = password(email)
    page = context.new_page()
    answer = page.goto(f"{stack.base_url}/console{route}")
    assert answer.status == 200
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(secret)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Pages").wait_for()
    return page


def shoot(page: Any, name: str, full_page: bool = True) -> None:
    """The page as docs/console.md shows it; a modal dialog in the window only (a full-page
    shot leaves the dialog's backdrop short of the page's foot)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        if full_page:  # from the top: the status line sticks to the window's top where it scrolled to
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SHOTS) / f"console-{name}.png"), full_page=full_page)


@pytest.fixture(scope="module")
def review_rule(goodword_stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A manual-review rule for the tests' own brand account: each mention waits for a person."""
    path = tmp_path_factory.mktemp("console-rules") / "console-e2e-review.yaml"
    path.write_text(yaml.safe_dump(REVIEW_RULE))
    pushed = goodword(goodword_stack, "rules", "push", str(path))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    return str(REVIEW_RULE["id"])


def waiting_offer(stack: RunningStack, words: str) -> str:
    """A new fan mentions the tests' brand account; the offer waits for review. Its text (one
    of its own: a reused stack keeps earlier runs' offers waiting)."""
    author = f"e2e-console-{secrets.token_hex(5)}"
    text = f"@shop I love your coffee, wonderful and amazing, best beans ever, thank you! {words} {author[-4:]}"
    deliver(stack, str(9400000000000000000 + secrets.randbelow(10**17)), author, text, brand=BRAND)
    stack.wait_idle()
    return text


def test_an_editor_approves_an_offer_and_sees_it_sent(goodword_stack: RunningStack, context: Any, review_rule: str) -> None:
    text = waiting_offer(goodword_stack, "approve me")
    page = sign_in(goodword_stack, context, EDITOR)
    item = page.locator("article.item", has_text=text)
    item.wait_for(timeout=POLL_MS)
    assert "Who:" in item.inner_text() and "What the judge thought" in item.inner_text()
    assert item.get_by_label("Message to", exact=False).input_value().startswith("Hi ")
    shoot(page, "review")
    offer_id = item.get_attribute("data-id")
    item.get_by_role("button", name="Approve", exact=True).click()
    page.locator("#status", has_text="Approved").wait_for()
    assert page.locator("article.item", has_text=text).count() == 0
    goodword_stack.wait_idle()
    sent = page.locator(f"#recent tr[data-id='{offer_id}'] td.state")
    sent.filter(has_text="sent (dry run)").wait_for(timeout=POLL_MS)  # the list follows by itself


def test_an_invalid_field_is_said_beside_it(goodword_stack: RunningStack, context: Any) -> None:
    page = sign_in(goodword_stack, context, EDITOR, f"#/rules/{FLAGSHIP}")
    cap = page.get_by_label("Daily cap")
    cap.wait_for()
    shoot(page, "rule")
    cap.fill("0")
    field = page.locator(".field[data-path='limits.per_day']")
    error = field.locator(".error")
    error.wait_for()
    assert error.inner_text().strip()
    assert cap.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in (cap.get_attribute("aria-describedby") or "")
    assert page.get_by_role("button", name="Review and save…").is_disabled()
    page.get_by_role("button", name="YAML", exact=True).click()
    assert "limits.per_day" in page.locator("ul.problems").first.inner_text()
    page.get_by_role("button", name="Form", exact=True).click()
    cap.fill("25")
    error.wait_for(state="hidden")
    review = page.get_by_label("Review", exact=True)  # one of the three values, not free text
    assert review.evaluate("e => [...e.options].map(o => o.value)") == ["by_band", "manual", "automatic"]
    review.select_option("manual")
    page.get_by_role("button", name="Review and save…").click()  # the diff comes before any save
    diff = page.locator("#rule-panel pre.diff")
    diff.wait_for()
    assert "+  per_day: 25" in diff.inner_text()
    assert re.search(r"^\+ +review: manual$", diff.inner_text(), re.MULTILINE), diff.inner_text()
    shoot(page, "diff")
    page.get_by_role("button", name="Keep editing").click()  # nothing saved: the flagship stays as it is


def test_the_backtest_shows_what_the_command_prints(goodword_stack: RunningStack, context: Any) -> None:
    page = sign_in(goodword_stack, context, EDITOR, f"#/rules/{FLAGSHIP}")
    printed = goodword_json(goodword_stack, "rules", "backtest", FLAGSHIP, "--since", "7d")
    (expected,) = [r for r in printed["rules"] if r["rule_id"] == FLAGSHIP]
    page.get_by_role("button", name="What would this have done last week?").click()
    shown = page.locator(".backtest")
    shown.wait_for()
    shoot(page, "backtest")

    def number(key: str) -> str:
        return str(shown.locator(f"[data-key={key}] dd").inner_text())

    assert number("events_considered") == str(expected["events_considered"])
    assert number("matched") == str(expected["matched"])
    assert number("offers") == str(expected["offers"])
    assert number("estimated_cost") == f"{expected['estimated_cost']:.2f}"
    stopped = [shown.locator(".stopped li").nth(i).inner_text() for i in range(shown.locator(".stopped li").count())]
    assert stopped == [f"{reason}: {n}" for reason, n in expected["stopped_by"].items()]


def test_a_rule_is_rolled_back(goodword_stack: RunningStack, context: Any, tmp_path: Path) -> None:
    triggers = {"kinds": ["mention"], "platforms": ["x"], "brand_accounts": ["5550025"]}  # nobody delivers there
    rule = {**REVIEW_RULE, "id": "console-e2e-rollback", "name": "First wording", "enabled": False, "triggers": triggers}
    path = tmp_path / "console-e2e-rollback.yaml"
    for name in ("First wording", "Second wording"):
        path.write_text(yaml.safe_dump({**rule, "name": name}))
        assert goodword(goodword_stack, "rules", "push", str(path)).returncode == 0
    history = goodword_json(goodword_stack, "rules", "history", "console-e2e-rollback")["versions"]
    first = min(v["version"] for v in history)
    latest = max(v["version"] for v in history)
    page = sign_in(goodword_stack, context, EDITOR, "#/rules/console-e2e-rollback")
    page.get_by_role("button", name=f"Roll back to version {first}", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name=f"Roll back to version {first}", exact=True).click()
    page.locator("#status", has_text=f"version {latest + 1}").wait_for()
    assert page.get_by_label("Name", exact=True).input_value() == "First wording"
    shoot(page, "history")
    after = goodword_json(goodword_stack, "rules", "history", "console-e2e-rollback")["versions"]
    newest = max(after, key=lambda v: v["version"])
    assert (newest["version"], newest["definition"]["name"]) == (latest + 1, "First wording")


def test_a_viewer_sees_no_approve_button_and_the_api_refuses(
    goodword_stack: RunningStack, context: Any, review_rule: str
) -> None:
    text = waiting_offer(goodword_stack, "viewer looks")
    page = sign_in(goodword_stack, context, VIEWER)
    item = page.locator("article.item", has_text=text)
    item.wait_for(timeout=POLL_MS)
    assert "viewer" in page.locator("#who").inner_text()
    assert page.get_by_role("button", name="Approve").count() == 0
    assert page.get_by_role("button", name="Reject").count() == 0
    offer_id = item.get_attribute("data-id")
    token = id_token(goodword_stack, VIEWER)
    assert api(goodword_stack, token, "GET", "/api/me")[1]["can_edit"] is False
    status, answer = api(goodword_stack, token, "POST", f"/api/review/{offer_id}/approve", {"message": None})
    assert status == 403, answer
    page.reload()
    page.locator("article.item", has_text=text).wait_for()  # still waiting: the refusal changed nothing


def held_claim(stack: RunningStack, context: Any) -> tuple[str, list[str]]:
    """Two new fans claim their gifts on the claim page with the same email and address: the
    second is held as a repeat claimer. Its id, and what the fan typed (never to be shown)."""
    door = secrets.randbelow(10_000)
    fan = {
        "Full name": "Cleo Console",
        "Email": f"cleo.console{door}@example.org",
        "Address": f"{door} Console Close",
        "Town or city": "Claimston",
        "Postcode / ZIP": "CL1 4IM",
    }
    ids = []
    for handle in ("cleo_first", "cleo_again"):
        link, offer = offer_link(stack, handle)
        page = context.new_page()
        page.goto(link)
        for label, value in fan.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_label("Country").select_option("GB")
        page.get_by_label("I agree").check()
        send(page)
        page.close()
        ids.append(str(offer["id"]["S"]))
    stack.wait_idle()
    return ids[1], list(fan.values())


def test_the_claims_page_shows_a_held_claim_and_nothing_personal(goodword_stack: RunningStack, context: Any) -> None:
    held, personal = held_claim(goodword_stack, context)
    page = sign_in(goodword_stack, context, EDITOR, "#/claims")
    assert page.get_by_label("Show").input_value() == "held"  # held claims first
    item = page.locator(f"article.item[data-id='{held}']")
    item.wait_for(timeout=POLL_MS)
    assert "@cleo_again" in item.inner_text() and "repeat claimer" in item.inner_text()
    assert item.get_by_role("button", name="Refuse").is_visible()
    text = page.inner_text("main")
    assert not [p for p in personal if p in text], "no claimant's name, email or address on the claims page"
    assert "goodword claims show" in text
    shoot(page, "claims")
    item.get_by_role("button", name="Refuse").click()
    dialog = page.get_by_role("dialog")
    assert held[:8] in dialog.inner_text()  # the confirmation names the claim
    dialog.get_by_role("button", name="Refuse the claim").click()
    page.locator("#status", has_text=f"Claim {held[:8]} is now refused").wait_for()
    refused = goodword_json(goodword_stack, "claims", "list", "--state", "refused")["claims"]
    assert {c["id"]: c.get("refused_by") for c in refused}[held] == f"console:{EDITOR}"

    viewer = sign_in(goodword_stack, context, VIEWER, "#/claims/all")
    viewer.locator(f"article.item[data-id='{held}']").wait_for(timeout=POLL_MS)
    assert viewer.get_by_role("button", name="Refuse").count() == 0
    assert viewer.get_by_role("button", name="Mark fulfilled").count() == 0


# what each page shows once its data is in (a screenshot before that shows "Loading…")
READY = {
    "review": "#recent table",
    "rules": "table.rules",
    "rule": ".field[data-path='limits.per_day']",
    "people": "form[role=search]",
    "claims": "#claims-count:not(:empty)",
    "results": "#report dl.totals",
    "settings": "main textarea",
}

PAGES = {
    "review": "#/review",
    "rules": "#/rules",
    "rule": f"#/rules/{FLAGSHIP}",
    "people": "#/people",
    "claims": "#/claims",
    "results": "#/results",
    "settings": "#/settings",
}


def test_erasing_a_person_names_what_goes_and_needs_their_handle(
    goodword_stack: RunningStack, context: Any, review_rule: str
) -> None:
    text = waiting_offer(goodword_stack, "erase me")
    page = sign_in(goodword_stack, context, EDITOR)
    item = page.locator("article.item", has_text=text)
    handle = item.locator(".person h3 a").inner_text().lstrip("@")
    offer_id = item.get_attribute("data-id")
    page.get_by_role("link", name="People").click()
    page.get_by_label("Find a person").fill(handle)
    page.get_by_role("button", name="Search").click()
    page.locator("ul.people a", has_text=handle).first.click()
    page.get_by_role("heading", name=f"@{handle}", exact=True).wait_for()  # the handle they go by, not their key
    person = urllib.parse.unquote(page.url.split("#/people/")[1])
    page.get_by_role("button", name="Erase this person…").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.locator("li").count() >= 1, "the dialog names what will be removed"
    erase = dialog.get_by_role("button", name="Erase for good")
    assert erase.is_disabled()
    dialog.get_by_label(f"Type {handle} to confirm").fill("someone else")
    assert erase.is_disabled()
    dialog.get_by_label(f"Type {handle} to confirm").fill(handle)
    shoot(page, "erase", full_page=False)
    erase.click()
    page.locator("#status", has_text="Erased").wait_for()
    token = id_token(goodword_stack, EDITOR)
    status, _ = api(goodword_stack, token, "GET", f"/api/person?id={urllib.parse.quote(person)}")
    assert status == 404, "the person is gone"
    status, found = api(goodword_stack, token, "GET", f"/api/people?q={urllib.parse.quote(handle)}")
    assert status == 200 and found["people"] == [], "nobody is found by their handle any more"
    status, queue = api(goodword_stack, token, "GET", "/api/review")
    assert offer_id not in {o["id"] for o in queue["offers"]}, "their offer no longer waits: nobody to send it to"


def test_no_serious_accessibility_violation_on_any_page(goodword_stack: RunningStack, context: Any) -> None:
    first = context.new_page()
    first.goto(f"{goodword_stack.base_url}/console")
    first.get_by_label("Password").wait_for()
    assert serious_violations(first) == [], "sign in"
    shoot(first, "sign-in")
    page = sign_in(goodword_stack, context, EDITOR)
    for name, route in PAGES.items():
        page.goto(f"{goodword_stack.base_url}/console{route}")
        page.locator("main h1").first.wait_for()
        page.locator(READY[name]).first.wait_for(timeout=POLL_MS)
        page.wait_for_load_state("networkidle")
        assert serious_violations(page) == [], name
        if name not in ("review", "rule", "people", "claims"):  # taken with their content elsewhere
            shoot(page, name)
    page.get_by_role("link", name="People").click()
    page.get_by_label("Find a person").fill("e2e")
    page.get_by_role("button", name="Search").click()
    page.locator("#people-results p", has_text="found").wait_for()  # "3 people found." or "Nobody found."
    shoot(page, "people")
    found = page.locator("ul.people a")
    if found.count():
        found.first.click()
        page.get_by_role("heading", name="Timeline").wait_for()
        assert serious_violations(page) == [], "a person"
        shoot(page, "person")


def test_the_pages_work_at_phone_width(goodword_stack: RunningStack, playwright: Any) -> None:  # noqa: F811
    phone = browser(playwright, viewport=PHONE, is_mobile=True)
    try:
        page = sign_in(goodword_stack, phone, EDITOR)
        for name, route in PAGES.items():
            page.goto(f"{goodword_stack.base_url}/console{route}")
            page.locator(READY[name]).first.wait_for(timeout=POLL_MS)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{route} scrolls sideways at 390 px ({width} px)"
        page.goto(f"{goodword_stack.base_url}/console#/review")
        page.locator(READY["review"]).wait_for(timeout=POLL_MS)
        shoot(page, "phone")
    finally:
        close(phone)
