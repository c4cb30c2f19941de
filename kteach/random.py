"""Random numbers, as ``keras.random``: normal, uniform, randint, truncated_normal,
categorical, dropout, shuffle, and the SeedGenerator that feeds them.

Where the numbers come from -- the ``seed`` argument, with Keras 3's rules:

* ``seed=None`` (the default): kteach's one global generator, the one that also initialises
  weights and draws Dropout masks. Every call gives new numbers;
  ``kteach.utils.set_random_seed(s)`` restarts it, so a seeded script repeats exactly.
* ``seed=42`` (an int): *stateless*. The same seed gives the same numbers on every call --
  handy for a fixed example, surprising in a loop ("why is my noise always the same?").
* ``seed=SeedGenerator(42)``: a small generator of seeds with its own state ``[seed,
  counter]``. Each call uses the current state and then advances the counter, so successive
  calls differ, while a fresh ``SeedGenerator(42)`` repeats the same sequence. Its first draw
  is the state ``[42, 0]``, which is also what ``seed=42`` uses, so ``normal(s, seed=42)``
  equals the first ``normal(s, seed=SeedGenerator(42))`` (as in Keras).

Every state is turned into numbers by NumPy's ``np.random.default_rng(state)``. Each Keras
backend has its own generator (JAX's threefry, TensorFlow's Philox, torch's Mersenne
Twister, NumPy for the NumPy backend), so the *numbers* here never equal Keras' numbers for
the same seed; the distributions, shapes, dtypes and seed rules are the same.

Where kteach is stricter than Keras 3 (which accepts these silently): ``dropout`` refuses a
``rate`` outside ``[0, 1)`` (Keras returns zeros for 1.0 and any rate above, and scales up for a
negative one); ``uniform`` and ``randint`` refuse ``minval >= maxval`` (Keras returns ``minval``
everywhere); a NumPy integer is accepted as a seed, a bool is not.

Backends also disagree on ``shuffle`` of an array with more than one axis: TensorFlow and
torch move whole slices (rows stay rows for ``axis=0``), JAX and NumPy shuffle every line
along ``axis`` on its own (``jax.random.permutation(..., independent=True)``), which breaks
rows apart. kteach moves whole slices: shuffling a data set keeps each example together.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import config
from .engine import random as _global
from .engine.arrays import plain, record_op
from .engine.errors import check_keywords, KteachError
from .engine.naming import unique_name
from .engine.variable import Variable


class RandomArgumentError(KteachError, ValueError):
    """A random function got an argument it cannot use (a bad seed, shape, rate or range)."""


# ===================================================================== seeds
def _check_seed(seed: Any, where: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RandomArgumentError(
            f"{where}: argument `seed` must be an integer or a SeedGenerator, but received "
            f"seed={seed!r} (of type {type(seed).__name__}). Use seed=42 for the same numbers "
            f"on every call, seed=kteach.random.SeedGenerator(42) for new numbers on each call "
            f"that repeat from run to run, or leave seed=None.")
    return int(seed)


class SeedGenerator:
    """A generator of seeds: its ``state`` is ``[seed, counter]``, and each :meth:`next`
    returns the state and then adds 1 to the counter.

    Give one to a random function (``seed=gen``) to get new numbers on every call that
    still repeat from run to run. ``SeedGenerator()`` without a seed takes one from kteach's
    global generator, so ``kteach.utils.set_random_seed`` makes it repeat too.
    """

    def __init__(self, seed: int | None = None, name: str | None = None):
        self._initial_seed = seed
        if seed is None:
            seed = int(_global.rng().integers(1, 10**9))
        seed = _check_seed(seed, "SeedGenerator")
        self.name = unique_name("seed_generator") if name is None else name
        self.state = np.array([seed, 0], dtype="int64")

    def next(self) -> np.ndarray:
        """The current state (a copy), then advance the counter."""
        drawn = self.state.copy()
        self.state[1] += 1
        return drawn

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name}, state=[{self.state[0]}, {self.state[1]}]>"


def _generator(seed: Any, where: str) -> np.random.Generator:
    """The NumPy generator one call draws from: the global one for ``seed=None``, a fresh
    one made from ``[seed, 0]`` for an int, from the next state for a SeedGenerator."""
    if seed is None:
        return _global.rng()
    if isinstance(seed, SeedGenerator):
        state = seed.next()
    else:
        state = np.array([_check_seed(seed, where), 0], dtype="int64")
    # NumPy's seeding wants non-negative numbers; a negative seed counts as its 64-bit pattern.
    return np.random.default_rng([int(s) % 2**64 for s in state])


# ===================================================================== argument checks
def _shape(shape: Any, where: str) -> tuple[int, ...]:
    """``shape`` (an int or a sequence of ints) as a tuple of non-negative ints."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        dims = None
    if dims is None or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0
                           for d in dims):
        raise RandomArgumentError(
            f"{where}: `shape` must be a tuple of non-negative ints such as (2, 3), but "
            f"received shape={shape!r}. Random numbers need every size known (no None).")
    return tuple(int(d) for d in dims)


