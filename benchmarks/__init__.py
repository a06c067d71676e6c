"""Benchmarks for reader: a reproducible corpus generator and one benchmark command.

Run `python -m benchmarks.bench --help`. Every figure is measured together with a naive
baseline in the same run and reported as a ratio, because absolute times on shared
machines vary.
"""
