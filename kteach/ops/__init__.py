"""kteach.ops: Keras 3's array functions, each with its forward and its backward (vjp).

Use them as ``keras.ops``: on NumPy arrays they compute and return arrays; inside a layer's
``call`` or under a ``GradientTape`` they are also recorded, so kteach can find gradients by
walking the tape backwards. Every op's docstring gives its formula and its backward formula,
and its code has the two side by side.

One module per family: arithmetic, nn (activations), logic (comparisons), reductions, linalg,
shape and creation.

Called on symbolic tensors (from ``Input``), an op adds a node to the functional graph
instead of computing, as in Keras 3: ``x = ops.relu(layers.Dense(8)(inputs))``.
"""
import functools as _functools
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


def _graph_aware(fn):
    """``fn`` as the public op: on symbolic tensors it makes a graph node
    (:mod:`kteach.engine.operation`), on numbers it computes."""
    from ..engine.errors import check_keywords
    from ..engine.operation import has_symbolic, symbolic_call

    compute = check_keywords(fn)   # ops.sum(x, axes=0) says "did you mean 'axis'"

    @_functools.wraps(fn)
    def op(*args, **kwargs):
        if has_symbolic(args, kwargs):
            return symbolic_call(fn, args, kwargs)
        return compute(*args, **kwargs)

    return op


_public: dict = {}   # one public function per op, so that aliases stay the same object
for _name in __all__[1:]:
    _fn = globals()[_name]
    globals()[_name] = _public.setdefault(id(_fn), _graph_aware(_fn))
