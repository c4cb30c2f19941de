"""Gradient checks: is backpropagation right? Compare it with finite differences.

For a weight ``w`` and the loss ``L(w)``, the central difference

    dL/dw[i] ≈ (L(w + eps·e_i) − L(w − eps·e_i)) / (2·eps)

needs no backward pass at all, only two forward passes per number. If a layer's ``backward``
is right, the two agree to about 1e-9 in float64. The checks here run in float64 on
temporary float64 copies of the weights, and put the model back exactly as it was.

``check_gradients(model, x, y)`` checks every trainable weight of a compiled model against
its loss; ``check_layer_gradients(layer, x)`` checks one layer (the input too) against the
scalar ``Σ r·y`` for a fixed pattern ``r`` -- handy for a layer you wrote yourself.

The error of one array is ``‖backprop − numeric‖ / (‖backprop‖ + ‖numeric‖)`` (0 when both
are 0); it passes when that is below ``tolerance`` or when no entry differs by more than
``atol`` (differences that small are rounding noise of the finite differences).
"""
from __future__ import annotations

import html
from typing import Any, Callable

import numpy as np

from ..engine.errors import InvalidArgumentError, WrongTypeError, check_keywords
from ..engine.layer import reset_activity_losses
from ..engine.numbers import as_written

from ..engine import random
from ..engine.tensor import format_shape


# ===================================================================== the report
class GradientCheck:
    """The comparison for one array (a weight, or a layer's input).

    ``backprop`` is the gradient from ``backward``; ``numeric`` the central differences (NaN
    where an entry was not checked); ``relative_error``, ``max_abs_error``, ``worst_index``
    (the entry with the largest difference) and ``passed`` sum it up.
    """

    def __init__(self, name: str, backprop: np.ndarray, numeric: np.ndarray, checked: np.ndarray,
                 tolerance: float, atol: float):
        self.name = name
        self.backprop = np.asarray(backprop, dtype=np.float64)
        self.numeric = numeric
        self.shape = self.backprop.shape
        self.checked = int(checked.size)
        a, n = self.backprop.ravel()[checked], numeric.ravel()[checked]
        diff = np.abs(a - n)
        scale = np.linalg.norm(a) + np.linalg.norm(n)
        self.relative_error = float(np.linalg.norm(a - n) / scale) if scale > 0 else 0.0
        self.max_abs_error = float(diff.max()) if diff.size else 0.0
        flat_worst = int(checked[np.argmax(diff)]) if diff.size else 0
        self.worst_index = tuple(int(i) for i in np.unravel_index(flat_worst, self.shape)) \
            if self.shape else ()
        self.passed = bool(np.all(np.isfinite(diff)) and
                           (self.relative_error <= tolerance or self.max_abs_error <= atol))

    @property
    def worst_backprop(self) -> float:
        return float(self.backprop[self.worst_index])

    @property
    def worst_numeric(self) -> float:
        return float(self.numeric[self.worst_index])

    def row(self) -> list[str]:
        return [self.name, format_shape(self.shape), f"{self.relative_error:.1e}",
                f"{self.max_abs_error:.1e}", str(self.worst_index), f"{self.worst_backprop:.6f}",
                f"{self.worst_numeric:.6f}", "ok" if self.passed else "FAIL"]

    def __repr__(self) -> str:
        return (f"<GradientCheck {self.name}: relative error {self.relative_error:.1e}, "
                f"{'passed' if self.passed else 'FAILED'}>")


HEADERS = ["array", "shape", "rel. error", "max |diff|", "worst at", "backprop", "numeric",
           "result"]


class GradientReport:
    """All checks of one call. ``report.passed`` is True when every array passed;
    ``report.failed`` lists the ones that did not; ``report['dense/kernel']`` is one check.
    ``print(report)`` shows a table, and Jupyter shows it as HTML."""

    def __init__(self, checks: list[GradientCheck], eps: float, tolerance: float, what: str):
        self.checks, self.eps, self.tolerance, self.what = checks, eps, tolerance, what

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[GradientCheck]:
        return [c for c in self.checks if not c.passed]

    def __len__(self) -> int:
        return len(self.checks)

    def __iter__(self):
        return iter(self.checks)

    def __getitem__(self, key: int | str) -> GradientCheck:
        if isinstance(key, str):
            for c in self.checks:
                if c.name == key:
                    return c
            raise KeyError(f"No array {key!r} was checked; the names are: "
                           f"{', '.join(c.name for c in self.checks)}.")
        return self.checks[key]

    def __bool__(self) -> bool:
        return self.passed

    def _header(self) -> str:
        if not self.checks:
            return (f"Gradient check of {self.what}: nothing to check. It has no weights and "
                    f"no float input (token ids and strings have no gradient), so no array "
                    f"was compared.")
        good = sum(c.passed for c in self.checks)
        verdict = "all pass" if self.passed else f"{len(self.failed)} FAIL"
        return (f"Gradient check of {self.what} (central differences, "
                f"eps={as_written(self.eps)}, float64, tolerance {as_written(self.tolerance)}): "
                f"{good} of {len(self.checks)} arrays agree, "
                f"{verdict}")

    def __str__(self) -> str:
        if not self.checks:
            return self._header()
        rows = [HEADERS] + [c.row() for c in self.checks]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
        lines = [self._header()]
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GradientReport {self._header()}>"

    def _repr_html_(self) -> str:
        if not self.checks:
            return f"<div><p>{html.escape(self._header())}</p></div>"
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in HEADERS)
        body = ""
        for c in self.checks:
            color = "" if c.passed else " style='color:#b00020;font-weight:bold'"
            body += f"<tr{color}>" + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>"
                                             for v in c.row()) + "</tr>"
        return (f"<div><p>{html.escape(self._header())}</p><table><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></div>")


