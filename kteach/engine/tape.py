"""The tape: how kteach finds the gradient of code it has never seen.

Built-in layers write their backward pass by hand. A learner's layer writes only ``call``
with :mod:`kteach.ops`; its gradient comes from a *tape*:

* while a :class:`Tape` records (``with Tape() as tape:``), every op whose inputs the tape
  follows puts one :class:`Entry` on it: the op's name, its inputs, its output and its
  ``vjp`` -- the function that turns ``dLoss/doutput`` into ``dLoss/dinput`` for each input;
* a layer called while the tape records is *one* entry too, whose ``vjp`` is the layer's own
  ``backward`` (for a built-in layer, the hand-written one);
* :meth:`Tape.gradient` walks the entries in reverse, starting from ``dLoss/dLoss = 1``, and
  adds up the gradients where a value was used more than once. That is backpropagation.

Outside any recording, ops take and return plain NumPy arrays and nothing is kept. Inside a
recording they return :class:`Tensor` -- a NumPy array that the tape knows -- so that the
usual operators (``x @ W + b``, ``x[:, 0]``, ``x.sum()``) are recorded as well.

A tape follows: the values it made, the values given to :meth:`Tape.watch`, and every
trainable :class:`~kteach.engine.variable.Variable`. Anything else (a plain array, a number)
is a constant.

Recordings nest: the innermost tape records, a layer call pauses recording while it runs
(its own steps belong to the layer, not to the caller), and ``tape.stop_recording()`` pauses it
by hand.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np

from .errors import KteachError, check_keywords, warn_once
from .variable import Variable

# The recordings in progress, innermost last; ``None`` marks a pause.
_STACK: list["Tape | None"] = []


def current() -> "Tape | None":
    """The tape that records now, or None (no recording, or paused)."""
    return _STACK[-1] if _STACK else None


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Nothing inside records (a layer's inner steps, an optimizer's update)."""
    _STACK.append(None)
    try:
        yield
    finally:
        _STACK.pop()


class TapeError(KteachError, RuntimeError):
    """A tape was used in a way that cannot give gradients."""


# ===================================================================== the entries
class Entry:
    """One recorded step.

    ``kind`` is ``'op'`` or ``'layer'``; ``name`` the op (``'matmul'``) or the layer's name;
    ``inputs`` every value the step used (arrays, Tensors, Variables -- a layer's weights come
    after its inputs); ``outputs`` a list of what it made; ``vjp(d_outputs)`` returns one
    gradient per input (``None`` where there is none); ``formula`` the math with shapes.
    """

    __slots__ = ("kind", "name", "inputs", "outputs", "vjp", "formula", "layer", "cache")

    def __init__(self, kind: str, name: str, inputs: list, outputs: list,
                 vjp: Callable[[list], list], formula: str = "", layer: Any = None,
                 cache: Any = None):
        self.kind, self.name, self.inputs, self.outputs = kind, name, inputs, outputs
        self.vjp, self.formula, self.layer, self.cache = vjp, formula, layer, cache

    def __repr__(self) -> str:
        return f"<Entry {self.kind} {self.name}: {self.formula}>"


class BackwardLog:
    """What one entry received and passed on during :meth:`Tape.gradient` (for records)."""

    __slots__ = ("entry", "d_outputs", "d_inputs")

    def __init__(self, entry: Entry, d_outputs: list, d_inputs: list):
        self.entry, self.d_outputs, self.d_inputs = entry, d_outputs, d_inputs


