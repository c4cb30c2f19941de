"""kteach: a small Keras you can read.

Write the same code as in a Keras tutorial -- ``import kteach as keras`` -- and every number
behind it can be looked at: weights, forward values, gradients and optimizer updates are
plain NumPy.
"""
from . import (activations, backend, callbacks, config, constraints, initializers, layers, losses,
               metrics, models, ops, optimizers, random, regularizers, utils)
from .engine.tape import GradientTape
from .engine.variable import Variable
from .layers import Input
from .models import Model, Sequential

__version__ = "0.1.0"


def __getattr__(name: str):
    """``kteach.saving`` (h5py, zipfile, json) and ``kteach.datasets`` are imported on first
    use, so that ``import kteach`` stays fast."""
    if name in ("saving", "datasets"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    from .engine.keras_names import missing_name  # a Keras name kteach lacks, or a typo
    raise missing_name(__name__, name, globals())


__all__ = ["GradientTape", "Input", "Model", "Sequential", "Variable", "activations", "backend",
           "callbacks", "config", "constraints", "datasets", "initializers", "regularizers", "layers",
           "losses", "metrics", "models", "ops", "optimizers", "random", "saving", "utils"]
