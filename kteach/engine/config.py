"""Global settings, as ``keras.config``: the default float type and the fuzz factor."""
from __future__ import annotations

import numpy as np

_FLOATX = "float32"
_MODEL_DISPLAY = "repr"
_EPSILON = 1e-7


def floatx() -> str:
    """The dtype new weights and inputs get unless told otherwise ('float32', as Keras)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Use 'float64' for gradient checks, 'float32' (the default) otherwise."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx {value!r}: use 'float16', 'float32' or 'float64'.")
    _FLOATX = value


def epsilon() -> float:
    """The small number added to avoid division by zero and log(0): 1e-7, as Keras."""
    return _EPSILON


def is_float(dtype) -> bool:
    return np.issubdtype(np.dtype(dtype), np.floating)


def as_float(x) -> np.ndarray:
    """``x`` as an array; floats keep their dtype, anything else becomes ``floatx()``."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(floatx())
    return x


def model_display() -> str:
    return _MODEL_DISPLAY


def set_model_display(mode: str) -> None:
    """How a model shows itself as the last line of a Jupyter cell: ``'repr'`` (Keras' one
    line, ``<Sequential name=sequential, built=True>``, the default) or ``'diagram'`` (its
    plot_model diagram with shapes)."""
    global _MODEL_DISPLAY
    if mode not in ("repr", "diagram"):
        raise ValueError(f"set_model_display takes 'repr' or 'diagram', not {mode!r}.")
    _MODEL_DISPLAY = mode
