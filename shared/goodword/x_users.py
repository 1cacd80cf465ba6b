"""X's v2 User objects (``user.fields``), as X deliveries and X users lookups (enrichment)
both carry them."""

from __future__ import annotations

from typing import Any

from goodword.platform_json import Json, opt_bool, opt_int, opt_obj, opt_text, opt_time


def user_fields(user: Json) -> Json:
    """User objects come bare or wrapped in {"data": {...}} depending on the event type."""
    inner = user.get("data")
    return inner if isinstance(inner, dict) else user


def v2_user_facts(fields: Json) -> dict[str, Any]:
    """Eligibility facts of a v2 User object (user.fields), where present."""
    metrics = opt_obj(fields, "public_metrics")
    image = opt_text(fields, "profile_image_url", 2048)
    return {
        "created_at": opt_time(fields, "created_at"),
        "following_count": opt_int(metrics, "following_count"),
        "verified": opt_bool(fields, "verified"),
        "is_private": opt_bool(fields, "protected"),
        "accepts_dms": opt_bool(fields, "receives_your_dm"),
        "default_profile": "default_profile_images" in image if image else None,
    }
