"""Preprocessing layers that put data into shape inside the model: Rescaling (``x·scale +
offset``), Normalization (standardise with a mean and variance, given or learnt by ``adapt``),
CenterCrop (keep the middle of each image), Resizing (a fixed linear mix of pixels) and
RandomFlip (augmentation, active only in training). Each is linear or affine in its input,
so each backward is short; none has trainable weights.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import config, random
from ..engine.errors import NotSupportedError
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from .convolutional import check_channels_last, check_spatial_input


def _as_float(x: np.ndarray, dtype: str) -> np.ndarray:
    """Images often arrive as uint8: integers are computed in the layer's float dtype, as
    Keras does (floats stay as they are, as in kteach's other layers)."""
    return x if x.dtype.kind == "f" else x.astype(dtype)


# ----- Rescaling --------------------------------------------------------------------------------
class Rescaling(Layer):
    """Scale and shift every value: ``y = x · scale + offset`` (``Rescaling(1/255)`` maps
    pixels 0..255 to 0..1, ``Rescaling(1/127.5, offset=-1)`` to −1..1).

    Shapes: x and y the same, any shape (``scale`` and ``offset`` broadcast); integer
    inputs become floats.

    Backward: ``dx = scale · dy``.
    """

    _config_keys = ("scale", "offset")
    _keras_build_config = True     # Keras' preprocessing layers write their input shape

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for what, value in (("scale", scale), ("offset", offset)):
            try:
                np.asarray(value, dtype="float64")
            except (TypeError, ValueError):
                raise ValueError(f"The `{what}` argument of Rescaling must be a number (or an "
                                 f"array of numbers), received {what}={value!r}. For example "
                                 f"Rescaling(1/255) for pixels.") from None
        self.scale, self.offset = scale, offset

    def forward(self, x, training=False):
        x = _as_float(x, self.dtype)
        scale = np.asarray(self.scale, dtype=x.dtype)
        return x * scale + np.asarray(self.offset, dtype=x.dtype), scale

    def backward(self, scale, dy):
        return dy * scale, []

    def formula(self, input_shape, output_shape):
        return (f"y = x·{self.scale:g} + {self.offset:g} : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")


# ----- Normalization ----------------------------------------------------------------------------
class Normalization(Layer):
    """Standardise features: ``y = (x − μ) / max(σ, ε)`` with ``σ = √variance`` and ``ε`` the
    backend epsilon (10⁻⁷). ``μ`` and ``variance`` are given, or learnt from data by
    ``adapt(data)`` (the mean and the population variance over every axis but ``axis``).
    ``invert=True`` undoes it: ``y = μ + x · max(σ, ε)``.

    Shapes: ``axis`` (default −1: one μ, σ per feature) keeps its sizes; the weights ``mean``
    and ``variance`` have those sizes (non-trainable, with Keras' ``count``).

    Backward: ``dx = dy / max(σ, ε)`` (``dx = dy · max(σ, ε)`` inverted).
    """

    _config_keys = ("axis", "invert", "mean", "variance")

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            self.axis = ()
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = (int(axis),)
        elif isinstance(axis, (tuple, list)) and all(isinstance(a, (int, np.integer)) for a in axis):
            self.axis = tuple(int(a) for a in axis)
        else:
            raise ValueError(f"The `axis` argument of Normalization must be an int, a tuple of "
                             f"ints or None, received axis={axis!r}.")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both `mean` and `variance`, or neither (then "
                             "call layer.adapt(data) to learn them).")
        self.mean, self.variance, self.invert = mean, variance, bool(invert)
        self._adapted = mean is not None

    def forward(self, x, training=False):
        x = _as_float(x, self.dtype)
        mu, sigma = self._mu_sigma(x.dtype)
        y = mu + x * sigma if self.invert else (x - mu) / sigma
        return y, sigma

    def backward(self, sigma, dy):
        dx = dy * sigma if self.invert else dy / sigma
        return dx, [None] * len(self.weights)       # mean, variance, count are not trained

    def _kept(self, ndim: int) -> tuple:
        return tuple(sorted(a % ndim for a in self.axis))

    def build(self, input_shape):
        kept = self._kept(len(input_shape))
        if 0 in kept:
            raise ValueError(f"Normalization '{self.name}' cannot keep the batch axis 0 "
                             f"(axis={self.axis}); give the feature axes, e.g. axis=-1.")
        if any(input_shape[a] is None for a in kept):
            raise ValueError(f"Normalization '{self.name}' needs a known size on axis "
                             f"{self.axis} of its input {format_shape(input_shape)}.")
        self._broadcast = tuple(input_shape[a] if a in kept else 1 for a in range(len(input_shape)))
        if self.mean is None:      # learnt by adapt(): weights, as in Keras
            shape = tuple(input_shape[a] for a in kept)
            self.mean_weight = self.add_weight(shape=shape, initializer="zeros",
                                               trainable=False, name="mean")
            self.variance_weight = self.add_weight(shape=shape, initializer="ones",
                                                   trainable=False, name="variance")
            self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False,
                            name="count")

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        """Learn μ and the variance of ``data`` (an array of samples) over every axis but
        ``axis``. Later calls use them; adapting again replaces them."""
        if self.mean is not None:
            raise ValueError(f"Normalization '{self.name}' was given its mean and variance; "
                             f"adapt() learns them only when they are not given.")
        x = np.asarray(data, dtype="float64")
        if x.ndim == 1:
            x = x[:, np.newaxis]
        if not self.built:
            self._build_input_shape = tuple(x.shape)    # Keras records the data's shape
            self.build(tuple(x.shape))
            self.built = True
        kept = self._kept(x.ndim)
        reduce = tuple(a for a in range(x.ndim) if a not in kept)
        self.mean_weight.assign(x.mean(axis=reduce).astype(self.dtype))
        self.variance_weight.assign(x.var(axis=reduce).astype(self.dtype))
        self._adapted = True

    def _mu_sigma(self, dtype):
        if self.mean is not None:
            mu, var = np.asarray(self.mean, dtype), np.asarray(self.variance, dtype)
        else:
            mu, var = self.mean_weight.value, self.variance_weight.value
        sigma = np.maximum(np.sqrt(var.astype(dtype)), config.epsilon())
        return mu.astype(dtype).reshape(self._broadcast), sigma.reshape(self._broadcast)

    def formula(self, input_shape, output_shape):
        what = "y = μ + x·max(σ, ε)" if self.invert else "y = (x − μ) / max(σ, ε)"
        return f"{what} : {format_shape(input_shape)} → {format_shape(output_shape)}"

    def get_config(self) -> dict:
        config_ = super().get_config()
        for key in ("mean", "variance"):     # arrays as lists, as a JSON config holds them
            if config_[key] is not None:
                config_[key] = np.asarray(config_[key]).tolist()
        return config_


