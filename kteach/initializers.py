"""Weight initializers, as ``keras.initializers``.

An initializer is called as ``init(shape, dtype=None)`` and returns a new NumPy array of that
shape and dtype (``floatx()``, i.e. float32, when dtype is None)::

    W = initializers.get("glorot_uniform")((784, 64), "float32")

Randomness. Without a seed, numbers come from kteach's generator
(:func:`kteach.engine.random.rng`), so ``set_random_seed(s)`` repeats a whole model, and two
calls give two different arrays. With ``seed=<int>``, every call draws from a fresh generator
made from that seed, so the same seed always gives the same array (as in Keras). The
*distributions* match Keras exactly; the numbers themselves do not, because Keras uses its
backend's generator. (Keras also repeats the numbers of an unseeded instance across calls;
kteach does not.)

Fans, as Keras computes them (:func:`compute_fans`): a vector (n,) has fan_in = fan_out = n;
a matrix (n_in, n_out) has fan_in = n_in, fan_out = n_out; a convolution kernel
(k1, ..., kd, c_in, c_out) has receptive field rf = k1 ··· kd, fan_in = c_in · rf and
fan_out = c_out · rf.

Names: the class name (``'GlorotUniform'``) or its snake_case (``'glorot_uniform'``), plus
Keras' aliases ``'uniform'``, ``'normal'``, ``'zero'``, ``'one'``. Case-sensitive, as Keras.
"""
from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Sequence

import numpy as np

from .engine import config
from .engine import random as kt_random
from .engine.errors import ShapeError, check_keywords, unknown_name_error

Shape = Sequence[int]


