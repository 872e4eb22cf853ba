"""Benchmark suites and the demo, each runnable from the CLI."""