def _float_dtype(dtype: Any, where: str) -> np.dtype:
    dtype = np.dtype(config.floatx() if dtype is None else dtype)
    if dtype.kind != "f":
        raise RandomArgumentError(
            f"{where} draws real numbers, so `dtype` must be a float type such as 'float32', "
            f"but received dtype={dtype.name!r}. For whole numbers use kteach.random.randint.")
    return dtype


def _int_dtype(dtype: Any, where: str) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu":
        raise RandomArgumentError(
            f"{where} draws whole numbers, so `dtype` must be an integer type such as 'int32', "
            f"but received dtype={dtype.name!r}.")
    return dtype


def _check_range(minval: Any, maxval: Any, where: str) -> None:
    if not np.all(np.asarray(minval) < np.asarray(maxval)):
        raise RandomArgumentError(
            f"{where} needs minval < maxval (values come from [minval, maxval)), but received "
            f"minval={minval!r} and maxval={maxval!r}. Swap them, or widen the range.")


def _check_stddev(stddev: Any, where: str) -> None:
    if not np.all(np.asarray(stddev) >= 0):
        raise RandomArgumentError(
            f"{where}: `stddev` is a standard deviation, so it cannot be negative; received "
            f"stddev={stddev!r}.")


def _as_array(x: Any) -> np.ndarray:
    """``x`` as an array: arrays keep their dtype, Python floats become floatx()."""
    if isinstance(x, Variable):
        return x.value
    a = np.asarray(plain(x))
    if not isinstance(x, np.ndarray) and a.dtype == np.float64:
        a = a.astype(config.floatx())
    return a


# ===================================================================== distributions
@check_keywords
def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> np.ndarray:
    """Samples of the normal distribution ``N(mean, stddev²)``, of the given shape.

    ``y = mean + stddev · z`` with ``z ~ N(0, 1)``; dtype defaults to ``floatx()``.
    """
    shape = _shape(shape, "normal")
    dtype = _float_dtype(dtype, "normal")
    _check_stddev(stddev, "normal")
    z = _generator(seed, "normal").standard_normal(shape)
    return (mean + stddev * z).astype(dtype)


@check_keywords
def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> np.ndarray:
    """Samples spread evenly over ``[minval, maxval)`` (``maxval`` itself never appears).

    ``y = minval + (maxval − minval) · u`` with ``u ~ U[0, 1)``; dtype defaults to ``floatx()``.
    """
    shape = _shape(shape, "uniform")
    dtype = _float_dtype(dtype, "uniform")
    _check_range(minval, maxval, "uniform")
    u = _generator(seed, "uniform").random(shape)
    y = (minval + (maxval - minval) * u).astype(dtype)
    # Rounding to float32 can turn a value just below maxval into maxval; step back below it.
    top = np.nextafter(np.asarray(maxval, dtype), np.asarray(-np.inf, dtype))
    return np.minimum(y, top).astype(dtype)


@check_keywords
def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> np.ndarray:
    """Whole numbers drawn evenly from ``minval, minval + 1, ..., maxval − 1``."""
    shape = _shape(shape, "randint")
    dtype = _int_dtype(dtype, "randint")
    for name, v in (("minval", minval), ("maxval", maxval)):
        if not np.all(np.mod(np.asarray(v), 1) == 0):
            raise RandomArgumentError(
                f"randint: `{name}` must be a whole number, but received {name}={v!r}.")
    _check_range(minval, maxval, "randint")
    low = np.asarray(minval).astype("int64")
    high = np.asarray(maxval).astype("int64")
    return _generator(seed, "randint").integers(low, high, size=shape).astype(dtype)


@check_keywords
def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> np.ndarray:
    """Normal samples that stay within two standard deviations of the mean.

    ``y = mean + stddev · z`` with ``z ~ N(0, 1)`` conditioned on ``|z| ≤ 2``: a ``z`` outside
    is drawn again. The result's std is about ``0.88 · stddev``.
    """
    shape = _shape(shape, "truncated_normal")
    dtype = _float_dtype(dtype, "truncated_normal")
    _check_stddev(stddev, "truncated_normal")
    rng = _generator(seed, "truncated_normal")
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():  # about 4.6 % of draws, so this loop ends after a few rounds
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return (mean + stddev * z).astype(dtype)


