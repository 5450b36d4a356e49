"""Offline cleanup, language analysis and sentence-aligned translation of news corpora."""

__version__ = "0.3.5"
