"""Regenerate events/http-api/*.json: API Gateway HTTP API events for `sam local invoke`
and the tests, signed with the development secrets in local_stack/local-dev.json.

Only timestamp-free schemes are pre-signed (X, Meta, LinkedIn, and the GET handshakes);
Twitch and Standard Webhooks signatures expire after minutes, so those deliveries are
signed when they are sent (tests, demo).

    .venv/bin/python -m scripts.sample_events
"""

from __future__ import annotations

import json
from pathlib import Path

from dev_support.platforms import META_VERIFY_TOKEN, http_api_event, signed_headers

ROOT = Path(__file__).resolve().parents[1]
DELIVERIES = ROOT / "events" / "deliveries"
OUT = ROOT / "events" / "http-api"
PRESIGNED = {"x", "meta", "linkedin"}
HANDSHAKES = {
    "x-crc.json": ("x", "crc_token=challenge_string"),
    "meta-verify.json": ("meta", f"hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={META_VERIFY_TOKEN}"),
    "linkedin-challenge.json": ("linkedin", "challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0"),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(DELIVERIES.glob("*.json")):
        platform = path.name.split("-")[0]
        if platform not in PRESIGNED:
            continue
        body = json.dumps(json.loads(path.read_text()), separators=(",", ":")).encode()
        event = http_api_event(
            platform,
            body,
            headers={"content-type": "application/json", **signed_headers(platform, body)},
            request_id=f"sample-{path.stem}",
        )
        (OUT / path.name).write_text(json.dumps(event, indent=2) + "\n")
    for name, (platform, query) in HANDSHAKES.items():
        event = http_api_event(platform, method="GET", query=query, request_id=f"sample-{Path(name).stem}")
        (OUT / name).write_text(json.dumps(event, indent=2) + "\n")


if __name__ == "__main__":
    main()
