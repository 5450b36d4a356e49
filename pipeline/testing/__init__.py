"""Helpers for tests and benchmarks: genuine Argos packages built on the fly, offline."""
