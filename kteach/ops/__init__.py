"""kteach.ops: Keras 3's array functions, each with its forward and its backward (vjp).

Use them as ``keras.ops``: on NumPy arrays they compute and return arrays; inside a layer's
``call`` or under a ``GradientTape`` they are also recorded, so kteach can find gradients by
walking the tape backwards. Every op's docstring gives its formula and its backward formula,
and its code has the two side by side.

One module per family: arithmetic, nn (activations), logic (comparisons), reductions, linalg,
shape and creation.
"""
from . import arithmetic, creation, linalg, logic, nn, reductions, shape
from .arithmetic import *  # noqa: F403 (each module lists its ops in __all__)
from .core import OpError
from .creation import *  # noqa: F403
from .dispatch import register
from .linalg import *  # noqa: F403
from .logic import *  # noqa: F403
from .nn import *  # noqa: F403
from .reductions import *  # noqa: F403
from .shape import *  # noqa: F403

_FAMILIES = [arithmetic, creation, linalg, logic, nn, reductions, shape]
register(_FAMILIES)

__all__ = ["OpError"] + [name for module in _FAMILIES for name in module.__all__]
