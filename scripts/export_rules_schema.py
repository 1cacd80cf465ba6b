"""Write docs/rules.schema.json (the JSON Schema of a rule file) for editors' completion
and validation: point the YAML language server at it with
`# yaml-language-server: $schema=../docs/rules.schema.json`.

    .venv/bin/python -m scripts.export_rules_schema
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from goodword.rules.model import Rule, Settings

OUT = Path(__file__).resolve().parents[1] / "docs" / "rules.schema.json"


def schema() -> dict[str, Any]:
    document = Rule.model_json_schema(by_alias=True, mode="validation")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "Goodword rule"
    document["$defs"]["Settings"] = Settings.model_json_schema(by_alias=True, mode="validation")
    return document


def main() -> None:
    OUT.write_text(json.dumps(schema(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
