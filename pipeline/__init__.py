"""Offline cleanup, language analysis and sentence-aligned translation of news corpora."""