# ===================================================================== finite differences
def _positions(size: int, max_checks: int | None) -> np.ndarray:
    """Flat indices to check: all of them, or ``max_checks`` spread evenly (no randomness)."""
    if max_checks is None or max_checks >= size:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, max_checks).round().astype(np.int64))


def central_differences(f: Callable[[], float], a: np.ndarray, positions: np.ndarray,
                        eps: float) -> np.ndarray:
    """dF/da at the flat (C-order) ``positions`` of ``a``, NaN elsewhere. ``a`` is changed in
    place, one entry at a time, and put back; ``f`` must read it."""
    g = np.full(a.shape, np.nan)
    for i in positions:
        index = np.unravel_index(int(i), a.shape)   # works for any memory layout of a
        old = a[index]
        a[index] = old + eps
        up = f()
        a[index] = old - eps
        down = f()
        a[index] = old
        g[index] = (up - down) / (2 * eps)
    return g


def _compare(name: str, backprop: np.ndarray | None, f: Callable[[], float], a: np.ndarray,
             max_checks: int | None, eps: float, tolerance: float, atol: float) -> GradientCheck:
    """Backprop's gradient of ``f`` with respect to ``a`` (None: zero) against central
    differences at up to ``max_checks`` of ``a``'s positions."""
    backprop = np.zeros_like(a) if backprop is None else backprop
    positions = _positions(a.size, max_checks)
    numeric = central_differences(f, a, positions, eps)
    return GradientCheck(name, backprop, numeric, positions, tolerance, atol)


class _Float64Weights:
    """Swap every weight of ``layers`` for a float64 copy, and the random state for a fixed
    one before each evaluation; ``restore()`` puts the original arrays and state back."""

    def __init__(self, variables: list, generators: list):
        self.variables = variables
        self.originals = [v.value for v in variables]
        self.generators = [(g, g.bit_generator.state) for g in generators]
        self.rng = random.get_state()
        for v in variables:
            v.value = np.array(v.value, dtype=np.float64, order="C")

    def reset_randomness(self) -> None:
        """The same dropout masks on every evaluation, so that L is a function of w alone."""
        random.set_state(self.rng)
        for g, state in self.generators:
            g.bit_generator.state = state

    def restore(self) -> None:
        for v, original in zip(self.variables, self.originals):
            v.value = original
        self.reset_randomness()


def _float64(a: Any) -> Any:
    a = np.asarray(a)
    return np.array(a, dtype=np.float64, order="C") if np.issubdtype(a.dtype, np.floating) else a


# ===================================================================== checking a model
@check_keywords
def check_gradients(model, x: Any, y: Any, eps: float = 1e-6, tolerance: float = 1e-6,
                    atol: float = 1e-8, sample_weight: Any = None, training: bool = True,
                    max_checks: int | None = None) -> GradientReport:
    """Compare every trainable weight's backprop gradient of the compiled loss with central
    differences, in float64. Returns a :class:`GradientReport`; the model is left exactly as
    it was (its weights stay float32, the random state is unchanged).

    ``training=True`` checks the training-mode pass (Dropout on, with the same masks for
    every evaluation). ``max_checks`` limits the entries checked per weight (spread evenly);
    each entry costs two forward passes.
    """
    from ..training.explain import layer_generators

    _check_model_argument(model)
    _check_settings("check_gradients", eps, tolerance, atol, max_checks)
    xs, ys, n = model._prepare(x, y)
    ws = model._sample_weights(sample_weight, n)
    xs = [_float64(a) for a in xs]
    ys = [_float64(a) for a in ys]
    ws = None if ws is None else [None if w is None else _float64(w) for w in ws]
    objective = model._objective
    swap = _Float64Weights(model.weights, layer_generators(model))
    try:
        def loss() -> float:
            swap.reset_randomness()
            preds, _ = model._forward_batch(xs, training=training)
            return objective.value_and_gradients(ys, preds, ws)[0] + model._added_loss()

        swap.reset_randomness()
        preds, tape = model._forward_batch(xs, training=training)
        _, _, d_preds = objective.value_and_gradients(ys, preds, ws)
        grads = model._backward_batch(tape, d_preds)
        checks = []
        for v in model.trainable_weights:
            checks.append(_compare(v.path, grads.get(id(v)), loss, v.value, max_checks, eps,
                                   tolerance, atol))
    finally:
        swap.restore()
    return GradientReport(checks, eps, tolerance, f"model '{model.name}'")