# ===================================================================== the tape
class Tape:
    """A recording of ops and layer calls that can be walked backwards.

    ``persistent=False`` (the default, as TensorFlow) allows one :meth:`gradient` call;
    ``watch_accessed_variables=True`` follows every trainable Variable without ``watch``.
    """

    @check_keywords
    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self.entries: list[Entry] = []
        self.backward_log: list[BackwardLog] | None = None  # set to [] to keep a log
        self._made: dict[int, Any] = {}      # id -> a value an entry made (kept alive here)
        self._watched: dict[int, Any] = {}   # id -> a value given to watch()
        self._used = False

    # -- recording --------------------------------------------------------------------------
    def __enter__(self) -> "Tape":
        _STACK.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        for i in range(len(_STACK) - 1, -1, -1):
            if _STACK[i] is self:
                del _STACK[i]
                break

    def watch(self, value: Any) -> None:
        """Follow ``value`` (an array, a Tensor, a Variable, or a list of them)."""
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(v, (np.ndarray, Variable)):
                raise TypeError(f"tape.watch() takes arrays or Variables, not "
                                f"{type(v).__name__}. Convert it first: "
                                f"x = kteach.ops.convert_to_tensor(x).")
            self._watched[id(v)] = v

    @contextlib.contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Steps inside are not recorded (TensorFlow's ``tape.stop_recording()``)."""
        with paused():
            yield

    def follows(self, value: Any) -> bool:
        """Whether a gradient can flow into ``value`` through this tape."""
        i = id(value)
        if i in self._made or i in self._watched:
            return True
        return (self.watch_accessed_variables and isinstance(value, Variable)
                and value.trainable)

    def record(self, entry: Entry) -> None:
        self.entries.append(entry)
        for out in entry.outputs:
            self._made[id(out)] = out

    # -- walking back -----------------------------------------------------------------------
    def backprop(self, seeds: list[tuple[Any, np.ndarray]]) -> dict[int, np.ndarray]:
        """``{id(value): dLoss/dvalue}`` for every followed value the seeds reach.

        ``seeds`` pairs each target with the gradient arriving at it. The entries run in
        reverse order; where a value fed several entries, their gradients are added.
        """
        grads: dict[int, np.ndarray] = {}
        for target, g in seeds:
            _accumulate(grads, id(target), g)
        log = self.backward_log
        for entry in reversed(self.entries):
            arriving = [grads.get(id(o)) for o in entry.outputs]
            if all(g is None for g in arriving):
                continue  # nothing downstream of this step reaches the targets
            d_outputs = [np.zeros(np.shape(o), _grad_dtype(o)) if g is None else g
                         for g, o in zip(arriving, entry.outputs)]
            d_inputs = entry.vjp(d_outputs)
            if log is not None:
                log.append(BackwardLog(entry, d_outputs, list(d_inputs)))
            for x, g in zip(entry.inputs, d_inputs):
                if g is not None and self.follows(x):
                    _accumulate(grads, id(x), g)
        return grads

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None,
                 unconnected_gradients: str = "none") -> Any:
        """dtarget/dsource for each source, in the structure of ``sources``.

        ``target`` is a value computed under the tape (a scalar loss, usually; for a larger
        target the gradient is of its sum, or of ``sum(target * output_gradients)``).
        A source the target does not depend on gets ``None`` (or zeros with
        ``unconnected_gradients='zero'``) and a warning that says why.
        """
        if self._used and not self.persistent:
            raise TapeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients. Create it with GradientTape(persistent=True) to call gradient() "
                "more than once.")
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"unconnected_gradients must be 'none' or 'zero', not "
                             f"{unconnected_gradients!r}.")
        self._used = True
        targets = list(target) if isinstance(target, (list, tuple)) else [target]
        if output_gradients is None:
            seeds = [(t, np.ones(np.shape(t), _grad_dtype(t))) for t in targets]
        else:
            given = output_gradients if isinstance(target, (list, tuple)) else [output_gradients]
            seeds = [(t, np.asarray(g)) for t, g in zip(targets, given)]
        with paused():
            grads = self.backprop(seeds)
        flat = _flatten(sources)
        out = []
        for s in flat:
            g = grads.get(id(s))
            if g is None:
                self._warn_no_gradient(s)
                if unconnected_gradients == "zero":
                    g = np.zeros(np.shape(s), _grad_dtype(s))
            elif _grad_dtype(s) != np.asarray(g).dtype:
                g = np.asarray(g, dtype=_grad_dtype(s))   # a gradient has its source's dtype
            out.append(None if g is None else np.asarray(g))
        return _unflatten(sources, out)

    def _warn_no_gradient(self, source: Any) -> None:
        what = (f"variable '{source.path}'" if isinstance(source, Variable)
                else f"the array of shape {np.shape(source)}")
        if not self.follows(source):
            why = ("the tape never followed it: it is neither a trainable Variable nor a value "
                   "made under the tape, and it was not given to tape.watch()")
        elif any(x is source for e in self.entries for x in e.inputs):
            why = "it was used under the tape, but not on the way to the target"
        else:
            why = ("the tape never saw it used: was it computed with NumPy (np.* or .numpy()) "
                   "instead of kteach.ops, or before the `with GradientTape()` block? A watched "
                   "NumPy array is followed through kteach.ops calls only; for operators "
                   "(x * 2, x.T) write x = kteach.ops.convert_to_tensor(x) after watch(x)")
        warn_once(f"gradient() returns None for {what}: {why}. (TensorFlow and Keras also "
                  f"return None there.)", key=f"no-gradient-{id(source)}")


# TensorFlow's name for it, the one most courses use: ``with kteach.GradientTape() as tape:``.
GradientTape = Tape


def _grad_dtype(value: Any) -> np.dtype:
    dtype = np.asarray(value).dtype if not isinstance(value, Variable) else value.dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype("float32")


def _accumulate(store: dict[int, np.ndarray], key: int, g: np.ndarray) -> None:
    """Add ``g`` into ``store[key]``, never changing an array that someone else owns."""
    store[key] = g if key not in store else store[key] + g


def _flatten(structure: Any) -> list:
    if isinstance(structure, dict):
        return [v for k in structure for v in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for s in structure for v in _flatten(s)]
    return [structure]


def _unflatten(structure: Any, flat: list) -> Any:
    it = iter(flat)

    def build(s: Any) -> Any:
        if isinstance(s, dict):
            return {k: build(v) for k, v in s.items()}
        if isinstance(s, (list, tuple)):
            return type(s)(build(v) for v in s) if isinstance(s, list) else tuple(build(v) for v in s)
        return next(it)

    return build(structure)
