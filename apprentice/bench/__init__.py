"""Benchmark suites, experiments and the demo (experiments live here, not in algorithms or theory).

The suites run from the CLI (``apprentice bench ...``, ``apprentice demo``, ``apprentice theory compounding``);
``deterministic_preferences`` is called from Python.
"""
