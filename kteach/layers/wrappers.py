"""Wrappers: layers that run another layer in a new way.

* :class:`TimeDistributed` applies one layer (or a whole Model) to every time step.
* :class:`Bidirectional` runs a recurrent layer forwards and a copy of it backwards and merges
  the two results.

A wrapper's weights are the weights of the layers it wraps (Keras' order), so
``get_weights()``/``set_weights()`` move between kteach and Keras unchanged.
"""
from __future__ import annotations

from contextlib import contextmanager

from typing import Any

import numpy as np

from ..engine import masking, naming
from ..engine.errors import ShapeError
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from ..engine.variable import Variable
from .recurrent import RecurrentLayer


class _Wrapper(Layer):
    """Weights and trainability come from the wrapped layers."""

    def _inner_layers(self) -> list[Layer]:
        raise NotImplementedError

    @property
    def weights(self) -> list[Variable]:
        return [w for layer in self._inner_layers() for w in layer.weights]

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [w for layer in self._inner_layers() for w in layer.trainable_weights]


# ===== TimeDistributed ===========================================================================
class TimeDistributed(_Wrapper):
    """Apply ``layer`` to every time step with the same weights: ``y[:, t] = layer(x[:, t])``.
    Time is folded into the batch, the layer runs once, and the result is unfolded.

    Shapes: x ``(b, T, ...)`` → ``(b·T, ...)`` → layer → ``(b·T, ...')`` → y ``(b, T, ...')``.
    ``layer`` may be a whole Model (one input, one output). Weights: the layer's.

    Backward: folded and unfolded the same way, ``dx[:, t] = layer's backward of dy[:, t]``
    as one batch, so ``dW`` sums over batch and time.

    Masks, as Keras 3: a mask ``(b, T, ...)`` is folded the same way and handed to a layer
    that takes one (``TimeDistributed(LSTM(8))`` over sentences of words gets each sentence's
    word mask); the mask goes on to the next layer unchanged.
    """

    _config_keys = ("layer",)

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            hint = (f" Pass an instance: TimeDistributed({layer.__name__}(...))."
                    if isinstance(layer, type) else "")
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `Layer` "
                             f"instance. Received: {layer!r}.{hint}")
        super().__init__(**kwargs)
        self.layer = layer

    def forward(self, x, training=False, mask=None):
        b, T = x.shape[:2]
        x_flat = x.reshape((b * T,) + x.shape[2:])
        if mask is not None and masking.takes_mask(self.layer):
            y_flat, cache = self.layer.forward(x_flat, training, mask=self._folded(mask, b, T))
        else:
            y_flat, cache = self.layer.forward(x_flat, training)
        y = y_flat.reshape((b, T) + y_flat.shape[1:])
        return y, (cache, x.shape)

    def _folded(self, mask: Any, b: int, T: int) -> np.ndarray:
        """The mask ``(b, T, ...)`` as the inner layer's batch ``(b·T, ...)``."""
        mask = np.asarray(masking.first_mask(mask), dtype=bool)
        if mask.shape[:2] != (b, T):
            raise ShapeError(
                f"`TimeDistributed` Layer should be passed a `mask` of shape ({b}, {T}, ...), "
                f"received: mask.shape={mask.shape}. The mask of TimeDistributed layer "
                f"'{self.name}' needs the input's batch and time axes first.")
        return mask.reshape((b * T,) + mask.shape[2:])

    def backward(self, cache, dy):
        inner_cache, x_shape = cache
        b, T = x_shape[:2]
        dx_flat, grads = self.layer.backward(inner_cache, dy.reshape((b * T,) + dy.shape[2:]))
        dx = None if dx_flat is None else dx_flat.reshape(x_shape)   # None: e.g. Embedding
        return dx, grads

    def _inner_layers(self) -> list[Layer]:
        return [self.layer]

    def _step_shape(self, input_shape: Any) -> tuple:
        """``(b, T, ...)`` → the shape the inner layer sees, ``(b, ...)``."""
        if isinstance(input_shape, list):
            raise ShapeError(f"TimeDistributed layer '{self.name}' takes one input tensor, "
                             f"not a list of {len(input_shape)}.")
        if len(input_shape) < 3:
            raise ShapeError(
                f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {format_shape(input_shape)}. It applies "
                f"'{self.layer.name}' to every step of (batch, timesteps, ...) data; for data "
                f"without a time axis use the layer itself.")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        with naming.name_scope(self.name), self._explained(input_shape):
            self.layer._maybe_build(self._step_shape(input_shape))

    def check_input_shape(self, shape):
        with self._explained(shape):
            self.layer.check_input_shape(self._step_shape(shape))

    @contextmanager
    def _explained(self, input_shape):
        """Say in TimeDistributed's terms when the inner layer refuses one time step."""
        try:
            yield
        except ShapeError as error:
            step = self._step_shape(input_shape)
            raise ShapeError(
                f"TimeDistributed('{self.layer.name}') gives '{self.layer.name}' one time step "
                f"at a time, of shape {format_shape(step)} (the input "
                f"{format_shape(tuple(input_shape))} without its time axis), and "
                f"'{self.layer.name}' refuses it: {error} Make each time step the shape the "
                f"inner layer expects, e.g. Input(shape=(timesteps, ...)) with the inner "
                f"layer's input shape after the time axis.") from None

    def compute_output_shape(self, input_shape):
        out = self.layer.compute_output_shape(self._step_shape(input_shape))
        if isinstance(out, list):
            raise ShapeError(f"TimeDistributed('{self.layer.name}') needs a layer with one "
                             f"output; this one has {len(out)}.")
        return (out[0], input_shape[1]) + tuple(out[1:])

    def formula(self, input_shape, output_shape):
        return (f"y[:, t] = {self.layer.name}(x[:, t]) for every t, run as one batch of b·T : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")


