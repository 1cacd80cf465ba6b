"""The layers hold: only the data layer (goodword.aws), the command's --stack lookup and the
local stack (which plays AWS) talk to AWS; the data layer imports records and ports, never
the logic above it; the services depend on ports only (only the composition roots import
the data layer and hand its adapters down); the runtime never imports the team's reference
material or the tests."""

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
DATA_LAYER = "goodword.aws"
# Who builds adapters and hands them to the services: the data layer itself, the handlers, the
# command's target, the local stack, and the tools that play AWS (dev support, benchmarks).
COMPOSITION_ROOTS = ("shared/goodword/aws/", "functions/", "goodword_cli/target.py", "local_stack/", "dev_support/", "bench/")


def _modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _type_only(tree: ast.AST) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:``: read by mypy, never run."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }


def _imported_modules(path: Path) -> Iterator[str]:
    """Every module an import names, ``from goodword import aws`` as ``goodword.aws`` too;
    imports only for the type checker load nothing and are not counted."""
    tree = ast.parse(path.read_text(), str(path))
    type_only = _type_only(tree)
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _data_layer_imports(path: Path) -> list[str]:
    return sorted({n for n in _imported_modules(path) if n == DATA_LAYER or n.startswith(f"{DATA_LAYER}.")})


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


def test_services_depend_on_ports_only() -> None:
    """Nothing outside the data layer and the composition roots imports the data layer: a
    service gets its adapters (and an AWS client, e.g. sentiment/providers.py's Comprehend)
    passed in, so importing the pipeline loads no boto3."""
    offenders = [
        f"{_relative(path)} imports {', '.join(names)}"
        for path in _modules("shared", "functions", "goodword_cli", "local_stack", "scripts", "dev_support", "bench")
        if not _relative(path).startswith(COMPOSITION_ROOTS)
        if (names := _data_layer_imports(path))
    ]
    assert offenders == []


def test_the_check_itself_sees_a_data_layer_import(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nfrom goodword import aws\nfrom goodword.aws.clients import comprehend\n"
        "import goodword.events\nif TYPE_CHECKING:\n    from goodword.aws.state_table import StateTable\n"
    )
    assert _data_layer_imports(module) == ["goodword.aws", "goodword.aws.clients", "goodword.aws.clients.comprehend"]


@pytest.mark.parametrize("folder", ["shared", "functions", "goodword_cli", "local_stack", "bench"])
def test_runtime_and_tools_do_not_import_the_tests(folder: str) -> None:
    offenders = [f"{_relative(p)} imports {n}" for p in _modules(folder) for n in _imports(p) if n.split(".")[0] == "tests"]
    assert offenders == []


def test_the_check_itself_sees_an_sdk_import(tmp_path: Path) -> None:
    module = tmp_path / "sneaky.py"
    module.write_text("from botocore.exceptions import ClientError\nimport boto3.session\n")
    assert [n for n in _imports(module) if n.split(".")[0] in AWS_SDK] == ["botocore.exceptions", "boto3.session"]
