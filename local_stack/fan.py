"""A fan claiming a gift over HTTP, as a browser does without JavaScript: open the offer's
link (the form, with its signed token), take the time a person takes to fill it in, send it,
follow the 303 with the receipt cookie the answer set, and read the confirmation. Used by
`make demo` and the end-to-end tests."""

from __future__ import annotations

import html
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

# A fan the demo makes up (a public figure's old address would be no better).
DEMO_FAN = {
    "name": "Ada Example",
    "email": "ada@example.org",
    "address_line1": "1 Example Street",
    "address_line2": "",
    "city": "Exampleton",
    "postal_code": "EX1 2AB",
    "region": "",
    "country": "GB",
    "consent": "yes",
}
FILL_SECONDS = 3.5  # the page treats a form sent faster than a person types as a bot's


@dataclass
class Visit:
    steps: list[tuple[str, int]] = field(default_factory=list)  # ("GET <path>", status), in order
    confirmation: str = ""  # the last page's heading

    @property
    def claimed(self) -> bool:
        return [status for _, status in self.steps] == [200, 303, 200] and "Thank you" in self.confirmation


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 303 is followed by hand, to show it


def _open(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> tuple[int, str, str]:
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers.get("location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("location", "")


def heading(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split()) if found else ""


def claim(link: str, fields: dict[str, str] | None = None, fill_seconds: float = FILL_SECONDS) -> Visit:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirects())
    path = urllib.parse.urlsplit(link).path
    visit = Visit()
    status, page, _ = _open(opener, urllib.request.Request(link))
    visit.steps.append((f"GET {path}", status))
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    if status != 200 or token is None:
        visit.confirmation = heading(page)
        return visit
    time.sleep(fill_seconds)
    body = urllib.parse.urlencode({"csrf": html.unescape(token.group(1)), "website": "", **(fields or DEMO_FAN)}).encode()
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "origin": f"{urllib.parse.urlsplit(link).scheme}://{urllib.parse.urlsplit(link).netloc}",
    }
    status, page, location = _open(opener, urllib.request.Request(link, data=body, headers=headers, method="POST"))
    visit.steps.append((f"POST {path}", status))
    if status != 303:
        visit.confirmation = heading(page)
        return visit
    target = urllib.parse.urljoin(link, location)
    status, page, _ = _open(opener, urllib.request.Request(target))
    visit.steps.append((f"GET {urllib.parse.urlsplit(target).path}", status))
    visit.confirmation = heading(page)
    return visit


def demo_claim(base_url: str, offers: list[dict[str, Any]]) -> tuple[list[str], str | None]:
    """`make demo`'s claim: an offer sent with a link to this stack's claim page in its
    message (what the fan saw), claimed as a fan's browser would. The lines to print, and the
    offer's id once claimed (None: not claimed)."""
    sent = sorted(
        (
            o
            for o in offers
            if o.get("state") == "sent"
            and str(o.get("claim_link", "")).startswith(f"{base_url}/claim/")
            and str(o["claim_link"]) in str(o.get("message", ""))
        ),
        # the same offer on every run, whichever was written first: one whose fan has a handle
        key=lambda o: (not o.get("author_handle"), str(o.get("platform", "")), str(o["created_at"])),
    )
    if not sent:
        return ["  no offer was sent with a link to this stack's claim page"], None
    offer = sent[0]
    visit = claim(str(offer["claim_link"]))
    lines = [
        f"  @{offer.get('author_handle') or offer.get('author_id')}, offered {offer.get('product')}, opens the link of the offer:"
    ]
    what = {"GET": "the form, with its signed token", "POST": "the form sent; 303 back to the link, with a receipt cookie"}
    for number, (step, status) in enumerate(visit.steps):
        method, path = step.split(" ", 1)
        shown = f"{path[: len('/claim/') + 6]}…"
        note = what[method] if number < 2 else f'"{visit.confirmation}"'
        lines.append(f"    {method:4} {shown:16} {status}  {note}")
    return lines, str(offer["id"]) if visit.claimed else None