# ----- CenterCrop -------------------------------------------------------------------------------
class _ToHeightWidth(Layer):
    """What CenterCrop and Resizing share: images ``(batch, H, W, channels)`` in,
    ``(batch, height, width, channels)`` out."""

    def build(self, input_shape):
        check_spatial_input(self, input_shape, 2)

    def compute_output_shape(self, input_shape):
        check_spatial_input(self, input_shape, 2)
        return (input_shape[0], self.height, self.width, input_shape[3])


class CenterCrop(_ToHeightWidth):
    """Keep the central ``height × width`` of each image:
    ``y = x[:, t : t + height, l : l + width]`` with ``t = ⌊(H − height)/2⌋``,
    ``l = ⌊(W − width)/2⌋``. An image smaller than the target on either side is first cut to
    the largest central window of the target's aspect ratio, then resized (bilinear) to the
    target, as Keras' ``smart_resize``: ``y = A_h·x·A_wᵀ`` per channel.

    Shapes: x ``(batch, H, W, C)``, y ``(batch, height, width, C)``.

    Backward: ``dy`` goes back to the middle, zeros around it; after a resize
    ``dx = A_hᵀ·dy·A_w``.
    """

    _config_keys = ("data_format", "height", "width")
    _keras_build_config = True     # Keras' preprocessing layers write their input shape

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "CenterCrop")
        self.data_format = "channels_last"
        for what, n in (("height", height), ("width", width)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
                raise ValueError(f"The `{what}` argument of CenterCrop must be a positive "
                                 f"integer, received {what}={n!r}. For example "
                                 f"CenterCrop(height=24, width=24).")
        self.height, self.width = int(height), int(width)

    def forward(self, x, training=False):
        x = _as_float(x, self.dtype)
        H, W = x.shape[1], x.shape[2]
        if H < self.height or W < self.width:
            A_h, A_w = window_matrices(H, W, self.height, self.width, "bilinear", x.dtype)
            return np.einsum("ih,bhwc,jw->bijc", A_h, x, A_w, optimize=True), (A_h, A_w)
        t, l = (H - self.height) // 2, (W - self.width) // 2
        return x[:, t:t + self.height, l:l + self.width], (x.shape, t, l)

    def backward(self, cache, dy):
        if len(cache) == 2:
            A_h, A_w = cache
            return np.einsum("ih,bijc,jw->bhwc", A_h, dy, A_w, optimize=True), []
        shape, t, l = cache
        dx = np.zeros(shape, dtype=dy.dtype)
        dx[:, t:t + self.height, l:l + self.width] = dy
        return dx, []

    def formula(self, input_shape, output_shape):
        return (f"y = the central {self.height}×{self.width} of x : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ----- Resizing ---------------------------------------------------------------------------------
def interpolation_matrix(n_in: int, n_out: int, interpolation: str) -> np.ndarray:
    """``A (n_out, n_in)`` with ``y = A · x`` along one axis. Output pixel ``i`` reads the
    input at ``s = (i + ½)·n_in/n_out − ½`` (pixel centres line up): ``'nearest'`` takes pixel
    ``⌊(i + ½)·n_in/n_out⌋``; ``'bilinear'`` mixes the two pixels around ``s`` by distance
    (``s`` clamped to the image)."""
    i = np.arange(n_out)
    A = np.zeros((n_out, n_in))
    if interpolation == "nearest":
        A[i, np.minimum(((i + 0.5) * n_in / n_out).astype(int), n_in - 1)] = 1.0
        return A
    s = np.clip((i + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    lo = np.floor(s).astype(int)
    hi = np.minimum(lo + 1, n_in - 1)
    w = s - lo
    np.add.at(A, (i, lo), 1 - w)
    np.add.at(A, (i, hi), w)
    return A


def window_matrices(H: int, W: int, h: int, w: int, interpolation: str,
                    dtype) -> tuple[np.ndarray, np.ndarray]:
    """``A_h (h, H)``, ``A_w (w, W)`` that resize the largest central window of aspect ratio
    ``h : w`` (``H_win = min(H, ⌊W·h/w⌋)`` rows from ``⌊(H − H_win)/2⌋``, likewise columns)
    to ``h × w``: the window's columns of ``A`` hold :func:`interpolation_matrix`, the
    others are zero (pixels outside the window are not read)."""
    h_win, w_win = max(min(H, int(W * h / w)), 1), max(min(W, int(H * w / h)), 1)
    t, l = int((H - h_win) / 2), int((W - w_win) / 2)
    A_h, A_w = np.zeros((h, H), dtype), np.zeros((w, W), dtype)
    A_h[:, t:t + h_win] = interpolation_matrix(h_win, h, interpolation)
    A_w[:, l:l + w_win] = interpolation_matrix(w_win, w, interpolation)
    return A_h, A_w


class Resizing(_ToHeightWidth):
    """Resize images to ``height × width``. Each output pixel is a fixed mix of input pixels,
    so the layer is linear: ``y[b, :, :, c] = A_h · x[b, :, :, c] · A_wᵀ``, with A_h and A_w
    from :func:`interpolation_matrix` (``'bilinear'``, the default, or ``'nearest'``).
    ``crop_to_aspect_ratio=True`` first cuts the largest central window of the target's
    aspect ratio (:func:`window_matrices`), so the image is not distorted.

    Shapes: x ``(batch, H, W, C)``, y ``(batch, height, width, C)``, A_h ``(height, H)``,
    A_w ``(width, W)``.

    Backward: ``dx[b, :, :, c] = A_hᵀ · dy[b, :, :, c] · A_w``.
    """

    _config_keys = ("data_format", "height", "width", "interpolation", "crop_to_aspect_ratio",
                    "pad_to_aspect_ratio", "fill_mode", "fill_value", "antialias")
    _keras_build_config = True

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "Resizing")
        self.data_format = "channels_last"
        for what, n in (("height", height), ("width", width)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
                raise ValueError(f"The `{what}` argument of Resizing must be a positive "
                                 f"integer, received {what}={n!r}. For example "
                                 f"Resizing(height=64, width=64).")
        self.height, self.width = int(height), int(width)
        if interpolation not in ("bilinear", "nearest"):
            from ..engine.errors import unknown_name_error
            raise unknown_name_error("interpolation of Resizing", interpolation,
                                     ["bilinear", "nearest"])
        self.interpolation = interpolation
        for what, value in (("pad_to_aspect_ratio", pad_to_aspect_ratio), ("antialias", antialias)):
            if value:
                raise NotSupportedError(f"Resizing({what}=True) is not implemented in kteach; "
                                        f"use crop_to_aspect_ratio=True or resize the whole "
                                        f"image ({what}=False).")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = self.antialias = False
        self.fill_mode, self.fill_value = fill_mode, fill_value   # used only when padding

    def forward(self, x, training=False):
        x = _as_float(x, self.dtype)
        if self.crop_to_aspect_ratio:
            A_h, A_w = window_matrices(x.shape[1], x.shape[2], self.height, self.width,
                                       self.interpolation, x.dtype)
        else:
            A_h = interpolation_matrix(x.shape[1], self.height, self.interpolation).astype(x.dtype)
            A_w = interpolation_matrix(x.shape[2], self.width, self.interpolation).astype(x.dtype)
        y = np.einsum("ih,bhwc,jw->bijc", A_h, x, A_w, optimize=True)
        return y, (A_h, A_w)

    def backward(self, cache, dy):
        A_h, A_w = cache
        return np.einsum("ih,bijc,jw->bhwc", A_h, dy, A_w, optimize=True), []

    def formula(self, input_shape, output_shape):
        return (f"y = A_h·x·A_wᵀ ({self.interpolation}) : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")


# ----- RandomFlip -------------------------------------------------------------------------------
class RandomFlip(Layer):
    """In training, flip each image left–right (``mode='horizontal'``), upside down
    (``'vertical'``) or each of the two independently (``'horizontal_and_vertical'``, the
    default), each with probability ½: ``y[b] = x[b, ::±1, ::±1]``. At inference ``y = x``.

    Shapes: x and y ``(batch, H, W, C)``.

    Backward: ``dy[b]`` is flipped the same way (a flip is its own inverse).
    """

    _config_keys = ("data_format", "seed", "mode")
    _keras_build_config = True
    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format, "RandomFlip")
        self.data_format = "channels_last"
        if mode not in self.MODES:
            from ..engine.errors import unknown_name_error
            raise unknown_name_error("mode of RandomFlip", mode, self.MODES)
        self.mode, self.seed = mode, seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, x, training=False):
        x = _as_float(x, self.dtype)
        if not training:
            return x, None
        rng = self._rng or random.rng()
        b = x.shape[0]
        cols = rng.random(b) < 0.5 if "horizontal" in self.mode else np.zeros(b, bool)
        rows = rng.random(b) < 0.5 if "vertical" in self.mode else np.zeros(b, bool)
        return self._flip(x, rows, cols), (rows, cols)

    def backward(self, cache, dy):
        return dy if cache is None else self._flip(dy, *cache), []

    def build(self, input_shape):
        check_spatial_input(self, input_shape, 2)

    def formula(self, input_shape, output_shape):
        return (f"y = x flipped ({self.mode}, p = ½ each) in training, y = x otherwise : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")

    def _flip(self, x, rows, cols):
        x = np.where(rows[:, None, None, None], x[:, ::-1], x)
        return np.where(cols[:, None, None, None], x[:, :, ::-1], x)


# ----- RandomRotation, RandomZoom, RandomTranslation: one affine sampler -------------------------
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _fill_index(i: np.ndarray, n: int, fill_mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Where tap ``i`` of an axis of ``n`` pixels reads, and whether it reads the image at all
    (``'constant'`` reads ``fill_value`` outside). ``'reflect'``: d c b a | a b c d | d c b a;
    ``'wrap'``: a b c d | a b c d; ``'nearest'``: a a a | a b c d | d d d."""
    if fill_mode == "constant":
        inside = (i >= 0) & (i < n)
        return np.clip(i, 0, n - 1), inside
    if fill_mode == "wrap":
        return i % n, np.ones(i.shape, bool)
    if fill_mode == "nearest":
        return np.clip(i, 0, n - 1), np.ones(i.shape, bool)
    i = i % (2 * n)                                    # reflect: period 2n, mirrored half
    return np.where(i < n, i, 2 * n - 1 - i), np.ones(i.shape, bool)


class _AffineAugmentation(Layer):
    """In training, each image is resampled: output pixel ``(r, c)`` reads the input at
    ``(r_in, c_in)``, an affine function of ``(r, c)`` drawn per image (``_source``). The read
    mixes the 4 pixels around it (``'bilinear'``) or takes the nearest (``'nearest'``); taps
    outside the image follow ``fill_mode``. So ``y[b, r, c] = Σ_taps w · x[b, i, j]`` (+ the
    constant ``w · fill_value`` of taps outside, in ``'constant'`` mode). At inference
    ``y = x``.

    Shapes: x and y ``(batch, H, W, C)``.

    Backward: each tap's pixel gets its share back, ``dx[b, i, j] += w · dy[b, r, c]``.
    """

    _keras_build_config = True

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        check_channels_last(data_format, kind)
        self.data_format = "channels_last"
        from ..engine.errors import unknown_name_error
        if fill_mode not in FILL_MODES:
            raise unknown_name_error(f"fill_mode of {kind}", fill_mode, FILL_MODES)
        if interpolation not in ("bilinear", "nearest"):
            raise unknown_name_error(f"interpolation of {kind}", interpolation,
                                     ["bilinear", "nearest"])
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.seed, self.fill_value = seed, float(fill_value)
        self._rng = None if seed is None else np.random.default_rng(seed)

    def forward(self, x, training=False):
        x = _as_float(x, self.dtype)
        if not training:
            return x, None
        B, H, W, _ = x.shape
        rows, cols = np.meshgrid(np.arange(H, dtype="float64"), np.arange(W, dtype="float64"),
                                 indexing="ij")
        r_in, c_in = self._source(rows[None], cols[None], B, H, W, self._rng or random.rng())
        if self.interpolation == "nearest":
            taps = [(np.round(r_in), np.round(c_in), np.ones(r_in.shape))]
        else:
            r0, c0 = np.floor(r_in), np.floor(c_in)
            fr, fc = r_in - r0, c_in - c0
            taps = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc),
                    (r0 + 1, c0, fr * (1 - fc)), (r0 + 1, c0 + 1, fr * fc)]
        b = np.arange(B)[:, None, None]
        y = np.zeros_like(x)
        reads = []
        for r, c, w in taps:
            i, in_r = _fill_index(r.astype(int), H, self.fill_mode)
            j, in_c = _fill_index(c.astype(int), W, self.fill_mode)
            inside = in_r & in_c
            w_in = (w * inside)[..., None].astype(x.dtype)
            y += w_in * x[b, i, j] + (w * ~inside)[..., None] * self.fill_value
            reads.append((i, j, w_in))
        return y, (x.shape, reads)

    def backward(self, cache, dy):
        if cache is None:
            return dy, []
        shape, reads = cache
        dx = np.zeros(shape, dtype=dy.dtype)
        b = np.broadcast_to(np.arange(shape[0])[:, None, None], dy.shape[:3])
        for i, j, w_in in reads:
            np.add.at(dx, (b, i, j), w_in * dy)
        return dx, []

    def build(self, input_shape):
        check_spatial_input(self, input_shape, 2)

    def _factor(self, value, what: str, lowest: float) -> tuple[float, float]:
        """``f`` → ``(−f, f)``; ``(lo, hi)`` stays; bounds ``>= lowest``, ``lo <= hi``."""
        items = (-value, value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else value
        ok = (isinstance(items, (tuple, list)) and len(items) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in items)
            and lowest <= items[0] <= items[1])
        if not ok:
            raise ValueError(f"The `{what}` argument of {type(self).__name__} must be a number "
                             f"f (for the range [−f, f]) or a tuple (lower, upper) with "
                             f"{lowest:g} <= lower <= upper; received {what}={value!r}.")
        return float(items[0]), float(items[1])

    def formula(self, input_shape, output_shape):
        return (f"y[r, c] = x at an affine (r_in, c_in) per image, {self.interpolation}, "
                f"fill_mode='{self.fill_mode}', in training; y = x otherwise : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


class RandomRotation(_AffineAugmentation):
    """Rotate each image by an angle ``θ = 2π·u``, ``u ~ U(factor)`` (``factor=0.1``: up to
    ±36°), about its centre ``(c_r, c_c) = ((H − 1)/2, (W − 1)/2)``:
    ``c_in = cos θ·(c − c_c) − sin θ·(r − c_r) + c_c``,
    ``r_in = sin θ·(c − c_c) + cos θ·(r − c_r) + c_r``.

    Shapes and Backward: those of the sampler, :class:`_AffineAugmentation`.
    """

    _config_keys = ("data_format", "factor", "fill_mode", "fill_value", "interpolation", "seed")

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, value_range=(0, 255), data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = self._factor(factor, "factor", -float("inf"))

    def _source(self, r, c, B, H, W, rng):
        theta = np.deg2rad(rng.uniform(self.factor[0] * 360, self.factor[1] * 360, size=B))
        cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
        c_r, c_c = (H - 1) / 2, (W - 1) / 2
        return sin * (c - c_c) + cos * (r - c_r) + c_r, cos * (c - c_c) - sin * (r - c_r) + c_c


class RandomZoom(_AffineAugmentation):
    """Zoom each image about its centre by ``z = 1 + u``, ``u ~ U(height_factor)`` for rows and
    ``U(width_factor)`` for columns (the row's ``z`` when ``width_factor`` is None). ``u > 0``
    zooms out (the image shrinks), ``u < 0`` zooms in:
    ``r_in = c_r + z_r·(r − c_r)``, ``c_in = c_c + z_c·(c − c_c)``.

    Shapes and Backward: those of the sampler, :class:`_AffineAugmentation`.
    """

    _config_keys = ("data_format", "height_factor", "width_factor", "fill_mode",
                    "interpolation", "seed", "fill_value")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._rows = self._factor(height_factor, "height_factor", -1.0)
        self._cols = None if width_factor is None else self._factor(width_factor, "width_factor",
                                                                    -1.0)

    def _source(self, r, c, B, H, W, rng):
        z_r = 1 + rng.uniform(*self._rows, size=B)[:, None, None]
        z_c = z_r if self._cols is None else 1 + rng.uniform(*self._cols, size=B)[:, None, None]
        c_r, c_c = (H - 1) / 2, (W - 1) / 2
        return c_r + z_r * (r - c_r), c_c + z_c * (c - c_c)


class RandomTranslation(_AffineAugmentation):
    """Shift each image by ``u_r·H`` rows and ``u_c·W`` columns, ``u_r ~ U(height_factor)``,
    ``u_c ~ U(width_factor)`` (positive: down and right): ``r_in = r − u_r·H``,
    ``c_in = c − u_c·W``.

    Shapes and Backward: those of the sampler, :class:`_AffineAugmentation`.
    """

    _config_keys = ("data_format", "height_factor", "width_factor", "fill_mode",
                    "interpolation", "seed", "fill_value")

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._rows = self._factor(height_factor, "height_factor", -1.0)
        self._cols = self._factor(width_factor, "width_factor", -1.0)

    def _source(self, r, c, B, H, W, rng):
        u_r = rng.uniform(*self._rows, size=B)[:, None, None]
        u_c = rng.uniform(*self._cols, size=B)[:, None, None]
        return r - u_r * H, c - u_c * W
