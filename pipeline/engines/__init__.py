"""Translation engines: model management and batched translation, kept apart from the stages."""
