"""Tests of the suite's own machinery (targets, hooks, waiting) and of the reference's units."""

pytest_plugins = ["pytester"]
