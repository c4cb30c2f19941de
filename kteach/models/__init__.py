"""Models: the functional ``Model`` and ``Sequential``."""
from .functional import Model
from .sequential import Sequential
from .config import clone_model, model_from_json

__all__ = ["Model", "Sequential", "clone_model", "model_from_json", "load_model"]


def __getattr__(name: str):
    """``kteach.models.load_model`` is :func:`kteach.saving.load_model`, imported on first use
    (saving sits above models: models never import it at import time)."""
    if name == "load_model":
        from ..saving import load_model
        return load_model
    raise AttributeError(f"module 'kteach.models' has no attribute '{name}'")
