"""Event logs: discover the as-is workflow, check a map against it, read A/B tests.

DuckDB is the engine (an optional extra, `procmap[mining]`): it reads CSV
and Parquet itself and keeps a log of hundreds of millions of events out of
Python objects; only per-step and per-case aggregates come back.
"""