# ===================================================================== checking one layer
def _pattern(shape: tuple, k: int) -> np.ndarray:
    """A fixed, irregular array of the given shape: the ``r`` in ``Σ r·y``."""
    size = int(np.prod(shape, dtype=np.int64))
    return np.cos(np.arange(size) * (0.7 + 0.1 * k) + 0.3).reshape(shape)


def _check_model_argument(model) -> None:
    from ..engine.layer import Layer
    if not hasattr(model, "_prepare"):
        what = (f"the layer '{model.name}' ({type(model).__name__})" if isinstance(model, Layer)
                else f"{type(model).__name__} {model!r:.40}")
        hint = (" For one layer use kteach.utils.check_layer_gradients(layer, x); for a model, "
                "wrap it: Sequential([Input(shape), layer]) and compile it.")
        raise WrongTypeError(f"check_gradients needs a compiled model, but got {what}.{hint}")


def _check_settings(where: str, eps: Any, tolerance: Any, atol: Any, max_checks: Any) -> None:
    """The numbers a gradient check runs with: positive floats, and at least one check."""
    for name, value in (("eps", eps), ("tolerance", tolerance), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or \
                not np.isfinite(value) or value < 0 or (name == "eps" and value == 0):
            raise InvalidArgumentError(f"{where}: {name} must be a positive number (e.g. {name}="
                             f"{ {'eps': 1e-6, 'tolerance': 1e-6, 'atol': 1e-8}[name] }), "
                             f"not {value!r}.")
    if max_checks is not None and (isinstance(max_checks, bool) or
                                   not isinstance(max_checks, (int, np.integer)) or max_checks < 1):
        raise InvalidArgumentError(f"{where}: max_checks must be a whole number of at least 1 (or None to "
                         f"check every entry), not {max_checks!r}: checking nothing proves nothing.")


@check_keywords
def check_layer_gradients(layer, x: Any, eps: float = 1e-6, tolerance: float = 1e-6,
                          atol: float = 1e-8, training: bool = False,
                          max_checks: int | None = None) -> GradientReport:
    """Check one layer's ``backward``: dx (for each input) and dw (for each weight).

    The scalar is ``F = Σ r·y`` with a fixed pattern ``r`` shaped like each output, so the
    gradient arriving at the layer is ``dy = r``. ``x`` is an array, or a list for layers
    with several inputs; float inputs are checked, others (integer ids) are skipped. An
    unbuilt layer is built from ``x`` first (as calling it would). The layer's weights and
    the random state are left as they were.
    """
    from ..training.explain import layer_generators

    _check_settings("check_layer_gradients", eps, tolerance, atol, max_checks)
    inputs = [_float64(a) for a in x] if isinstance(x, (list, tuple)) else _float64(x)
    flat = inputs if isinstance(inputs, list) else [inputs]
    if not layer.built:
        layer(inputs)
    else:  # the shapes it was built for, with Keras' message, before any arithmetic
        layer.check_input_shape([(None,) + np.shape(a)[1:] for a in flat] if isinstance(inputs, list)
                                else (None,) + np.shape(inputs)[1:])
    gens = [g for g in vars(layer).values() if isinstance(g, np.random.Generator)]
    if getattr(layer, "_graph", None) is not None:
        gens = layer_generators(layer)
    swap = _Float64Weights(layer.weights, gens)
    try:
        swap.reset_randomness()
        y, cache = layer.forward(inputs, training)
        ys = y if isinstance(y, list) else [y]
        rs = [_pattern(np.shape(o), k) for k, o in enumerate(ys)]

        def scalar() -> float:
            """Σ r·y, plus the layer's activity penalty (its backward includes that gradient)."""
            swap.reset_randomness()
            reset_activity_losses(layer)
            out, _ = layer.forward(inputs, training)
            outs = out if isinstance(out, list) else [out]
            penalty = sum(float(p) for p in getattr(layer, "_activity_losses", []))
            return float(sum(np.sum(r * o) for r, o in zip(rs, outs))) + penalty

        d_in, grads = layer.backward(cache, rs if isinstance(y, list) else rs[0])
        d_ins = d_in if isinstance(inputs, list) else [d_in]
        checks = []
        for i, (a, da) in enumerate(zip(flat, d_ins)):
            if not np.issubdtype(a.dtype, np.floating):
                continue
            name = "input" if len(flat) == 1 else f"input {i}"
            checks.append(_compare(name, da, scalar, a, max_checks, eps, tolerance, atol))
        for v, g in zip(layer.weights, grads):
            checks.append(_compare(v.path, g, scalar, v.value, max_checks, eps, tolerance, atol))
    finally:
        swap.restore()
    return GradientReport(checks, eps, tolerance, f"layer '{layer.name}'")


__all__ = ["check_gradients", "check_layer_gradients", "GradientReport", "GradientCheck",
           "central_differences"]
