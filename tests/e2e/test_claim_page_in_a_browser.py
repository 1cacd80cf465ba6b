"""The claim page in a real browser: Debian's chromium, headless, driven by Playwright's
Python API, against the local stack. A fan opens the link of an offer the pipeline made,
fills the form, sends it and sees the confirmation; a used, an expired and an unknown code;
a missing field said beside it; the page with JavaScript off; axe-core finds no serious
accessibility violation. Set CLAIM_SCREENSHOTS=docs to write the README's screenshots."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dev_support.platforms import signed_headers
from tests.e2e.conftest import RunningStack
from tests.e2e.test_pipeline_over_http import mention, work_for
from tests.e2e.test_receiver_over_http import post

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PRAISE = "@XDevelopers I love your cold brew, wonderful and amazing, best ever, thank you!"
PAGE = {"width": 720, "height": 560}
FAN = {
    "Full name": "Ada Browser",
    "Email": "ada.browser@example.org",
    "Address": "Chromium Close",  # each fill puts a new house number in front: one fan per test, no repeat claimer
    "Town or city": "Headlesston",
    "Postcode / ZIP": "HL1 2PW",
}
PERSONAL = ["Ada Browser", "ada.browser", "Chromium Close", "Headlesston", "HL1 2PW"]
FILL_MS = 3300  # the page shows the form again for one sent faster than a person types (3 s)
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("CLAIM_SCREENSHOTS")


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM}: install Debian's (apt-get install -y chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


def browser(playwright: Any, **options: Any) -> Any:
    """A fresh chromium with an empty profile of its own (no cookie from another test)."""
    profile = tempfile.mkdtemp(prefix="goodword-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=ARGS, **options
    )
    context.set_default_timeout(30_000)
    _PROFILES[id(context)] = profile
    return context


_PROFILES: dict[int, str] = {}


def close(context: Any) -> None:
    context.close()
    shutil.rmtree(_PROFILES.pop(id(context)), ignore_errors=True)


@pytest.fixture
def context(playwright: Any) -> Iterator[Any]:
    made = browser(playwright, viewport=PAGE)
    yield made
    close(made)


def offer_link(stack: RunningStack, handle: str) -> tuple[str, dict[str, Any]]:
    """A new fan (``@handle``) praises the brand on X; the flagship rule offers a sample (sent
    in dry run): its claim link, which points at the stack's own claim page, and the offer."""
    author = f"e2e-claim-{secrets.token_hex(6)}"  # a new person every time, whatever the handle
    body = json.loads(mention(str(9200000000000000000 + secrets.randbelow(10**17)), author, PRAISE))
    body["tweet_create_events"][0]["user"]["screen_name"] = handle
    raw = json.dumps(body).encode()
    status, answer = post(stack, "x", raw, {"content-type": "application/json", **signed_headers("x", raw)})
    assert (status, answer["stored"]) == (200, 1)
    stack.wait_idle()
    (offer,) = [w for w in work_for(stack, author) if w["kind"]["S"] == "offer_sample"]
    assert offer["state"]["S"] == "sent"
    link = offer["claim_link"]["S"]
    assert link.startswith(f"{stack.base_url}/claim/"), "offers link to the stack's own claim page by default"
    return link, offer


def shoot(page: Any, name: str, full_page: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"claim-{name}.png"), full_page=full_page)


def fill(page: Any, leave_out: str = "") -> None:
    door = secrets.randbelow(10_000)
    fan = {**FAN, "Address": f"{door} {FAN['Address']}", "Email": f"ada.browser{door}@example.org"}
    for label, value in fan.items():
        if label != leave_out:
            page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("I agree").check()


def send(page: Any) -> Any:
    page.wait_for_timeout(FILL_MS)
    with page.expect_navigation():
        page.get_by_role("button", name="Send me my gift").click()
    return page


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_a_fan_claims_a_gift_in_the_browser(goodword_stack: RunningStack, playwright: Any, context: Any) -> None:
    link, _ = offer_link(goodword_stack, "maya_brews")
    page = context.new_page()
    answer = page.goto(link)
    assert answer.status == 200
    headers = answer.headers
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert (headers["x-content-type-options"], headers["referrer-policy"]) == ("nosniff", "no-referrer")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you, @maya_brews!")
    assert "Ethiopia Guji, 250 g" in page.inner_text("main")
    assert "I love your cold brew" in page.inner_text("blockquote")
    shoot(page, "form")
    fill(page)
    send(page)
    assert page.url == link  # the 303 brought it back to the link
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you! Your gift is on its way"
    shoot(page, "confirmation")
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you! Your gift is on its way"

    logs = "".join(p.read_text() for p in Path(goodword_stack.status["logs"]).glob("*.log"))
    assert "claim page answered" in logs
    assert not [p for p in PERSONAL if p in logs], "no claimant's name, email or address in any log of the stack"


