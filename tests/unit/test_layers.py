"""The layers hold: only the data layer (goodword.aws), the command's --stack lookup and the
local stack (which plays AWS) talk to AWS; the data layer imports records and ports, never
the logic above it; the runtime never imports the team's reference material or the tests."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev_support.paths import ROOT

AWS_SDK = ("boto3", "botocore")
# The local stack, the dev support and the benchmarks play AWS: they create and read moto resources.
MAY_USE_THE_SDK = ("shared/goodword/aws/", "goodword_cli/target.py", "local_stack/", "dev_support/", "bench/")
LOGIC = ("goodword.pipeline", "goodword.webhooks", "goodword.actions", "goodword.outbound", "goodword_cli")


def _modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_only_the_data_layer_the_stack_lookup_and_the_local_stack_use_the_aws_sdk() -> None:
    offenders = [
        f"{_relative(path)} imports {name}"
        for path in _modules("shared", "functions", "goodword_cli", "local_stack", "bench", "scripts", "dev_support")
        if not _relative(path).startswith(MAY_USE_THE_SDK)
        for name in _imports(path)
        if name.split(".")[0] in AWS_SDK
    ]
    assert offenders == []


def test_the_data_layer_imports_no_logic() -> None:
    offenders = [
        f"{_relative(path)} imports {name}"
        for path in _modules("shared/goodword/aws")
        for name in _imports(path)
        if name.startswith(LOGIC)
    ]
    assert offenders == []


@pytest.mark.parametrize("folder", ["shared", "functions", "goodword_cli", "local_stack", "bench"])
def test_runtime_and_tools_do_not_import_the_tests(folder: str) -> None:
    offenders = [f"{_relative(p)} imports {n}" for p in _modules(folder) for n in _imports(p) if n.split(".")[0] == "tests"]
    assert offenders == []


def test_the_check_itself_sees_an_sdk_import(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("from botocore.exceptions import ClientError\nimport boto3.session\n")
    assert [n for n in _imports(module) if n.split(".")[0] in AWS_SDK] == ["botocore.exceptions", "boto3.session"]
