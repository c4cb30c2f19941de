"""Masks: which time steps of a padded sequence are real, carried beside the tensors.

A mask is a boolean array ``(batch, steps)``: True where a step holds data, False where it
is padding. ``Embedding(mask_zero=True)`` makes one (id 0 is padding), ``Masking`` another
(steps whose features all equal ``mask_value``). From there it travels with the tensors, as
Keras 3 carries ``tensor._keras_mask``:

* a layer whose ``forward`` (or ``call``) takes ``mask`` receives the mask of its input --
  SimpleRNN/LSTM/GRU skip masked steps, GlobalAveragePooling1D averages the real ones;
* the mask of its output is ``layer.compute_mask(inputs, mask)``: by default the input's mask
  unchanged, for the layers that support masking (Dense, Dropout, Activation, ...);
* a layer that does not support masking drops it, with Keras' warning, at the moment the
  model is built;
* the mask that reaches a model's output makes the loss and the metrics skip masked entries.

A nested model does not support masking, as in Keras 3: calling it on a masked tensor gives
Keras' warning and a symbolic output without a mask. Its layers still receive the mask, and
when the model runs, its outputs carry the masks its own layers made -- Keras keeps a mask on
the tensor itself, so the layers after the nested model see it. kteach does the same.

On symbolic tensors (from ``Input``) the mask is a bool KerasTensor in ``x._keras_mask``; when
a model runs, :mod:`kteach.engine.graph` computes the actual masks next to the values. In a
subclassed model's ``call`` (run under a tape) each layer's output Tensor carries its mask in
``_keras_mask``, so ``self.lstm(self.embedding(x))`` masks as in Keras. A plain NumPy result
of a layer called outside any model carries none: ``layer.compute_mask(x)`` gives it.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from .errors import warn_once
from .tensor import KerasTensor


def get_mask(x: Any) -> Any:
    """The mask attached to ``x`` (a KerasTensor), or None: Keras' ``x._keras_mask``."""
    return getattr(x, "_keras_mask", None)


def first_mask(mask: Any) -> Any:
    """A layer with several inputs receives a list of masks; the first one is the sequence's."""
    return mask[0] if isinstance(mask, (list, tuple)) else mask


def any_mask(mask: Any) -> bool:
    masks = mask if isinstance(mask, (list, tuple)) else [mask]
    return any(m is not None for m in masks)


@functools.lru_cache(maxsize=None)
def _signature_takes_mask(func: Any) -> bool:
    return "mask" in inspect.signature(func).parameters


def takes_mask(layer: Any) -> bool:
    """Whether the engine hands ``mask=`` to this layer's ``forward`` (a built-in layer) or
    ``call`` (a learner's layer), as Keras passes it to a ``call`` that names it."""
    from .layer import Layer
    own = type(layer).forward if type(layer).forward is not Layer.forward else type(layer).call
    return _signature_takes_mask(own)


def output_masks(layer: Any, inputs: Any, mask: Any, n_outputs: int) -> list:
    """One mask (or None) per output of a call: ``layer.compute_mask(inputs, mask)`` for a
    layer that supports masking, else None for all."""
    if not getattr(layer, "supports_masking", False):
        return [None] * n_outputs
    out = layer.compute_mask(inputs, mask)
    out = list(out) if isinstance(out, (list, tuple)) else [out] * (1 if n_outputs == 1 else 0)
    if len(out) != n_outputs:   # one mask for a layer with several outputs: only the first
        out = (out + [None] * n_outputs)[:n_outputs]
    return out


def symbolic_masks(layer: Any, inputs: Any, mask: Any, outputs: list) -> None:
    """Attach ``_keras_mask`` to the symbolic outputs of a call, or warn as Keras does when a
    layer that cannot use a mask receives one (the mask stops there)."""
    from .operation import Operation
    refusal = getattr(layer, "_mask_refusal", None)
    if refusal and any_mask(mask):
        from .errors import NotSupportedError
        raise NotSupportedError(f"Layer '{layer.name}' ({type(layer).__name__}) received a "
                                f"masked input. {refusal}")
    if not getattr(layer, "supports_masking", False):
        if any_mask(mask) and not isinstance(layer, Operation):   # an op simply drops the mask, as in Keras
            warn_once(
                f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input "
                f"with a mask attached to it. However, this layer does not support masking and "
                f"will therefore destroy the mask information. Downstream layers will not see "
                f"the mask. (The mask marks padded steps, from Embedding(mask_zero=True) or "
                f"Masking; layers such as Flatten or Conv1D cannot skip steps. Pool the "
                f"sequence first, e.g. with GlobalAveragePooling1D or an LSTM, if the "
                f"padding should not count.)", key=f"mask_destroyed_{layer.name}")
        return
    for t, m in zip(outputs, output_masks(layer, inputs, mask, len(outputs))):
        if isinstance(m, KerasTensor) and m.dtype == "bool":
            t._keras_mask = m               # passed on unchanged: the same mask tensor
        elif m is not None:                 # a new mask: one flag per step of the output
            t._keras_mask = KerasTensor(t.shape[:-1], "bool")


def tensor_mask(inputs: Any) -> Any:
    """The masks carried by the Tensors of a call inside a recording (a subclassed model's
    ``call``): one, or a list for several inputs; None when none has one."""
    flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    masks = [getattr(x, "_keras_mask", None) for x in flat]
    if all(m is None for m in masks):
        return None
    return masks if isinstance(inputs, (list, tuple)) else masks[0]


def attach_masks(layer: Any, inputs: Any, mask: Any, outputs: Any) -> None:
    """Inside a recording the outputs are Tensors: give each its mask, as Keras sets
    ``_keras_mask`` on eager tensors, so the next layer of a ``call`` finds it. (Plain
    NumPy results outside a recording carry none: ``layer.compute_mask`` gives it.)"""
    from .arrays import Tensor
    flat = outputs if isinstance(outputs, list) else [outputs]
    if not any(isinstance(o, Tensor) for o in flat):
        return
    from .arrays import plain
    for o, m in zip(flat, output_masks(layer, plain(inputs), plain(mask), len(flat))):
        if m is not None and isinstance(o, Tensor):
            o._keras_mask = as_bool(m)


def as_bool(mask: Any) -> np.ndarray | None:
    """A mask as a NumPy bool array (None stays None)."""
    return None if mask is None else np.asarray(mask, dtype=bool)


def describe(mask: np.ndarray) -> str:
    """``mask (2, 5): 7 of 10 steps real, 3 masked`` -- for explain's notes."""
    m = np.asarray(mask, dtype=bool)
    return (f"mask {tuple(m.shape)}: {int(m.sum())} of {m.size} steps real, "
            f"{int(m.size - m.sum())} masked")