def test_a_used_code_says_so_to_anyone_else(goodword_stack: RunningStack, playwright: Any, context: Any) -> None:
    link, _ = offer_link(goodword_stack, "sam_sips")
    page = context.new_page()
    page.goto(link)
    fill(page)
    send(page)
    stranger = browser(playwright, viewport=PAGE)  # another person, another browser
    try:
        used = stranger.new_page()
        assert used.goto(link).status == 200
        assert used.get_by_role("heading", level=1).inner_text() == "Already claimed"
        assert "Ada" not in used.content()
        assert used.locator("form").count() == 0
        shoot(used, "used")
    finally:
        close(stranger)


def test_an_expired_code_says_so(goodword_stack: RunningStack, context: Any) -> None:
    link, offer = offer_link(goodword_stack, "late_latte")
    sent_long_ago = (datetime.now(UTC) - timedelta(days=15)).isoformat()  # the rule's window: 14 days
    goodword_stack.client("dynamodb").update_item(
        TableName=goodword_stack.physical("StateTable"),
        Key={"pk": offer["pk"], "sk": offer["sk"]},
        UpdateExpression="SET finished_at = :t, created_at = :t",
        ExpressionAttributeValues={":t": {"S": sent_long_ago}},
    )
    page = context.new_page()
    assert page.goto(link).status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "This gift has expired"
    assert page.locator("form").count() == 0
    shoot(page, "expired")


def test_an_unknown_code_gets_the_one_404(goodword_stack: RunningStack, context: Any) -> None:
    page = context.new_page()
    unknown = page.goto(f"{goodword_stack.base_url}/claim/{secrets.token_urlsafe(16)}")
    assert unknown.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We could not find this gift"
    shoot(page, "unknown")
    first = page.content()
    malformed = page.goto(f"{goodword_stack.base_url}/claim/..%2F..%2Fetc%2Fpasswd")
    assert malformed.status == 404
    assert page.content() == first  # nothing tells a malformed code from an unknown one


def test_a_missing_field_is_said_beside_it(goodword_stack: RunningStack, context: Any) -> None:
    link, _ = offer_link(goodword_stack, "jo_espresso")
    page = context.new_page()
    page.goto(link)
    fill(page, leave_out="Town or city")
    send(page)
    city = page.get_by_label("Town or city", exact=True)
    assert city.get_attribute("aria-invalid") == "true"
    error = page.locator("#city-error")
    assert error.inner_text() == "Please fill this in."
    assert "city-error" in (city.get_attribute("aria-describedby") or "")
    field = page.locator(".field", has=page.locator("#city"))
    assert field.locator("#city-error").count() == 1  # in the field's own box, not only in a list at the top
    error_box, input_box = error.bounding_box(), city.bounding_box()
    assert 0 <= input_box["y"] - (error_box["y"] + error_box["height"]) < 16, "the error sits right above its input"
    assert page.get_by_label("Full name", exact=True).input_value() == FAN["Full name"]  # what was typed stays
    assert page.get_by_label("Country").input_value() == "GB"
    assert page.get_by_label("I agree").is_checked()
    assert serious_violations(page) == []
    shoot(page, "errors")


def test_the_page_needs_no_javascript(goodword_stack: RunningStack, playwright: Any) -> None:
    link, _ = offer_link(goodword_stack, "kai_on_the_go")
    plain = browser(playwright, java_script_enabled=False, viewport=PHONE, is_mobile=True)
    try:
        page = plain.new_page()
        page.goto(link)
        assert page.locator("script").count() == 0
        shoot(page, "phone", full_page=False)  # what a phone shows first
        fill(page)
        send(page)
        assert page.get_by_role("heading", level=1).inner_text() == "Thank you! Your gift is on its way"
    finally:
        close(plain)


def test_a_script_typed_in_every_field_stays_text(goodword_stack: RunningStack, context: Any) -> None:
    link, _ = offer_link(goodword_stack, "mallory")
    page = context.new_page()
    dialogs: list[str] = []

    def opened(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", opened)
    page.goto(link)
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for label in FAN:
        page.get_by_label(label, exact=True).fill(attack)
    page.get_by_label("I agree").check()
    send(page)
    assert page.get_by_label("Full name", exact=True).input_value() == attack  # shown back as text
    assert page.locator("main script, main img").count() == 0
    assert dialogs == []


def test_no_serious_accessibility_violation(goodword_stack: RunningStack, context: Any) -> None:
    """axe-core (the engine axe-playwright-python ships) on every kind of page, and the
    keyboard reaching every field in reading order."""
    link, _ = offer_link(goodword_stack, "axel")
    page = context.new_page()
    page.goto(link)
    assert serious_violations(page) == [], "the form"
    order = []
    for _ in range(11):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    fields = ["name", "email", "address_line1", "address_line2", "city", "postal_code", "region", "country", "consent"]
    assert order == [*fields, "A", "BUTTON"]  # the consent's privacy notice link, the button; never the honeypot
    fill(page)
    send(page)
    assert serious_violations(page) == [], "the confirmation"
    page.goto(link)
    assert serious_violations(page) == [], "already claimed"
    page.goto(f"{goodword_stack.base_url}/claim/{secrets.token_urlsafe(16)}")
    assert serious_violations(page) == [], "the 404"
