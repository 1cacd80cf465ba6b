"""The committed sample events are accepted by the receiver as they are."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dev_support.paths import ROOT
from tests.conftest import Aws

SAMPLES = sorted((ROOT / "events" / "http-api").glob("*.json"))


def test_every_presigned_delivery_has_a_sample() -> None:
    deliveries = {
        p.name for p in (ROOT / "events" / "deliveries").glob("*.json") if p.name.split("-")[0] in ("x", "meta", "linkedin")
    }
    assert deliveries <= {p.name for p in SAMPLES}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_event_is_accepted(receiver: Any, lambda_context: Any, aws: Aws, path: Any) -> None:
    response = receiver.lambda_handler(json.loads(path.read_text()), lambda_context)
    assert response["statusCode"] == 200, response["body"]
    if (
        path.name.startswith(("x-", "meta-", "linkedin-"))
        and json.loads(path.read_text())["requestContext"]["http"]["method"] == "POST"
    ):
        assert json.loads(response["body"])["stored"] >= 1