# ===== Bidirectional =============================================================================
MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(_Wrapper):
    """Read the sequence both ways and merge: ``y = merge(y_fw, y_bw)``.

    ``y_fw = forward_layer(x)`` reads steps 1 … T; ``y_bw = backward_layer(x)`` is a copy of
    the layer with ``go_backwards=True`` (own weights), reading T … 1. With
    ``return_sequences`` the backward sequence is flipped back first, so that position t of
    both holds step t. merge_mode: ``'concat'`` ``[y_fw, y_bw]`` on the last axis,
    ``'sum'``, ``'mul'``, ``'ave'`` elementwise, ``None`` the list ``[y_fw, y_bw]``.

    Shapes: x ``(batch, T, features)``; y_fw, y_bw ``(batch, u)`` or, with
    ``return_sequences``, ``(batch, T, u)``; y the same, with ``2u`` for 'concat'. With
    ``return_state`` the states follow: ``[y, fw states…, bw states…]``. Weights: the
    forward layer's, then the backward layer's. The copies are named ``forward_<name>`` and
    ``backward_<name>`` and made from ``layer.get_config()``; the layer passed in is only a
    template (it is not used and gets no weights), as in Keras.

    With a mask both copies skip the masked steps; with ``return_sequences`` they output
    zeros there (Keras sets ``zero_output_for_mask`` on its copies), and the mask goes on.

    Backward: the merge splits ``dy`` (concat: the two halves; sum: dy to both; ave: dy/2;
    mul: ``dy·y_bw`` and ``dy·y_fw``), the backward half is flipped like in forward, each
    copy backpropagates, and ``dx = dx_fw + dx_bw``.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, RecurrentLayer):
            raise ValueError(
                f"Please initialize `Bidirectional` layer with a recurrent layer (SimpleRNN, "
                f"LSTM or GRU) instance. Received: {layer!r}. Example: "
                f"Bidirectional(LSTM(32)).")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             f"be one of {{\"sum\", \"mul\", \"ave\", \"concat\", None}}")
        super().__init__(**kwargs)
        self.forward_layer = _copy(layer, "forward_", go_backwards=None)
        if backward_layer is None:
            self.backward_layer = _copy(layer, "backward_", go_backwards=True)
        elif isinstance(backward_layer, RecurrentLayer):
            self.backward_layer = backward_layer
        else:
            raise ValueError(f"`backward_layer` needs to be a recurrent layer instance. "
                             f"Received: {backward_layer!r}")
        self._check_pair()
        for copy in (self.forward_layer, self.backward_layer):  # as Keras writes them
            copy._zero_output_for_mask = copy.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._initial_weights = None if weights is None else list(weights)
        if self._batch_input_shape is None:   # LSTM(..., input_shape=...) inside (Keras 2 style)
            self._batch_input_shape = layer._batch_input_shape

    # ----- forward and backward -------------------------------------------------------------------
    def forward(self, x, training=False, mask=None):
        y_fw, fw_cache = self.forward_layer.forward(x, training, mask=mask)
        y_bw, bw_cache = self.backward_layer.forward(x, training, mask=mask)
        fw_states, bw_states = [], []
        if self.return_state:
            (y_fw, *fw_states), (y_bw, *bw_states) = y_fw, y_bw
        if self.return_sequences:
            y_bw = y_bw[:, ::-1]          # back into time order
        y = self._merge(y_fw, y_bw)
        outputs = y + fw_states + bw_states
        outputs = outputs if len(outputs) > 1 else outputs[0]
        return outputs, (fw_cache, bw_cache, y_fw, y_bw)

    def backward(self, cache, dy):
        fw_cache, bw_cache, y_fw, y_bw = cache
        dys = dy if isinstance(dy, list) else [dy]
        n_out = 2 if self.merge_mode is None else 1
        d_fw, d_bw = self._unmerge(dys[:n_out], y_fw, y_bw)
        if self.return_sequences:
            d_bw = d_bw[:, ::-1]          # the backward layer produced it in reading order
        d_fw_in, d_bw_in = d_fw, d_bw
        if self.return_state:
            n_states = (len(dys) - n_out) // 2
            d_fw_in = [d_fw] + list(dys[n_out:n_out + n_states])
            d_bw_in = [d_bw] + list(dys[n_out + n_states:])
        dx_fw, grads_fw = self.forward_layer.backward(fw_cache, d_fw_in)
        dx_bw, grads_bw = self.backward_layer.backward(bw_cache, d_bw_in)
        return dx_fw + dx_bw, list(grads_fw) + list(grads_bw)

    def compute_mask(self, inputs, mask=None):
        """As Keras: with return_sequences the sequence's mask (twice for merge_mode=None),
        else none; the states have none."""
        mask = mask[0] if isinstance(mask, list) else mask
        if self.return_sequences:
            out = [mask, mask] if self.merge_mode is None else [mask]
        else:
            out = [None, None] if self.merge_mode is None else [None]
        if self.return_state:
            out += [None] * (2 * self.forward_layer._n_states())
        return out if len(out) > 1 else out[0]

    def _merge(self, y_fw: np.ndarray, y_bw: np.ndarray) -> list[np.ndarray]:
        if self.merge_mode == "concat":
            return [np.concatenate([y_fw, y_bw], axis=-1)]
        if self.merge_mode == "sum":
            return [y_fw + y_bw]
        if self.merge_mode == "ave":
            return [(y_fw + y_bw) / 2]
        if self.merge_mode == "mul":
            return [y_fw * y_bw]
        return [y_fw, y_bw]

    def _unmerge(self, dys: list[np.ndarray], y_fw: np.ndarray, y_bw: np.ndarray) -> tuple:
        """dL/dy_fw and dL/dy_bw from the gradients of the merged output(s)."""
        if self.merge_mode is None:
            return dys[0], dys[1]
        dy = dys[0]
        if self.merge_mode == "concat":
            u = y_fw.shape[-1]
            return dy[..., :u], dy[..., u:]
        if self.merge_mode == "sum":
            return dy, dy
        if self.merge_mode == "ave":
            return dy / 2, dy / 2
        return dy * y_bw, dy * y_fw      # mul

    def _check_pair(self) -> None:
        fw, bw = self.forward_layer, self.backward_layer
        if fw.go_backwards == bw.go_backwards:
            raise ValueError(
                f"Forward layer and backward layer should have different `go_backwards` value. "
                f"Received: forward_layer.go_backwards {fw.go_backwards}, "
                f"backward_layer.go_backwards={bw.go_backwards}. Leave go_backwards=False on "
                f"the layer you wrap; Bidirectional makes the backward copy itself.")
        for a in ("return_sequences", "return_state"):
            if getattr(fw, a) != getattr(bw, a):
                raise ValueError(
                    f"Forward layer and backward layer are expected to have the same value for "
                    f"attribute \"{a}\", got \"{getattr(fw, a)}\" for forward layer and "
                    f"\"{getattr(bw, a)}\" for backward layer")

    def _inner_layers(self) -> list[Layer]:
        return [self.forward_layer, self.backward_layer]

    def get_config(self) -> dict:
        """Keras 3's keys: the forward copy as ``layer``, the backward one, the merge mode."""
        from ..saving.serialization import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer),
                "merge_mode": self.merge_mode}

    def build(self, input_shape):
        with naming.name_scope(self.name):
            self.forward_layer._maybe_build(input_shape)
            self.backward_layer._maybe_build(input_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)

    def check_input_shape(self, shape):
        self.forward_layer.check_input_shape(shape)

    def compute_output_shape(self, input_shape):
        fw_shapes = self.forward_layer.compute_output_shape(input_shape)
        bw_shapes = self.backward_layer.compute_output_shape(input_shape)
        if self.return_state:
            (out, *fw_states), (bw_out, *bw_states) = fw_shapes, bw_shapes
        else:
            out, bw_out, fw_states, bw_states = fw_shapes, bw_shapes, [], []
        if self.merge_mode == "concat":
            outputs = [out[:-1] + (out[-1] + bw_out[-1],)]
        elif self.merge_mode is None:
            outputs = [out, bw_out]
        else:
            outputs = [out]
        shapes = outputs + fw_states + bw_states
        return shapes if len(shapes) > 1 else shapes[0]

    def formula(self, input_shape, output_shape):
        fw, bw = self.forward_layer.name, self.backward_layer.name
        y_bw = f"flip_t({bw}(x))" if self.return_sequences else f"{bw}(x)"
        merged = {"concat": f"concat([{fw}(x), {y_bw}], axis=-1)", "sum": f"{fw}(x) + {y_bw}",
                  "mul": f"{fw}(x) · {y_bw}", "ave": f"({fw}(x) + {y_bw}) / 2",
                  None: f"[{fw}(x), {y_bw}]"}[self.merge_mode]
        out = output_shape if isinstance(output_shape, list) else [output_shape]
        return (f"y = {merged} : {format_shape(input_shape)} → "
                f"{', '.join(format_shape(tuple(s)) for s in out)}")


def _copy(layer: RecurrentLayer, prefix: str, go_backwards: bool | None) -> RecurrentLayer:
    """A new layer with ``layer``'s arguments, named ``<prefix><name>``."""
    config = layer.get_config()
    base = config["name"][len(prefix):] if config["name"].startswith(prefix) else config["name"]
    config["name"] = prefix + base
    if go_backwards is not None:
        config["go_backwards"] = go_backwards
    return type(layer).from_config(config)
