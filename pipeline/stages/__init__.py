"""Pipeline stages: one module per stage, each a small class with ``process(doc)``."""
