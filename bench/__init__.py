"""Benchmarks of the service: throughput and memory as ratios to a bare baseline.

Not part of the test suite (timings are never asserted). Run ``python -m bench``;
see ``bench/README.md`` for the options and the latest figures.
"""
