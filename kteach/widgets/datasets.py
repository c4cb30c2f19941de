"""Two-feature toy data sets and input features for the :class:`~kteach.widgets.Playground`.

Every point lies in the square ``[-6, 6] × [-6, 6]``. Classification sets give integer labels
``0 … n_classes−1``; regression sets give a float target in about ``[-1, 1]``.

======================  ==============================================================
``circle``              rings around the origin, one class per ring (inner ring = 0)
``xor``                 label from the signs of x1 and x2 (4 classes: one per quadrant)
``gauss``               one round blob of points per class, centres on a circle
``spiral``              one spiral arm per class, wound around the origin
``plane``   (regress.)  ``y = (x1 + x2) / 10``
``multi_gauss`` (reg.)  bumps and dips: a sum of six Gaussian hills of height ±1
======================  ==============================================================

``noise`` (0 to 0.5) moves every point by a Gaussian step of standard deviation
``noise·3`` (classification) or adds ``noise·N(0, 1)`` to the target (regression).

The *input features* are what the first layer sees, computed from each point ``(x1, x2)``:
``x1, x2, x1², x2², x1·x2, sin x1, sin x2``. A network given ``x1²`` and ``x2²`` can separate
the circle data set with a single neuron, because ``x1² + x2²`` *is* the squared radius.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..engine import random as kteach_random
from ..engine.errors import unknown_name_error

CLASSIFICATION = ("circle", "xor", "gauss", "spiral")
REGRESSION = ("plane", "multi_gauss")
RADIUS = 6.0    # every data set fills [-RADIUS, RADIUS]²

# name -> (label shown on a button, Python expression in x1 and x2, function of x1 and x2)
FEATURES: dict[str, tuple[str, str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x₁", "x1", lambda x1, x2: x1),
    "x2": ("x₂", "x2", lambda x1, x2: x2),
    "x1^2": ("x₁²", "x1 ** 2", lambda x1, x2: x1 ** 2),
    "x2^2": ("x₂²", "x2 ** 2", lambda x1, x2: x2 ** 2),
    "x1*x2": ("x₁·x₂", "x1 * x2", lambda x1, x2: x1 * x2),
    "sin(x1)": ("sin x₁", "np.sin(x1)", lambda x1, x2: np.sin(x1)),
    "sin(x2)": ("sin x₂", "np.sin(x2)", lambda x1, x2: np.sin(x2)),
}


def _generator(seed: int | None) -> np.random.Generator:
    """A generator of its own for a given seed (the data do not use up kteach's stream);
    kteach's generator when no seed is given."""
    return kteach_random.rng() if seed is None else np.random.default_rng(seed)


def make_dataset(name: str = "circle", n_samples: int = 500, noise: float = 0.0,
                 n_classes: int = 2, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points ``x`` of shape ``(n_samples, 2)`` (float32) and targets ``y`` of shape
    ``(n_samples,)``: int64 labels for a classification set, float32 for a regression set.

    The same ``seed`` always gives the same points."""
    if name not in CLASSIFICATION + REGRESSION:
        raise unknown_name_error("data set", name, CLASSIFICATION + REGRESSION)
    if not 0 <= noise <= 1:
        raise ValueError(f"noise must be between 0 and 1 (0.5 is already very noisy), "
                         f"not {noise}.")
    if name in REGRESSION:
        n_classes = 1
    elif name == "xor" and n_classes not in (2, 4):
        raise ValueError(f"The xor data set has 2 classes (same or opposite signs of x1 and "
                         f"x2) or 4 (one per quadrant), not {n_classes}. Use 'gauss' or "
                         f"'spiral' for other numbers of classes.")
    elif not 2 <= n_classes <= 8:
        raise ValueError(f"n_classes must be between 2 and 8, not {n_classes}.")
    rng = _generator(seed)
    maker = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
             "plane": _plane, "multi_gauss": _multi_gauss}[name]
    x, y = maker(rng, int(n_samples), float(noise), int(n_classes))
    order = rng.permutation(len(x))   # mixed, so that any slice holds every class
    x, y = np.clip(x[order], -RADIUS, RADIUS).astype("float32"), y[order]
    return x, (y.astype("float32") if name in REGRESSION else y.astype("int64"))


def _labels(n: int, k: int) -> np.ndarray:
    """n labels, as equal in number as possible: 0, 0, ..., 1, 1, ..., k-1."""
    return np.repeat(np.arange(k), -(-n // k))[:n]


def _jitter(rng: np.random.Generator, x: np.ndarray, noise: float) -> np.ndarray:
    return x + rng.normal(0.0, 3.0 * noise, size=x.shape) if noise else x


def _circle(rng, n, noise, k):
    """Class c lives in the ring between radii 5c/k and 5(c+1)/k (shrunk by 15 % on each
    side, so the rings do not touch when there is no noise)."""
    y = _labels(n, k)
    width = 5.0 / k
    r = (y + rng.uniform(0.15, 0.85, n)) * width
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    return _jitter(rng, x, noise), y


def _xor(rng, n, noise, k):
    """Uniform points, kept 0.3 away from the axes; 2 classes: label 1 where x1·x2 > 0;
    4 classes: the quadrant (counted anticlockwise from x1 > 0, x2 > 0)."""
    x = rng.uniform(0.3, 5.0, size=(n, 2)) * rng.choice([-1.0, 1.0], size=(n, 2))
    if k == 2:
        y = (x[:, 0] * x[:, 1] > 0).astype(int)
    else:
        y = np.where(x[:, 1] > 0, np.where(x[:, 0] > 0, 0, 1), np.where(x[:, 0] > 0, 3, 2))
    return _jitter(rng, x, noise), y


def _gauss(rng, n, noise, k):
    """Blob c is centred at radius 2.8 and angle 45° + 360°·c/k, standard deviation
    0.8 + 2·noise (two classes: centres (2, 2) and (−2, −2))."""
    y = _labels(n, k)
    angle = np.pi / 4 + 2 * np.pi * y / k
    centres = 2.0 * np.sqrt(2) * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x = centres + rng.normal(0.0, 0.8 + 2.0 * noise, size=(n, 2))
    return x, y


def _spiral(rng, n, noise, k):
    """Arm c: the point at fraction s of the arm has radius 5s and angle 3.5π·s + 2π·c/k."""
    y = _labels(n, k)
    s = np.empty(n)
    for c in range(k):
        members = y == c
        s[members] = np.linspace(0.0, 1.0, members.sum(), endpoint=False)
    r = 5.0 * s
    angle = 3.5 * np.pi * s + 2 * np.pi * y / k
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    return _jitter(rng, x, noise), y


def _plane(rng, n, noise, k):
    x = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
    y = (x[:, 0] + x[:, 1]) / 10.0
    return x, y + noise * rng.normal(size=n)


_HILLS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
          (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))


def _multi_gauss(rng, n, noise, k):
    """``y = Σ_h s_h·exp(−|x − c_h|² / 2)`` over six hills at ``c_h`` with signs ``s_h``."""
    x = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
    y = np.zeros(n)
    for cx, cy, sign in _HILLS:
        y += sign * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / 2.0)
    return x, y + noise * rng.normal(size=n)


def split(x: np.ndarray, y: np.ndarray, train_ratio: float = 0.5,
          seed: int | None = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the points (with ``seed``) and cut them: the first ``train_ratio`` of them
    for training, the rest for testing. Returns ``x_train, y_train, x_test, y_test``."""
    if not 0 < train_ratio < 1:
        raise ValueError(f"train_ratio is the fraction of points used for training; it must "
                         f"be between 0 and 1 (e.g. 0.5), not {train_ratio}.")
    order = _generator(seed).permutation(len(x))
    cut = int(round(len(x) * train_ratio))
    if cut == 0 or cut == len(x):
        raise ValueError(f"train_ratio={train_ratio} of {len(x)} points leaves "
                         f"{'no training' if cut == 0 else 'no test'} points.")
    train, test = order[:cut], order[cut:]
    return x[train], y[train], x[test], y[test]


def check_features(names: list[str] | tuple[str, ...]) -> list[str]:
    """The feature names in the standard order; unknown names raise with the list of known."""
    names = list(names)
    for name in names:
        if name not in FEATURES:
            raise unknown_name_error("input feature", name, FEATURES)
    if not names:
        raise ValueError("Choose at least one input feature, e.g. features=['x1', 'x2'].")
    return [name for name in FEATURES if name in names]


def compute_features(x: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """The chosen features of points ``x`` ``(n, 2)``: an array ``(n, len(names))``, float32,
    columns in the order of :data:`FEATURES`."""
    x = np.asarray(x, dtype="float32")
    x1, x2 = x[:, 0], x[:, 1]
    columns = [FEATURES[name][2](x1, x2) for name in check_features(names)]
    return np.stack(columns, axis=1).astype("float32")


def features_code(names: list[str] | tuple[str, ...]) -> str:
    """Python source of a ``features(x)`` function that computes the same columns."""
    names = check_features(names)
    columns = ", ".join(FEATURES[name][1] for name in names)
    return (f"def features(x):\n"
            f"    \"\"\"Points (n, 2) -> input features (n, {len(names)}): "
            f"{', '.join(names)}.\"\"\"\n"
            f"    x1, x2 = x[:, 0], x[:, 1]\n"
            f"    return np.stack([{columns}], axis=1).astype(\"float32\")\n")
