"""HTML for the claim page: Jinja2 templates (autoescape on, so a post's or a fan's text is
always inert), the brand's look, and the security headers every answer carries.

The stylesheet is inline and allowed by its hash in the Content-Security-Policy (no
``unsafe-inline``, no style attributes); the page loads nothing from anywhere but the brand's
logo host, and needs no JavaScript."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from goodword.claims.page.http import PageResponse
from goodword.rules.model import Settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
_COLOUR = re.compile(r"#[0-9a-f]{6}")
DEFAULT_COLOUR = "#1f4e79"
TEXT = "#1a1a1a"
WHITE = "#ffffff"
BLACK = "#000000"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_STYLE = Template((TEMPLATES / "style.css").read_text(encoding="utf-8"))


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(background: str) -> str:
    """Black or white, whichever reads better on the colour (one of them always passes WCAG
    AA's 4.5:1: the worst case, a mid grey, still gets 4.6:1 from black)."""
    return BLACK if contrast(background, BLACK) >= contrast(background, WHITE) else WHITE


@dataclass(frozen=True)
class Brand:
    name: str
    colour: str  # the accent: the top bar and the button
    logo_url: str | None
    privacy_notice_url: str | None
    disclosure: str

    @classmethod
    def of(cls, settings: Settings) -> Brand:
        colour = settings.brand_colour.lower()
        return cls(
            name=settings.brand_display_name or (settings.brand_names[0] if settings.brand_names else "Our brand"),
            colour=colour if _COLOUR.fullmatch(colour) else DEFAULT_COLOUR,
            logo_url=str(settings.brand_logo_url) if settings.brand_logo_url else None,
            privacy_notice_url=str(settings.privacy_notice_url) if settings.privacy_notice_url else None,
            disclosure=settings.disclosure_wording,
        )

    @property
    def on_colour(self) -> str:
        return text_on(self.colour)

    @property
    def ink(self) -> str:
        """The accent as a text colour (links) when it reads on white, else near-black."""
        return self.colour if contrast(self.colour, WHITE) >= 4.5 else TEXT

    @property
    def logo_origin(self) -> str | None:
        if not self.logo_url:
            return None
        parts = urlsplit(self.logo_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme == "https" and parts.netloc else None


def stylesheet(brand: Brand) -> str:
    return _STYLE.substitute(accent=brand.colour, on_accent=brand.on_colour, ink=brand.ink, text=TEXT)


def content_security_policy(style: str, brand: Brand) -> str:
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    parts = [
        "default-src 'none'",
        f"style-src 'sha256-{digest}'",
        *([f"img-src {brand.logo_origin}"] if brand.logo_origin else []),
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
    return "; ".join(parts)


def security_headers(csp: str) -> dict[str, str]:
    """On every answer of the claim page, whatever its status."""
    return {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "no-store",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }


def page(
    template: str,
    status: int,
    brand: Brand,
    *,
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    **context: Any,
) -> PageResponse:
    style = stylesheet(brand)
    values = {"refresh_seconds": None, **context, "brand": brand, "style": Markup(style)}  # noqa: S704 (our own stylesheet)
    html = _ENV.get_template(template).render(values)
    return PageResponse(
        status, {**security_headers(content_security_policy(style, brand)), **(headers or {})}, html, list(cookies or [])
    )
