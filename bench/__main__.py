"""Run every benchmark and print the figures (also written to bench/results/*.json)."""

from __future__ import annotations

import argparse
import os

# What template.yaml's Globals give every function: Powertools refuses to flush metrics without a
# namespace, and the benches run the handlers in this process.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Goodword")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "goodword")

from bench import (
    backtest,
    cold_start,
    cost,
    ingest,
    judgement,
    local_stack_pipeline,
    local_stack_throughput,
    regex_engines,
    report,
    rule_engines,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (for a smoke run)")
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the committed figures (bench/results/*.json, docs/judgement-pr.png); otherwise bench/results/latest/",
    )
    args = parser.parse_args()
    if args.quick and args.record:
        parser.error("--quick figures are not a record")
    if args.quick:
        report.quick_results()
    if args.record:
        report.record()
    ingest.main(quick=args.quick)
    cold_start.main(quick=args.quick)
    local_stack_throughput.main(quick=args.quick)
    local_stack_pipeline.main(quick=args.quick)
    judgement.main(quick=args.quick)
    rule_engines.main(quick=args.quick)
    regex_engines.main(quick=args.quick)
    backtest.main(quick=args.quick)
    cost.main(quick=args.quick)


if __name__ == "__main__":
    main()
