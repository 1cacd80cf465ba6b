"""The console's static pages: which file a path names, its content type, and the headers every
answer carries. Pure: no AWS, nothing but the files beside this module.

The console is one page (index.html) with hash routes; a path under /console that names no
file and does not look like one (``/console/review``) is that page too, so a bookmark or a
reload works. A path that tries to leave the static folder is refused, whatever it names."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/console"
INDEX = "index.html"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
}
_TEXT = ("text/", "application/json", "application/manifest+json", "image/svg+xml")

# Everything the page loads is its own: scripts and styles from these files (no inline script,
# no third-party origin), its API calls to the same origin; never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)


def security_headers(content_type: str, cache: str = "no-store") -> dict[str, str]:
    """On every answer of the console function (pages, files, sign-in), whatever its status."""
    return {
        "content-type": content_type,
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "cache-control": cache,
    }


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""

    def for_http_api(self) -> dict[str, object]:
        """API Gateway HTTP API (payload 2.0): text as text, anything else base64-encoded."""
        text = self.headers.get("content-type", "").startswith(_TEXT)
        return {
            "statusCode": self.status,
            "headers": self.headers,
            "body": self.body.decode("utf-8") if text else base64.b64encode(self.body).decode("ascii"),
            "isBase64Encoded": not text,
        }


def not_found() -> Answer:
    return Answer(404, security_headers("text/plain; charset=utf-8"), b"Not found\n")


def page(path: str, static: Path = STATIC) -> Answer:
    """The answer to GET ``path`` (a request path under /console)."""
    relative = _relative(path)
    if relative is None:
        return not_found()
    if not relative:
        return _file(static / INDEX, static)
    found = static.joinpath(*relative)
    if found.is_file():
        return _file(found, static)
    if PurePosixPath(relative[-1]).suffix:  # a missing file (app.js): never the page in its place
        return not_found()
    return _file(static / INDEX, static)  # a page of the console (/console/review): the hash routes take over


def _relative(path: str) -> tuple[str, ...] | None:
    """The path under /console as safe parts; None when it is not under /console or tries to
    leave the folder (``..``, a hidden name, a backslash, an encoded slash, a NUL)."""
    if path != PREFIX and not path.startswith(PREFIX + "/"):
        return None
    try:
        decoded = unquote(path[len(PREFIX) :], errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "\x00" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p.startswith(".") for p in parts):  # "..", ".", and hidden files alike
        return None
    return tuple(parts)


def _file(found: Path, static: Path) -> Answer:
    resolved = found.resolve()
    if not resolved.is_relative_to(static.resolve()) or not resolved.is_file():  # a link pointing out, a missing index
        return not_found()
    content_type = CONTENT_TYPES.get(resolved.suffix.lower(), "application/octet-stream")
    # The page itself is always fetched afresh (it names the current files); its files may be cached briefly.
    cache = "no-store" if resolved.suffix.lower() == ".html" else "public, max-age=300"
    return Answer(200, security_headers(content_type, cache), resolved.read_bytes())
