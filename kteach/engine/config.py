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


# The dtypes kteach computes with (Keras' list, without the ones NumPy lacks).
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64")


def standardize_dtype(dtype, where: str, error: type | None = None) -> str | None:
    """``dtype`` as one of :data:`DTYPES` (``None`` stays ``None``).

    Accepts a name (``"float32"``), a NumPy type or dtype (``np.float32``), or Python's
    ``float`` / ``int`` / ``bool``, which mean float32, int32 and bool as in Keras. Anything
    else is refused with a did-you-mean that names ``where`` it was given.
    """
    from .errors import UnknownNameError, did_you_mean
    if dtype is None:
        return None
    if dtype == "string" or dtype is str:   # Input(dtype="string") for the text layers
        return "string"
    python_types = {float: "float32", int: "int32", bool: "bool"}
    if not isinstance(dtype, str) and dtype in python_types:
        return python_types[dtype]
    if isinstance(dtype, str):
        name = dtype
    else:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = None
    if name not in DTYPES:
        shown = dtype if isinstance(dtype, str) else repr(dtype)
        raise (error or UnknownNameError)(
            f"{where}: unknown dtype {shown!r}.{did_you_mean(shown, DTYPES)} Known dtypes: "
            f"{', '.join(DTYPES)}.")
    return name


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
