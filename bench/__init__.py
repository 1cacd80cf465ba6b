"""Benchmarks: `make bench`. Each figure is a ratio measured side by side in one run."""
