"""The console's static pages: the page for /console and for the console's own paths, each
file with its content type and every answer with the security headers; nothing outside the
static folder is ever served, however the path is written."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from console.pages import CONTENT_SECURITY_POLICY, STATIC, page


@pytest.fixture
def static(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>console</title>")
    (folder / "js" / "app.js").write_text("console.log('hi')")
    (folder / "style.css").write_text("body{}")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01")
    (folder / ".env").write_text("SECRET=1")
    (tmp_path / "handler.py").write_text("SECRET = 'the code beside the pages'")
    (folder / "escape.txt").symlink_to(tmp_path / "handler.py")
    return folder


def test_the_console_is_its_index_page_with_the_security_headers(static: Path) -> None:
    for path in ("/console", "/console/", "/console/index.html"):
        answer = page(path, static)
        assert answer.status == 200, path
        assert answer.body.startswith(b"<!doctype html>")
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.headers["cache-control"] == "no-store"
    headers = page("/console", static).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for source in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert source in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY, "no third party, no inline code"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/console/js/app.js", "text/javascript; charset=utf-8"),
        ("/console/style.css", "text/css; charset=utf-8"),
        ("/console/logo.png", "image/png"),
    ],
)
def test_each_file_comes_with_its_content_type(static: Path, path: str, content_type: str) -> None:
    answer = page(path, static)
    assert (answer.status, answer.headers["content-type"]) == (200, content_type)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_a_binary_file_goes_base64_encoded_and_text_as_text(static: Path) -> None:
    png = page("/console/logo.png", static).for_http_api()
    assert png["isBase64Encoded"] is True
    assert base64.b64decode(str(png["body"])) == (static / "logo.png").read_bytes()
    script = page("/console/js/app.js", static).for_http_api()
    assert (script["isBase64Encoded"], script["body"]) == (False, "console.log('hi')")


def test_a_page_of_the_console_is_the_index_and_a_missing_file_is_not_found(static: Path) -> None:
    index = (static / "index.html").read_bytes()
    assert page("/console/review", static).body == index
    assert page("/console/rules/edit", static).body == index
    missing = page("/console/js/missing.js", static)
    assert missing.status == 404, "a missing script is never answered with the page"
    assert missing.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "path",
    [
        "/console/../handler.py",
        "/console/js/../../handler.py",
        "/console/%2e%2e/handler.py",
        "/console/%2E%2E%2Fhandler.py",
        "/console/..%5Chandler.py",
        "/console/..\\handler.py",
        "/console/.env",
        "/console/escape.txt",  # a link that points outside
        "/console/index.html%00.png",
        "/console/%ff",
        "/consoleX",
        "/handler.py",
    ],
)
def test_nothing_outside_the_static_folder_is_served(static: Path, path: str) -> None:
    answer = page(path, static)
    assert answer.status == 404
    assert b"SECRET" not in answer.body


def test_the_shipped_folder_has_the_index_page() -> None:
    answer = page("/console")
    assert answer.status == 200
    assert (STATIC / "index.html").is_file()
    assert b"<html" in answer.body
