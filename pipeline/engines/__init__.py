"""Translation engines: model management and batched translation, kept apart from the stages."""


class ModelError(Exception):
    """A model is missing, malformed, cannot be installed, loaded or run; the message says
    what to do. The translate stage counts only this as a model failure (its pair is left
    untranslated and its documents are retried on the next run)."""
