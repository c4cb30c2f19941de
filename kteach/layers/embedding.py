"""Embedding: turn token ids into learned vectors.

``Embedding(input_dim, output_dim)`` holds a table E (``embeddings``) with one row of
``output_dim`` numbers per id; ``input_dim`` is the vocabulary size, so ids go from 0 to
``input_dim − 1``. The output replaces every id by its row:

    y[b, t] = E[x[b, t]]            x (b, T) ids, E (V, D) → y (b, T, D)

(any number of id axes works: x (b, ...) → y (b, ..., D)). Parameters: ``V·D``.

Backward: the ids are not differentiable (there is no "id + ε"), so there is no dx. Row v
of dE collects the gradients of every position that looked up id v:
``dE[v] = Σ_{(b,t): x[b,t]=v} dy[b, t]`` (a scatter-add); rows of ids that did not occur get 0.

Mistakes caught with a message: ids outside ``[0, input_dim)`` (:class:`TokenIdError`, an
``IndexError`` like the one Keras' torch backend raises, "index out of range in self"), with a
hint when the two arguments look swapped; ids that are not whole numbers (:class:`DataError`).
Whole numbers stored as floats (``3.0``) are accepted, because a model whose Input has the
default float dtype passes ids that way.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import constraints, initializers, regularizers
from ..engine.errors import DataError, KteachError, ShapeError, warn_once
from ..engine.layer import Layer
from ..engine.tensor import format_shape
from ..engine.errors import refuse_unsupported


class TokenIdError(KteachError, IndexError):
    """An Embedding received an id outside ``[0, input_dim)``."""


def _dimension(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"`{what}` must be a positive integer. Received: {what}={value!r} (of type "
            f"{type(value).__name__}). Embedding(input_dim, output_dim): input_dim is the "
            f"vocabulary size (largest id + 1), output_dim the length of each vector, e.g. "
            f"Embedding(10000, 64).")
    return int(value)


class Embedding(Layer):
    """A lookup table of vectors: ``y[..., :] = E[x[...]]``, E (``embeddings``) ``(V, D)``.

    Shapes: x ``(b, T)`` integer ids in ``[0, V)``; y ``(b, T, D)``. Backward:
    ``dE[v] = Σ dy`` over the positions holding id v (``np.add.at``); no gradient for x.

    ``weights=[matrix]`` starts the table from a given ``(V, D)`` array (e.g. pretrained word
    vectors), as Keras.

    ``mask_zero=True``: id 0 is padding. The layer then also makes a mask, ``x != 0``
    ``(b, T)``, that travels with its output: recurrent layers skip the padded steps,
    GlobalAveragePooling1D leaves them out of its mean, the loss and metrics ignore them (see
    :mod:`kteach.engine.masking`). The vector of id 0 is still looked up (and is what a layer
    that ignores masks sees), so ``input_dim`` must count the padding id too.
    """

    _config_keys = ("input_dim", "output_dim", "embeddings_initializer",
                    "embeddings_regularizer", "embeddings_constraint", "mask_zero",
                    "activity_regularizer")
    _keras_config = {"quantization_config": None}

    _legacy_keywords = ("input_length",)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 activity_regularizer=None, **kwargs):
        input_length = kwargs.pop("input_length", None)
        if input_length is not None:
            warn_once("Argument `input_length` is deprecated. Just remove it. (Keras 3 ignores "
                      "it; to give the model its input shape, start it with "
                      f"Input(shape=({input_length},)).)", key="embedding_input_length")
        super().__init__(**kwargs)
        self.input_dim = _dimension(input_dim, "input_dim")
        self.output_dim = _dimension(output_dim, "output_dim")
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        # A penalty on the table (model.losses) and a projection after each update.
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)   # penalises y
        refuse_unsupported("Embedding", lora_rank=lora_rank,
                           quantization_config=quantization_config)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero    # as Keras: only then does it make a mask
        self._initial_weights = None if weights is None else list(weights)

    def build(self, input_shape):
        shape = (self.input_dim, self.output_dim)
        init = self.embeddings_initializer
        if self._initial_weights is not None:
            init = initializers.get(self._given_table(shape))
        self.embeddings = self.add_weight("embeddings", shape, init,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def _given_table(self, shape: tuple) -> np.ndarray:
        if len(self._initial_weights) != 1:
            raise ShapeError(f"Embedding(weights=...) takes a list with one array of shape "
                             f"{shape}; got {len(self._initial_weights)} arrays.")
        table = np.asarray(self._initial_weights[0])
        if table.shape != shape:
            raise ShapeError(
                f"Embedding(weights=[table]) got a table of shape {table.shape}, but "
                f"Embedding({self.input_dim}, {self.output_dim}) needs shape {shape} "
                f"(one row per id, one column per vector entry).")
        return table

    def compute_mask(self, inputs, mask=None):
        """``x != 0`` with ``mask_zero=True`` (True where a real token stands), else None."""
        if not self.mask_zero:
            return None
        return inputs != 0

    def check_input_shape(self, shape):
        """Ids may come in any shape: one vector per id is added as the last axis."""

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def formula(self, input_shape, output_shape):
        return (f"y[…, :] = E[x[…]] : x {format_shape(input_shape)} ids, "
                f"E {format_shape(self.embeddings.shape)} → {format_shape(output_shape)}")

    def forward(self, x, training=False):
        ids = self._token_ids(np.asarray(x))
        y = self.embeddings.value[ids]
        self._activity_penalty(y)
        return y, ids

    def backward(self, ids, dy):
        if self.activity_regularizer is not None:   # y is the table's rows for these ids
            dy = self._activity_gradient(self.embeddings.value[ids], dy)
        V, D = self.embeddings.shape
        dE = np.zeros((V, D), dtype=self.embeddings.value.dtype)
        # dE[v, j] += dy[b, t, j] for every position (b, t) holding id v. np.add.at adds
        # repeated ids correctly (plain `dE[ids] += dy` would keep only one of them); it is
        # several times faster with one flat index per number than with one row index per
        # id, so each entry E[v, j] is addressed by its flat position v·D + j.
        flat = (ids.reshape(-1, 1).astype(np.intp) * D + np.arange(D)).ravel()
        np.add.at(dE.reshape(V * D), flat, dy.reshape(-1))
        return None, [dE]

    # ----- checking the ids ---------------------------------------------------------------------
    def _token_ids(self, x: np.ndarray) -> np.ndarray:
        """``x`` as an integer array, after checking every entry is an id in ``[0, V)``."""
        if x.dtype == bool or not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
            raise DataError(
                f"Layer '{self.name}' (Embedding) takes integer token ids, but received an "
                f"array of dtype {x.dtype}. Turn each word into its id first (e.g. with a "
                f"dict from word to id, or a tokenizer) and pass the ids as integers.")
        if not np.issubdtype(x.dtype, np.integer):
            fractional = ~np.isfinite(x) | (x != np.round(x))
            if fractional.any():
                where = tuple(int(i) for i in np.argwhere(fractional)[0])
                raise DataError(
                    f"Layer '{self.name}' (Embedding) takes integer token ids, but received "
                    f"{x[where].item()!r} at index {where} (dtype {x.dtype}). An id names a row of "
                    f"the table, so it must be a whole number. Pass the token ids (e.g. "
                    f"x.astype('int32') if they are whole numbers stored as floats); if these "
                    f"are features rather than ids, the model needs no Embedding here.")
            x = x.astype(np.int64)
        if x.size:
            self._check_range(int(x.min()), int(x.max()))
        return x

    def _check_range(self, lowest: int, highest: int) -> None:
        V, D = self.input_dim, self.output_dim
        head = f"Layer '{self.name}' (Embedding({V}, {D})): index out of range in self."
        if lowest < 0:
            raise TokenIdError(
                f"{head} It received the negative token id {lowest}; ids must be between 0 and "
                f"{V - 1}. Use 0 for padding (pad_sequences does) and keep every id >= 0.")
        if highest < V:
            return
        fits = f"Embedding({highest + 1}, {D}) has room for these data"
        if highest < D:
            raise TokenIdError(
                f"{head} It received token id {highest}, but input_dim={V} only allows ids 0 "
                f"to {V - 1}. Did you mean Embedding({D}, {V})? The first argument is the "
                f"vocabulary size (input_dim: the number of different ids, the largest id + 1), "
                f"the second the length of each vector (output_dim)."
                # ids well below output_dim leave another reading: a vocabulary too small
                + (f" If {D} is meant as the vector length, make input_dim larger: {fits}."
                   if highest + 1 <= D // 2 else ""))
        raise TokenIdError(
            f"{head} It received token id {highest}, but input_dim={V} only allows ids 0 to "
            f"{V - 1}. input_dim is the vocabulary size, the largest id + 1: {fits} (if a "
            f"tokenizer made the ids with num_words=N, use Embedding(N, {D})).")
