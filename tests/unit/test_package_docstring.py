"""The goodword package's docstring names every module and subpackage it has, and nothing else."""

from __future__ import annotations

import re

import goodword
from dev_support.paths import ROOT


def test_the_package_docstring_names_what_exists() -> None:
    package = ROOT / "shared" / "goodword"
    named = set(re.findall(r"``(\w+)``", goodword.__doc__ or "")) - {"receive"}
    present = {
        p.stem for p in package.iterdir() if (p.suffix == ".py" or (p / "__init__.py").is_file()) and not p.name.startswith("__")
    }
    assert named == present