@check_keywords
def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> np.ndarray:
    """Class indices drawn from the distributions ``softmax(logits)``, row by row.

    ``logits``: ``(batch, num_classes)`` unnormalised log-probabilities → ``(batch,
    num_samples)`` indices, each row drawn from ``p = softmax(logits[i])``.
    Drawn by inverting the cumulative distribution: ``u ~ U[0, 1)`` picks the first class
    ``k`` with ``p_0 + ... + p_k > u``.
    """
    z = _as_array(logits).astype("float64")
    if z.ndim != 2:
        raise RandomArgumentError(
            f"categorical: `logits` must be 2-D, shaped (batch_size, num_classes), but has "
            f"shape {z.shape}. For one distribution, pass logits[None, :].")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) \
            or num_samples < 0:
        raise RandomArgumentError(
            f"categorical: `num_samples` must be a non-negative int, received {num_samples!r}.")
    dtype = _int_dtype(dtype, "categorical")
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)        # (batch, classes)
    u = _generator(seed, "categorical").random((z.shape[0], int(num_samples)))
    k = (u[:, :, None] >= cdf[:, None, :]).sum(axis=2)                 # classes below u
    return np.minimum(k, z.shape[1] - 1).astype(dtype)


# ===================================================================== differentiable ones
def _noise_shape(noise_shape: Any, x_shape: tuple) -> tuple[int, ...]:
    """Dropout's ``noise_shape`` with None filled in from the input's shape, checked to
    broadcast: ``(None, 1)`` on ``(4, 3)`` -> ``(4, 1)``, one decision per row."""
    if noise_shape is None:
        return x_shape
    dims = tuple(noise_shape)
    filled = tuple(s if n is None else n for n, s in zip(dims, x_shape))
    if len(dims) != len(x_shape) or any(n not in (s, 1) for n, s in zip(filled, x_shape)):
        raise RandomArgumentError(
            f"dropout: noise_shape {dims} does not fit inputs of shape {x_shape}: it needs "
            f"one entry per axis, each the axis' size, 1 (one decision shared along that "
            f"axis) or None (the input's size).")
    return filled


@check_keywords
def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Any:
    """Inverted dropout: each value is kept with probability ``1 − rate`` and scaled up.

    ``y = x · mask / (1 − rate)`` with ``mask ~ Bernoulli(1 − rate)`` of shape ``noise_shape``
    (default: the input's), broadcast to ``x``'s shape; ``E[y] = x``.
    Backward: ``dx = dy · mask / (1 − rate)`` (the same mask).
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)) \
            or not 0 <= rate < 1:
        raise RandomArgumentError(
            f"dropout: `rate` is the fraction of values to drop, a number in [0, 1), but "
            f"received rate={rate!r}. rate=0.5 drops half of them; rate=1 would drop them all.")
    x = _as_array(inputs)
    if x.dtype.kind != "f":
        x = x.astype(config.floatx())
    if rate == 0:  # nothing dropped, and nothing drawn (as in Keras)
        return record_op("dropout", [inputs], x.copy(), lambda dy: (dy,), "y = x (rate 0)")
    keep = 1.0 - float(rate)
    u = _generator(seed, "dropout").random(_noise_shape(noise_shape, x.shape))
    scale = np.broadcast_to((u < keep) / keep, x.shape).astype(x.dtype)   # mask / (1 − rate)
    y = x * scale

    def vjp(dy):
        return (dy * scale,)

    return record_op("dropout", [inputs], y, vjp,
                     f"y = x·mask/{keep:g}, mask ~ Bernoulli({keep:g}) : {x.shape} → {y.shape}")


@check_keywords
def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Any:
    """The slices of ``x`` along ``axis`` in a random order (whole slices move; see the
    module docstring for how backends differ).

    ``y = take(x, perm, axis)`` for a random permutation ``perm``.
    Backward: ``dx = take(dy, perm⁻¹, axis)``, each gradient slice back to where it came from.
    """
    a = _as_array(x)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) \
            or not -a.ndim <= axis < max(a.ndim, 1):
        raise RandomArgumentError(
            f"shuffle: `axis` must be an int from {-a.ndim} to {a.ndim - 1} for an input of "
            f"shape {a.shape}, but received axis={axis!r}.")
    if a.ndim == 0:
        return record_op("shuffle", [x], a.copy(), lambda dy: (dy,), "y = x (a scalar)")
    perm = _generator(seed, "shuffle").permutation(a.shape[axis])
    y = np.take(a, perm, axis=axis)

    def vjp(dy):
        return (np.take(dy, np.argsort(perm), axis=axis),)

    return record_op("shuffle", [x], y, vjp, f"y = x in a random order along axis {axis}")


__all__ = ["SeedGenerator", "categorical", "dropout", "normal", "randint", "shuffle",
           "truncated_normal", "uniform"]
