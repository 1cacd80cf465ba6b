from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATE = ROOT / "template.yaml"
# The team's reference material beside the project (optional; tests that read it skip
# with a reason when it is absent).
REFERENCE = ROOT.parent / "shared"
