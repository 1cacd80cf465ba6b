from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATE = ROOT / "template.yaml"
# The local stack's development configuration (fake secrets and settings), read as data.
DEV_CONFIG = ROOT / "local_stack" / "local-dev.json"
# The team's reference material beside the project (optional; tests that read it skip
# with a reason when it is absent).
REFERENCE = ROOT.parent / "shared"
