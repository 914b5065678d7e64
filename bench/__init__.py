"""Benchmarks for the Lambda handler: cold start, warm latency, memory and the bundle.

Everything is measured against a hello-world skill on the same SDK, in the same run on the same
machine, and reported as ratios, because absolute times on a shared 2-core machine drift.
Run ``python -m bench`` (or ``./dev bench``); see bench/README.md.
"""
