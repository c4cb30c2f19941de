"""kteach.ops: Keras 3's array functions, each with its forward and its backward (vjp).

Use them as ``keras.ops``: on NumPy arrays they compute and return arrays; inside a layer's
``call`` or under a ``GradientTape`` they are also recorded, so kteach can find gradients by
walking the tape backwards. Every op's docstring gives its formula and its backward formula,
and its code has the two side by side.
"""
from . import dispatch
from .arithmetic import add, divide, exp, multiply, subtract
from .core import OpError
from .linalg import matmul
from .reductions import sum  # noqa: A004 (Keras' name)
from .shape import getitem, reshape

dispatch.register()

__all__ = ["OpError", "add", "divide", "exp", "getitem", "matmul", "multiply", "reshape",
           "subtract", "sum"]