def _standardize(shape: Shape | int, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    """``shape`` as a tuple of ints and ``dtype`` as a NumPy dtype (None -> floatx())."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else shape
    return tuple(int(n) for n in shape), np.dtype(dtype or config.floatx())


def compute_fans(shape: Shape, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> tuple[int, int]:
    """``(fan_in, fan_out)``: how many numbers feed one output unit, and how many one input
    unit feeds. See the module docstring for the rules; ``input_axes``/``output_axes`` name
    the axes to multiply instead (Keras 3.15's option for unusual kernel layouts)."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (math.prod(shape[a] for a in input_axes),
                math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def truncated_normal(g: np.random.Generator, shape: tuple[int, ...], mean: float,
                     stddev: float) -> np.ndarray:
    """Normal(mean, stddev²) samples, each one beyond 2 stddev redrawn until it falls inside.
    (The result's standard deviation is 0.8796 stddev: truncation removes the tails.)"""
    z = g.standard_normal(shape)
    outside = np.abs(z) >= 2
    while outside.any():
        z[outside] = g.standard_normal(int(outside.sum()))
        outside = np.abs(z) >= 2
    return mean + stddev * z


class Initializer:
    """Base class: subclasses write ``__call__(shape, dtype=None) -> np.ndarray``."""

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__(shape, dtype).")

    def get_config(self) -> dict:
        """The constructor's arguments, as Keras' ``get_config()``."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> "Initializer":
        """A new initializer from :meth:`get_config`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ----- constants ---------------------------------------------------------------------------
class Zeros(Initializer):
    """All zeros (Keras' default for biases)."""

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        return np.zeros(shape, dtype)


class Ones(Initializer):
    """All ones (BatchNormalization's gamma)."""

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        return np.ones(shape, dtype)


class Constant(Initializer):
    """Every entry equal to ``value`` (a number, or an array that broadcasts to the shape)."""

    @check_keywords
    def __init__(self, value: Any = 0.0):
        self.value = value

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        return np.broadcast_to(np.asarray(self.value, dtype), shape).copy()

    def get_config(self) -> dict:
        return {"value": self.value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; a non-square one gets ones on its
    main diagonal)."""

    @check_keywords
    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        if len(shape) != 2:
            raise ShapeError(f"Identity can only fill a 2-D matrix, not shape {shape}. "
                             f"Use it for square kernels such as a recurrent kernel.")
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self) -> dict:
        # Keras 3.15 writes Identity's config as {} (its gain is left out); kteach does the
        # same for the default gain and keeps any other.
        return {} if self.gain == 1.0 else {"gain": self.gain}


# ----- random ------------------------------------------------------------------------------
class RandomInitializer(Initializer):
    """Base of the random initializers: holds the ``seed`` and picks the generator."""

    def __init__(self, seed: int | None = None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer or None, not {seed!r}. "
                            f"Pass e.g. seed=42 to get the same weights every time.")
        self.seed = seed

    def generator(self) -> np.random.Generator:
        """A fresh generator from ``seed`` (same numbers every call) or kteach's own."""
        if self.seed is None:
            return kt_random.rng()
        return np.random.default_rng(self.seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomUniform(RandomInitializer):
    """Uniform on [minval, maxval)."""

    @check_keywords
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        return self.generator().uniform(self.minval, self.maxval, shape).astype(dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class _MeanAndStddev(RandomInitializer):
    """The arguments RandomNormal and TruncatedNormal share."""

    @check_keywords
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomNormal(_MeanAndStddev):
    """Normal with mean ``mean`` and standard deviation ``stddev``."""

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        return self.generator().normal(self.mean, self.stddev, shape).astype(dtype)


class TruncatedNormal(_MeanAndStddev):
    """Normal(mean, stddev²) with every draw beyond 2 stddev from the mean drawn again."""

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        return truncated_normal(self.generator(), shape, self.mean, self.stddev).astype(dtype)


# A standard normal truncated at ±2 has standard deviation 0.8796; dividing by it makes the
# truncated samples' standard deviation sqrt(scale / n) as promised.
TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978


class VarianceScaling(RandomInitializer):
    """Random weights whose variance is ``scale / n``, with n from the fans:

    - ``mode='fan_in'``: n = fan_in; ``'fan_out'``: n = fan_out;
      ``'fan_avg'``: n = (fan_in + fan_out) / 2 (n is at least 1).
    - ``distribution='uniform'``: U(-limit, limit) with limit = sqrt(3 scale / n).
    - ``'truncated_normal'`` (also spelt ``'normal'``): truncated at 2 stddev with
      stddev = sqrt(scale / n) / 0.87962566103423978, so the *truncated* samples have
      standard deviation sqrt(scale / n).
    - ``'untruncated_normal'``: N(0, scale / n).
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")

    @check_keywords
    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        if not scale > 0:
            raise ValueError(f"VarianceScaling needs a positive scale (the target variance "
                             f"times n), but got scale={scale!r}.")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras' older name for the truncated one
            distribution = "truncated_normal"
        if mode not in self.MODES:
            raise unknown_name_error("VarianceScaling mode", mode, self.MODES)
        if distribution not in self.DISTRIBUTIONS:
            raise unknown_name_error("VarianceScaling distribution", distribution,
                                     self.DISTRIBUTIONS)
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def variance(self, shape: Shape) -> float:
        """The target variance ``scale / n`` for a weight of this shape."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return self.scale / max(1.0, n)

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        var, g = self.variance(shape), self.generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3 * var)
            w = g.uniform(-limit, limit, shape)
        elif self.distribution == "truncated_normal":
            w = truncated_normal(g, shape, 0.0, math.sqrt(var) / TRUNCATED_STDDEV_CORRECTION)
        else:
            w = g.normal(0.0, math.sqrt(var), shape)
        return w.astype(dtype)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config(), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed: only the seed (and the
    fan axes) are arguments."""

    def get_config(self) -> dict:
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform, Keras' default kernel initializer:
    U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""

    @check_keywords
    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(1.0, "fan_avg", "uniform", seed, input_axes, output_axes)


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal, std of the samples
    sqrt(2 / (fan_in + fan_out))."""

    @check_keywords
    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, input_axes, output_axes)


class HeUniform(_Preset):
    """He uniform (for relu layers): U(-limit, limit), limit = sqrt(6 / fan_in)."""

    @check_keywords
    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(2.0, "fan_in", "uniform", seed, input_axes, output_axes)


class HeNormal(_Preset):
    """He normal (for relu layers): truncated normal, std of the samples sqrt(2 / fan_in)."""

    @check_keywords
    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)


class LecunUniform(_Preset):
    """LeCun uniform (for selu layers): U(-limit, limit), limit = sqrt(3 / fan_in)."""

    @check_keywords
    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(1.0, "fan_in", "uniform", seed, input_axes, output_axes)


class LecunNormal(_Preset):
    """LeCun normal (for selu layers): truncated normal, std of the samples
    sqrt(1 / fan_in)."""

    @check_keywords
    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed, input_axes, output_axes)


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times ``gain`` (Keras' default for recurrent kernels).

    The shape is read as a matrix (prod(shape[:-1]), shape[-1]). Draw a normal matrix A of
    the taller orientation, factor A = QR, flip the signs of Q's columns so that diag(R) > 0
    (this makes Q uniformly distributed), transpose back if needed. The result has
    orthonormal columns (tall) or orthonormal rows (wide).
    """

    @check_keywords
    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        if len(shape) < 2:
            raise ShapeError(f"Orthogonal needs a shape with at least 2 dimensions, got "
                             f"{shape}. Use it for kernels, not for biases.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        A = self.generator().standard_normal((max(rows, cols), min(rows, cols)))
        Q, R = np.linalg.qr(A)
        Q = Q * np.sign(np.diag(R))
        if rows < cols:
            Q = Q.T
        return (self.gain * Q.reshape(shape)).astype(dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain, **super().get_config()}


# ----- names -------------------------------------------------------------------------------
_CLASSES = (Zeros, Ones, Constant, Identity, RandomUniform, RandomNormal, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal)
_SNAKE_NAMES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "identity": Identity,
                "random_uniform": RandomUniform, "random_normal": RandomNormal,
                "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
                "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
                "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
                "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
                # Keras' extra aliases
                "uniform": RandomUniform, "normal": RandomNormal, "zero": Zeros, "one": Ones}
_BY_NAME: dict[str, type] = {**_SNAKE_NAMES, **{cls.__name__: cls for cls in _CLASSES},
                             "OrthogonalInitializer": Orthogonal,
                             "IdentityInitializer": Identity}


def get(identifier: Any) -> Initializer | Callable | None:
    """The initializer for ``identifier``, as ``keras.initializers.get``.

    ``None`` -> None (as Keras: the caller decides); a name -> a new instance with default
    arguments (``'constant'`` fills with 0.0); a class -> a new instance; a NumPy array ->
    an initializer that returns a copy of it (the shape must match); an instance or any
    callable ``f(shape, dtype)`` -> itself. Unknown names raise UnknownNameError.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise unknown_name_error("initializer", identifier, _SNAKE_NAMES)
        return _BY_NAME[identifier]()
    if isinstance(identifier, np.ndarray):
        return _from_array(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise unknown_name_error("initializer", str(identifier), _SNAKE_NAMES)


def _from_array(value: np.ndarray) -> Callable:
    """An initializer that hands out copies of ``value`` (cast to the requested dtype)."""

    def from_array(shape: Shape, dtype: Any = None) -> np.ndarray:
        shape, dtype = _standardize(shape, dtype)
        if shape != value.shape:
            raise ShapeError(f"The array given as initializer has shape {value.shape}, but the "
                             f"weight has shape {shape}. Pass an array of shape {shape}.")
        return value.astype(dtype)

    return from_array


def serialize(initializer: Any) -> str:
    """The snake_case name of a built-in initializer's class (for summaries), else the name of
    the callable."""
    for name, cls in _SNAKE_NAMES.items():
        if type(initializer) is cls:
            return name
    return getattr(initializer, "__name__", type(initializer).__name__)


def deserialize(name: str) -> Initializer:
    """A new initializer from its name: the same as ``get(name)``."""
    return get(name)


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from .engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
