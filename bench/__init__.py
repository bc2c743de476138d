"""Benchmarks (not part of the application; never imported by it)."""
