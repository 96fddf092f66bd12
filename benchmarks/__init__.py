"""Benchmarks: scripts that measure and print figures (see README.md)."""
