"""The command gets every adapter from ``Target`` (goodword_cli/target.py): no other module of
goodword_cli builds one from a table name, a queue URL or a secret id."""

from __future__ import annotations

import ast
from pathlib import Path

from dev_support.paths import ROOT


def _adapter_classes() -> set[str]:
    """Every class the data layer defines that is built from a resource name."""
    names = set()
    for path in (ROOT / "shared/goodword/aws").glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body
            ):
                names.add(node.name)
    return names


def _called(path: Path) -> set[str]:
    calls = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            calls.add(func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else "")
    return calls


def test_only_target_builds_the_adapters() -> None:
    adapters = _adapter_classes()
    assert {"EventsTable", "StateTable", "RulesStore", "SettingsStore", "RulesLoader", "ActionsQueue", "SecretLoader"} <= adapters
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(_called(path) & adapters)
        for path in sorted((ROOT / "goodword_cli").rglob("*.py"))
        if path.name != "target.py"
    }
    assert {path: built for path, built in offenders.items() if built} == {}
    assert adapters & _called(ROOT / "goodword_cli/target.py")  # and Target does
