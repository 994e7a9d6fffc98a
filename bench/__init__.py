"""Benchmarks for Secondment Mediator: speed, cost and scale, side by side with a bare Bolt app.

Run them with `python -m bench` (see `bench/__main__.py` and docs/BENCHMARKS.md). They are
scripts, not tests: pytest collects only `tests/` (pyproject's `testpaths`), never `bench/`.
"""
