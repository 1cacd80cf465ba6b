"""Tooling depends downward: dev_support (under the tests, the benches and the local stack)
imports nothing of the local stack; the benches reset a handler through its public ``reset``,
never by clearing a handler's private caches; enrichment reads platform answers without
importing the receivers."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from dev_support.paths import ROOT


def _trees(folder: str) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_dev_support_does_not_import_the_local_stack() -> None:
    offenders = [
        f"{path} imports {name}"
        for path, tree in _trees("dev_support")
        for name in _imports(tree)
        if name == "local_stack" or name.startswith("local_stack.")
    ]
    assert offenders == []


def test_enrichment_does_not_import_the_receivers() -> None:
    offenders = [
        f"{path} imports {name}"
        for path, tree in _trees("shared/goodword/enrichment")
        for name in _imports(tree)
        if name.startswith("goodword.webhooks")
    ]
    assert offenders == []


def test_benches_do_not_clear_private_caches() -> None:
    offenders = [
        f"{path}:{node.lineno} clears {node.func.value.attr}"
        for path, tree in _trees("bench")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "cache_clear"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr.startswith("_")
    ]
    assert offenders == []


def test_the_local_development_configuration_lives_with_the_local_stack() -> None:
    assert (ROOT / "local_stack" / "local-dev.json").is_file()
    assert not (ROOT / "config").exists()
