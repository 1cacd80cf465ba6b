"""RulesTable as the local stack starts it, for the benches that run the handlers in moto:
the development configuration's items, then every rules/*.yaml at version 1."""

from __future__ import annotations

import json
from typing import Any


def put_development_rules(ddb: Any, table: str) -> None:
    import yaml

    from dev_support.paths import ROOT
    from goodword.aws.codec import to_dynamodb
    from local_stack.dev_config import load

    for item in load()["tables"]["RulesTable"]:
        ddb.put_item(TableName=table, Item=to_dynamodb(json.loads(json.dumps(item, default=float))))
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        definition = yaml.safe_load(path.read_text())
        ddb.put_item(
            TableName=table,
            Item=to_dynamodb({"pk": "RULE", "sk": definition["id"], "version": 1, "definition": definition}),
        )
